import { CHECK_EVERY, MinHeap, checkpoint } from './kernel-util.js';
import { sourceAt, sourceCount, type CentralityResult, type Graph, type Progress, type SourceSet } from './types.js';

/**
 * Closeness and harmonic centrality with networkx's definitions, on *incoming* distances (for a directed
 * graph, d(u, v) over customers u that reach v, as networkx's `closeness_centrality` reverses the graph):
 *
 * - closeness(v) = (r-1)/Σ_u d(u,v) · (r-1)/(n-1) where r-1 customers reach v (Wasserman–Faust, networkx
 *   `wf_improved=True`; without it the second factor is dropped); 0 when nobody reaches v or n = 1;
 * - harmonic(v) = Σ_{u ≠ v} 1/d(u,v) (networkx `harmonic_centrality`, unnormalised), 0 for the unreachable.
 *
 * Hop distances by default; with `weighted`, tie weights are lengths (Dijkstra, networkx `distance='weight'`).
 * Unweighted runs use a bit-parallel BFS: 32 targets at once, one 32-bit mask per customer, so each level costs
 * one pass over the arcs for 32 traversals. The kernel fills the entries of its sources only; the partial
 * arrays of disjoint source sets add up to the full result.
 */
export type DistanceMeasure = 'closeness' | 'harmonic';

export const CLOSENESS_DEFAULTS = { weighted: false, wfImproved: true };

export interface ClosenessKernelOptions {
  measure: DistanceMeasure;
  weighted?: boolean;
  wfImproved?: boolean;
  signal?: AbortSignal;
  /** Polled between sources (worker tasks). */
  isCancelled?: () => boolean;
  onProgress?: Progress;
  into?: Float64Array;
  /** Force the Dijkstra path even when unweighted (tests cross-check the two). */
  forceDijkstra?: boolean;
}

export function closenessPartial(graph: Graph, sources: SourceSet, opts: ClosenessKernelOptions): Float64Array {
  const out = opts.into ?? new Float64Array(graph.n);
  const weighted = opts.weighted === true && graph.arcWeight !== null;
  if (weighted || opts.forceDijkstra) dijkstraKernel(graph, sources, out, opts, weighted);
  else bitsetKernel(graph, sources, out, opts);
  return out;
}

function finish(out: Float64Array, v: number, n: number, reached: number, sum: number, harmonic: number, opts: ClosenessKernelOptions): void {
  if (opts.measure === 'harmonic') {
    out[v] = harmonic;
    return;
  }
  let c = 0;
  if (sum > 0 && n > 1) {
    c = reached / sum;
    if (opts.wfImproved ?? CLOSENESS_DEFAULTS.wfImproved) c *= reached / (n - 1);
  }
  out[v] = c;
}

