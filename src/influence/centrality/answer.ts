import type { EnginePool } from '../../workers/pool.js';
import type { CompiledGraph } from '../../graph/compile.js';
import type { CentralityRequest } from '../schemas.js';
import { computeCentrality } from './compute.js';
import { topScores } from './registry.js';
import { answerRows, type LazyRows, topKAsync } from '../../graph/top-k.js';
import type { CentralityResult } from './types.js';
import type { EngineAnswer } from '../../diffusion/result-schema.js';
import type { centralityResultSchema } from '../result-schemas.js';

/** The JSON answer of a centrality request (HTTP, `ripple worker` jobs), and the engine call behind it. */

/** Results computed in Neo4j with GDS (answers say `engine: "gds"`, also when they come from the cache). */
const fromGds = new WeakSet<CentralityResult>();

/** Mark a result as computed in Neo4j with GDS. */
export function markGds(r: CentralityResult): CentralityResult {
  fromGds.add(r);
  return r;
}

/** The options part of a request that changes the scores (the cache key). */
export function centralityOptions(req: CentralityRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all = {
    weighted: req.weighted, normalized: req.normalized, k: req.k, seed: req.seed, alpha: req.alpha,
    convergence: req.convergence, tolerance: req.tolerance, maxIterations: req.maxIterations,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The engine's part of the CentralityResult answer (the type of its schema, ../result-schemas.ts): everything but
 * where it came from (graph reference, `version`, `cached`, `elapsedMs`: the service adds them).
 */
export type CentralityAnswer = Omit<EngineAnswer<typeof centralityResultSchema>, 'version' | 'cached' | 'elapsedMs'>;

/**
 * The JSON answer of a computed metric (shared shape with `ripple centrality --json`). With `order` (rankOrder of
 * these scores, e.g. from CentralityCache.peekRanked) the top k cost O(k); without it the scores are ranked here.
 */
export function centralityAnswer(graph: CompiledGraph, req: CentralityRequest, r: CentralityResult, order?: Int32Array): CentralityAnswer {
  const k = req.top === 'all' ? graph.n : Math.min(req.top, graph.n);
  const item = itemOf(graph, r);
  const top = order
    ? Array.from(order.subarray(0, Math.min(k, order.length)), (index, i) => item(index, i + 1))
    : topScores(r.scores, k).map((t) => item(t.index, t.rank));
  return withTop(req, r, graph.n, top);
}

/** A centrality answer whose long `top` (LAZY_ROWS_MIN rows or more) is LazyRows: serialised, not read. */
export type CentralityLazyAnswer = Omit<CentralityAnswer, 'top'> & { top: CentralityAnswer['top'] | LazyRows<CentralityAnswer['top'][number]> };

/**
 * centralityAnswer in slices that yield to the event loop (the API's: `top=all` over a million customers ranks and
 * lists a million entries): the same answer, a long `top` made row by row as it is serialised (LazyRows).
 */
export async function centralityAnswerAsync(graph: CompiledGraph, req: CentralityRequest, r: CentralityResult, order?: Int32Array): Promise<CentralityLazyAnswer> {
  const k = req.top === 'all' ? graph.n : Math.min(req.top, graph.n);
  const item = itemOf(graph, r);
  const ranked = order ? order.subarray(0, Math.min(k, order.length)) : await topKAsync(r.scores, k);
  const top = await answerRows(ranked.length, (i) => item(ranked[i], i + 1));
  return withTop(req, r, graph.n, top);
}

function itemOf(graph: CompiledGraph, r: CentralityResult) {
  const se = r.stderr;
  return (index: number, rank: number) =>
    se ? { id: graph.ids[index], score: r.scores[index], rank, stderr: se[index] } : { id: graph.ids[index], score: r.scores[index], rank };
}

function withTop<Top>(req: CentralityRequest, r: CentralityResult, customers: number, top: Top): Omit<CentralityAnswer, 'top'> & { top: Top } {
  return {
    metric: r.metric,
    customers,
    top,
    ...(r.iterations !== undefined ? { iterations: r.iterations } : {}),
    ...(r.converged !== undefined ? { converged: r.converged } : {}),
    ...(r.residual !== undefined ? { residual: r.residual, tolerance: r.tolerance, convergence: r.convergence } : {}),
    ...(r.sample ? { sample: { k: r.sample.k, seed: r.sample.seed } } : {}),
    ...(r.modularity !== undefined ? { modularity: r.modularity } : {}),
    ...(r.communities !== undefined ? { communities: r.communities } : {}),
    options: centralityOptions(req),
    ...(fromGds.has(r) ? { engine: 'gds' as const } : {}),
  };
}

/** Compute with the pool, through the engine (its own per-graph cache is off: this one is bounded). */
export function runCentrality(
  graph: CompiledGraph, req: CentralityRequest, o: { pool?: EnginePool; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<CentralityResult> {
  return computeCentrality(graph, req.metric, { ...centralityOptions(req), pool: o.pool, signal: o.signal, onProgress: o.onProgress, cache: false });
}

