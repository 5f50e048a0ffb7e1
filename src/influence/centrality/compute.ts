import type { CompiledGraph } from '../../graph/compile.js';
import { InputError } from '../../errors.js';
import { BETWEENNESS_DEFAULTS, betweennessStderr, reportFullSample, rescaleBetweenness, resolveSample, sumPartials } from './betweenness.js';
import { CLOSENESS_DEFAULTS } from './closeness.js';
import { pagerankBuffer, type PagerankOptions } from './pagerank.js';
import { centrality, type CentralityOptions } from './registry.js';
import type { PagerankLeadPayload, PartialPayload, PartialProgress } from './tasks.js';
import { isCentralityMetric, type CentralityMetric, type CentralityResult, type SourceSet } from './types.js';

/** The part of src/workers/pool.ts WorkerPool that centrality uses. */
export interface PoolLike {
  readonly size: number;
  /** Tasks run as threads of this process (src/workers/pool.ts EnginePool): PageRank may split its sweeps. */
  readonly sharedMemory?: boolean;
  run<T>(task: string, graph: CompiledGraph, payload: unknown, opts?: { signal?: AbortSignal; onProgress?: (p: unknown) => void }): Promise<T>;
}

export interface ComputeOptions extends CentralityOptions {
  pool?: PoolLike;
  /** Chunks per worker for the all-sources metrics (load balance vs. messages). Default 4. */
  chunksPerWorker?: number;
  /** Reuse the result of an identical earlier request on the same compiled graph (default true). */
  cache?: boolean;
  /** PageRank shares its sweeps between the workers from this many arcs up (default SHARED_PAGERANK_MIN_ARCS). */
  sharedPagerankMinArcs?: number;
}

const ALL_SOURCES = new Set<CentralityMetric>(['betweenness', 'closeness', 'harmonic']);

/** Results per compiled graph (= per graph version: compiled graphs are cached by (id, version)). */
const cache = new WeakMap<CompiledGraph, Map<string, Promise<CentralityResult>>>();

function cacheKey(metric: string, o: CentralityOptions): string | null {
  if (o.sources) return null;
  const keys = ['weighted', 'normalized', 'k', 'seed', 'alpha', 'beta', 'convergence', 'maxIterations', 'tolerance', 'wfImproved', 'resolution'] as const;
  return `${metric}|${keys.map((k) => String(o[k] ?? '')).join('|')}`;
}

/**
 * One centrality metric for every customer. With a pool, betweenness / closeness / harmonic split their
 * sources into chunks run by the workers and add the partial arrays (the result is the same as the
 * single-thread one up to floating-point summation order); the other metrics run whole in one worker.
 * Without a pool everything runs on this thread. Results are cached per compiled graph and options;
 * callers must not modify the returned arrays.
 */
export function computeCentrality(graph: CompiledGraph, metric: string, opts: ComputeOptions = {}): Promise<CentralityResult> {
  if (!isCentralityMetric(metric)) return Promise.resolve().then(() => centrality(graph, metric)); // throws the 400
  const key = opts.cache === false ? null : cacheKey(metric, opts);
  if (key === null) return run(graph, metric, opts);
  let perGraph = cache.get(graph);
  if (!perGraph) cache.set(graph, (perGraph = new Map()));
  const hit = perGraph.get(key);
  if (hit) return hit;
  const p = run(graph, metric, opts);
  perGraph.set(key, p);
  p.catch(() => perGraph.delete(key));
  return p;
}

/** From this many arcs up, PageRank on a thread pool shares its sweeps between the workers (below: one worker). */
export const SHARED_PAGERANK_MIN_ARCS = 200_000;

/**
 * PageRank with its sweeps shared by every worker of the pool: one `pagerank-lead` task drives the iteration and
 * returns the answer; `pagerank-help` tasks (one per other worker, queued after the lead) join its sweeps and leave
 * when it ends. The lead never waits for them — a helper that starts late joins late, or finds the work done — and
 * the answer is the single-thread one, bit for bit.
 */
