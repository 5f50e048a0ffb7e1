import type { CompiledGraph } from '../../graph/compile.js';
import { seededRandom } from './rng.js';

/**
 * A pilot of an all-sources metric (betweenness, closeness, harmonic): the searches of a few of its sources, run and
 * counted before the whole request is planned (the API's work budget, src/api/budget.ts). Each source of these
 * metrics costs one search over what it reaches, not over the whole graph: on a graph of many small parts, or a
 * directed one where most customers reach few others, `sources × arcs` over-rates the work by orders of magnitude.
 *
 * A search here is a breadth-first search in the metric's direction (betweenness: out-arcs, what Brandes' forward
 * pass follows; closeness and harmonic: in-arcs, networkx's incoming distances), counting the arcs examined and the
 * customers reached; Brandes' second (accumulation) pass costs the same again, and a weighted search (Dijkstra) adds
 * a heap operation per customer reached (× log2 of the customers reached). The bit-parallel kernel of unweighted
 * closeness and harmonic (32 sources per pass) also sweeps every customer twice per level of its deepest search:
 * `maxDepth` lets the caller count that (src/api/budget.ts). Sources: the first of betweenness'
 * own sample when `sources` is given, else a seeded uniform draw. Nothing of the real run is changed.
 */
export interface SourcesPilot {
  /** Sources searched. */
  sources: number;
  /** Their work: arcs examined plus customers reached (weighted: × log2 of those reached), per the metric's passes. */
  work: number;
  /** Customers reached, summed over the sources searched. */
  reached: number;
  /** The deepest level a search reached (its source at 0). */
  maxDepth: number;
}

export const SOURCES_PILOT_DEFAULTS = { maxSources: 64, maxWork: 2_000_000, maxMs: 25, seed: 1 } as const;

export function pilotSources(
  g: CompiledGraph,
  opts: { direction: 'out' | 'in'; passes?: number; weighted?: boolean; sources?: Int32Array; seed?: number; maxSources?: number; maxWork?: number; maxMs?: number },
): SourcesPilot {
  const out: SourcesPilot = { sources: 0, work: 0, reached: 0, maxDepth: 0 };
  const n = g.n;
  if (n === 0) return out;
  const maxSources = opts.maxSources ?? SOURCES_PILOT_DEFAULTS.maxSources;
  const maxWork = opts.maxWork ?? SOURCES_PILOT_DEFAULTS.maxWork;
  const deadline = performance.now() + (opts.maxMs ?? SOURCES_PILOT_DEFAULTS.maxMs);
  const passes = opts.passes ?? 1;
  const offsets = opts.direction === 'out' ? g.outOffsets : g.inOffsets;
  const next = opts.direction === 'out' ? g.outTargets : g.inSources;
  const rng = seededRandom(opts.seed ?? SOURCES_PILOT_DEFAULTS.seed);
  // Visited marks by search number: no reset over n between searches.
  const mark = new Int32Array(n);
  const queue = new Int32Array(n);
  const depth = new Int32Array(n);
  const count = opts.sources ? Math.min(maxSources, opts.sources.length) : maxSources;
  for (let i = 0; i < count; i++) {
    if (i > 0 && (out.work >= maxWork || performance.now() > deadline)) break;
    const s = opts.sources ? opts.sources[i] : Math.min(n - 1, Math.floor(rng() * n));
    const stamp = i + 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    mark[s] = stamp;
    depth[s] = 0;
    let arcs = 0;
    while (head < tail) {
      const v = queue[head++];
      const end = offsets[v + 1];
      arcs += end - offsets[v];
      if (depth[v] > out.maxDepth) out.maxDepth = depth[v];
      for (let a = offsets[v]; a < end; a++) {
        const w = next[a];
        if (mark[w] !== stamp) {
          mark[w] = stamp;
          depth[w] = depth[v] + 1;
          queue[tail++] = w;
        }
      }
    }
    const heap = opts.weighted ? Math.log2(tail + 1) : 1;
    out.work += passes * (arcs + tail * heap);
    out.reached += tail;
    out.sources++;
  }
  return out;
}