function bitsetKernel(graph: Graph, sources: SourceSet, out: Float64Array, opts: ClosenessKernelOptions): void {
  const { n, inOffsets, inSources } = graph;
  const seen = new Int32Array(n);
  const frontier = new Int32Array(n);
  const next = new Int32Array(n);
  const batch = new Int32Array(32);
  const sum = new Float64Array(32);
  const reached = new Float64Array(32);
  const harm = new Float64Array(32);
  const total = sourceCount(sources, n);
  let lastCheck = -CHECK_EVERY;
  for (let k0 = 0; k0 < total; k0 += 32) {
    if (k0 - lastCheck >= CHECK_EVERY) {
      checkpoint(opts, opts.onProgress, k0, total, opts.measure);
      lastCheck = k0;
    }
    const bsize = Math.min(32, total - k0);
    seen.fill(0);
    frontier.fill(0);
    for (let b = 0; b < bsize; b++) {
      const s = sourceAt(sources, k0 + b);
      batch[b] = s;
      seen[s] |= 1 << b;
      frontier[s] |= 1 << b;
      sum[b] = 0;
      reached[b] = 0;
      harm[b] = 0;
    }
    for (let d = 1; ; d++) {
      // Expand: every customer u with an arc u -> v into the frontier is one step further back.
      for (let v = 0; v < n; v++) {
        const f = frontier[v];
        if (f === 0) continue;
        const end = inOffsets[v + 1];
        for (let q = inOffsets[v]; q < end; q++) next[inSources[q]] |= f;
      }
      let any = 0;
      const inv = 1 / d;
      for (let u = 0; u < n; u++) {
        const nb = next[u] & ~seen[u];
        next[u] = 0;
        if (nb === 0) {
          frontier[u] = 0;
          continue;
        }
        seen[u] |= nb;
        frontier[u] = nb;
        any = 1;
        let bits = nb;
        while (bits !== 0) {
          const low = bits & -bits;
          const b = 31 - Math.clz32(low);
          sum[b] += d;
          reached[b]++;
          harm[b] += inv;
          bits ^= low;
        }
      }
      if (!any) break;
    }
    for (let b = 0; b < bsize; b++) finish(out, batch[b], n, reached[b], sum[b], harm[b], opts);
  }
  if (total > 0) opts.onProgress?.(total, total);
}

function dijkstraKernel(graph: Graph, sources: SourceSet, out: Float64Array, opts: ClosenessKernelOptions, weighted: boolean): void {
  const { n, m, inOffsets, inSources, inArc } = graph;
  const w = weighted ? graph.arcWeight! : null;
  // Weights in in-arc order, once per kernel call.
  const inW = new Float64Array(m);
  for (let q = 0; q < m; q++) inW[q] = w ? w[inArc[q]] : 1;
  const dist = new Float64Array(n).fill(Infinity);
  const settled = new Uint8Array(n);
  const touched = new Int32Array(n);
  const heap = new MinHeap(m + 1);
  const total = sourceCount(sources, n);
  for (let k = 0; k < total; k++) {
    if (k % CHECK_EVERY === 0) checkpoint(opts, opts.onProgress, k, total, opts.measure);
    const s = sourceAt(sources, k);
    dist[s] = 0;
    heap.push(0, s);
    let count = 0;
    let sum = 0;
    let harmonic = 0;
    while (heap.size > 0) {
      const v = heap.nodes[0];
      heap.pop();
      if (settled[v]) continue;
      settled[v] = 1;
      touched[count++] = v;
      const dv = dist[v];
      if (dv > 0) {
        sum += dv;
        harmonic += 1 / dv;
      }
      const end = inOffsets[v + 1];
      for (let q = inOffsets[v]; q < end; q++) {
        const u = inSources[q];
        const nd = dv + inW[q];
        if (nd < dist[u]) {
          dist[u] = nd;
          heap.push(nd, u);
        }
      }
    }
    finish(out, s, n, count - 1, sum, harmonic, opts);
    for (let i = 0; i < count; i++) {
      dist[touched[i]] = Infinity;
      settled[touched[i]] = 0;
    }
  }
  if (total > 0) opts.onProgress?.(total, total);
}

export interface ClosenessOptions extends Partial<typeof CLOSENESS_DEFAULTS> {
  signal?: AbortSignal;
  onProgress?: Progress;
}

/** Single-thread closeness of every customer. */
export function closeness(graph: Graph, options: ClosenessOptions = {}): CentralityResult {
  const scores = closenessPartial(graph, { from: 0, to: graph.n }, { ...CLOSENESS_DEFAULTS, ...options, measure: 'closeness' });
  return { metric: 'closeness', scores };
}

/** Single-thread harmonic centrality of every customer. */
export function harmonic(graph: Graph, options: Omit<ClosenessOptions, 'wfImproved'> = {}): CentralityResult {
  const scores = closenessPartial(graph, { from: 0, to: graph.n }, { ...options, measure: 'harmonic' });
  return { metric: 'harmonic', scores };
}