function sharedPagerank(graph: CompiledGraph, pool: PoolLike, options: CentralityOptions, signal?: AbortSignal): Promise<CentralityResult> {
  const o: PagerankOptions = {};
  if (options.alpha !== undefined) o.alpha = options.alpha;
  if (options.convergence !== undefined) o.convergence = options.convergence;
  if (options.maxIterations !== undefined) o.maxIterations = options.maxIterations;
  if (options.tolerance !== undefined) o.tolerance = options.tolerance;
  if (options.weighted !== undefined) o.weighted = options.weighted;
  const buffer = pagerankBuffer(graph, o);
  const lead = pool.run<CentralityResult>('pagerank-lead', graph, { buffer, options: o } satisfies PagerankLeadPayload, { signal });
  for (let w = 1; w < pool.size; w++) pool.run('pagerank-help', graph, { buffer }, { signal }).catch(() => undefined);
  return lead;
}

async function run(graph: CompiledGraph, metric: CentralityMetric, opts: ComputeOptions): Promise<CentralityResult> {
  const { pool, signal, onProgress } = opts;
  if (!pool) return centrality(graph, metric, opts);
  if (!ALL_SOURCES.has(metric)) {
    const { pool: _p, signal: _s, onProgress: _o, cache: _c, chunksPerWorker: _k, sharedPagerankMinArcs, ...options } = opts;
    const shared = pool.sharedMemory && pool.size > 1 && graph.m >= (sharedPagerankMinArcs ?? SHARED_PAGERANK_MIN_ARCS);
    if (metric === 'pagerank' && shared) return sharedPagerank(graph, pool, options, signal);
    return pool.run<CentralityResult>('centrality', graph, { metric, options }, { signal });
  }
  const n = graph.n;
  const sample = metric === 'betweenness' ? resolveSample(n, opts) : null;
  const total = sample ? sample.length : n;
  const per = opts.chunksPerWorker ?? 4;
  if (!(Number.isInteger(per) && per >= 1)) throw new InputError(`centrality: chunksPerWorker must be an integer >= 1, got ${per}`);
  const chunks = Math.max(1, Math.min(total, pool.size * per));
  const done = new Float64Array(chunks);
  const tasks: Promise<{ partial: Float64Array; squares?: Float64Array }>[] = [];
  for (let c = 0; c < chunks; c++) {
    const from = Math.floor((c * total) / chunks);
    const to = Math.floor(((c + 1) * total) / chunks);
    const sources: SourceSet = sample ? sample.slice(from, to) : { from, to };
    const payload: PartialPayload = {
      measure: metric as PartialPayload['measure'],
      sources,
      weighted: opts.weighted,
      wfImproved: opts.wfImproved ?? CLOSENESS_DEFAULTS.wfImproved,
      ...(sample ? { squares: true } : {}),
    };
    tasks.push(pool.run<{ partial: Float64Array; squares?: Float64Array }>('centrality-partial', graph, payload, {
      signal,
      onProgress: onProgress && ((p) => {
        done[c] = (p as PartialProgress).done;
        let s = 0;
        for (let i = 0; i < chunks; i++) s += done[i];
        onProgress(s, total);
      }),
    }));
  }
  const results = await Promise.all(tasks);
  const scores = sumPartials(results.map((r) => r.partial));
  if (metric !== 'betweenness') return { metric, scores };
  const normalized = opts.normalized ?? BETWEENNESS_DEFAULTS.normalized;
  const stderr = sample ? betweennessStderr(scores, sumPartials(results.map((r) => r.squares!)), graph, normalized, sample) : undefined;
  rescaleBetweenness(scores, graph, normalized, sample ?? undefined);
  const result: CentralityResult = { metric, scores };
  if (sample) {
    result.sample = { k: sample.length, seed: opts.seed ?? BETWEENNESS_DEFAULTS.seed, sources: sample };
    result.stderr = stderr;
  } else reportFullSample(result, n, opts);
  return result;
}
