import { parseOrThrow } from '../../validate.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CancelledError } from '../../errors.js';
import type { CentralityResult } from '../../influence/centrality/index.js';
import { centralityAnswer, centralityOptions, markGds, runCentrality } from '../../influence/centrality/answer.js';
import { CENTRALITY_METRICS } from '../../influence/centrality/types.js';
import { CONVERGENCE_MODES } from '../../influence/centrality/convergence.js';
import { centralityRequestSchema } from '../../influence/schemas.js';
import type { RouteContext } from '../app.js';
import { asyncQuery, budgetDeps, centralityWork, defined, runOrSubmit } from '../budget.js';
import { errorResponses, graphIdSchema, graphRefShape } from '../schemas.js';
import { acceptedSchema } from '../job-schemas.js';

/**
 * `GET /graphs/:id/centrality/:metric?top=`: one metric for every customer, the top ones listed. Results are
 * kept in a CentralityCache keyed by (graph id, version, metric, options): a second read is a lookup, and
 * `GET /graphs/:id/customers/:customerId` shows the cached scores of that customer. With CENTRALITY_ENGINE=gds (or auto
 * on a big graph) and the Neo4j store, the metrics GDS covers are computed in the database (ctx.centralityEngines);
 * the answer is the same shape plus `engine: "gds"`, cached the same way.
 */

interface Entry {
  graphId: string;
  version: number;
  metric: string;
  options: Record<string, unknown>;
  promise: Promise<CentralityResult>;
  result?: CentralityResult;
  /** Customer indices by rank, highest score first, ties by index (computed on first use, then top-k is O(k)). */
  order?: Int32Array;
  /** rank[i] = 1-based rank of customer i (computed on first use). */
  rank?: Int32Array;
  bytes: number;
}

/** Default memory bound of cached score arrays. */
export const DEFAULT_CENTRALITY_CACHE_BYTES = 128 * 1024 * 1024;

/** Centrality results by (graph, version, metric, options), least recently used evicted first past `maxBytes`. */
export class CentralityCache {
  readonly maxBytes: number;
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  /** Computations started (for tests). */
  computed = 0;

  constructor(opts: { maxBytes?: number } = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_CENTRALITY_CACHE_BYTES;
  }

  static key(graphId: string, version: number, metric: string, options: Record<string, unknown>): string {
    return JSON.stringify([graphId, version, metric, options]);
  }

  /** A finished result, if cached. */
  peek(key: string): CentralityResult | undefined {
    const e = this.entries.get(key);
    if (!e?.result) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.result;
  }

  /** A finished result with its ranking (customer indices, best first), if cached: answers top-k in O(k). */
  peekRanked(key: string): { result: CentralityResult; order: Int32Array } | undefined {
    const e = this.entries.get(key);
    if (!e?.result) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return { result: e.result, order: this.rank(e, e.result.scores).order };
  }

  /**
   * The cached (or in-flight) result, else `compute()` it and keep it. A failed computation is not kept.
   * Joining another caller's computation that gets cancelled (its job was deleted, its client left) does not
   * fail this caller: it computes again with its own `compute` (and so its own signal).
   */
  get(graphId: string, version: number, metric: string, options: Record<string, unknown>, compute: () => Promise<CentralityResult>): Promise<CentralityResult> {
    const key = CentralityCache.key(graphId, version, metric, options);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      if (hit.result) return hit.promise;
      // The entry's own rejection handler (registered first) has dropped it by the time this one runs.
      return hit.promise.catch((e: unknown) => {
        if (isCancellation(e)) return this.get(graphId, version, metric, options, compute);
        throw e;
      });
    }
    this.computed++;
    const entry: Entry = { graphId, version, metric, options, promise: compute(), bytes: 0 };
    this.entries.set(key, entry);
    entry.promise.then(
      (r) => {
        if (this.entries.get(key) !== entry) return;
        entry.result = r;
        entry.bytes = r.scores.byteLength * 2 + 256; // scores + order and rank (4 bytes each per customer)
        this.total += entry.bytes;
        this.evict(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  /** Scores of one customer in every finished result for this graph version. */
  scoresOf(graphId: string, version: number, index: number): { metric: string; score: number; rank: number; options?: Record<string, unknown> }[] {
    const out: { metric: string; score: number; rank: number; options?: Record<string, unknown> }[] = [];
    for (const e of this.entries.values()) {
      if (e.graphId !== graphId || e.version !== version || !e.result || index >= e.result.scores.length) continue;
      const { rank } = this.rank(e, e.result.scores);
      out.push({ metric: e.metric, score: e.result.scores[index], rank: rank[index], ...(Object.keys(e.options).length ? { options: e.options } : {}) });
    }
    return out.sort((a, b) => CENTRALITY_METRICS.indexOf(a.metric as never) - CENTRALITY_METRICS.indexOf(b.metric as never));
  }

  /** Sort once per result: order (best first) and rank (1-based, per customer). */
  private rank(e: Entry, scores: Float64Array): { order: Int32Array; rank: Int32Array } {
    if (!e.order || !e.rank) {
      e.order = rankOrder(scores);
      e.rank = ranksOf(e.order);
    }
    return { order: e.order, rank: e.rank };
  }

  /** Forget every version of a graph (deleted). */
  invalidate(graphId: string): void {
    for (const [k, e] of this.entries) if (e.graphId === graphId) this.drop(k, e);
  }

  get bytes(): number {
    return this.total;
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.total -= e.bytes;
  }

  private evict(keep: string): void {
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      if (k !== keep && e.result) this.drop(k, e);
    }
  }
}

function isCancellation(e: unknown): boolean {
  return e instanceof CancelledError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError');
}

/** Customer indices, highest score first, ties by index (the order of topScores). */
export function rankOrder(scores: Float64Array): Int32Array {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order;
}

/** rank[i] = 1-based rank of customer i in `order`. */
function ranksOf(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r + 1;
  return rank;
}

// The answer's shape and the engine call live in the engine (the API and `ripple worker` both build answers).
export { centralityAnswer, centralityOptions, markGds, runCentrality, type CentralityAnswer } from '../../influence/centrality/answer.js';

const shape = centralityRequestSchema.shape;
const bool = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');
const int = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

const querySchema = z.object({
  top: z.union([z.literal('all'), int]).optional().describe(shape.top.description ?? ''),
  weighted: bool.optional().describe(shape.weighted.description ?? ''),
  normalized: bool.optional().describe(shape.normalized.description ?? ''),
  k: int.optional().describe(shape.k.description ?? ''),
  seed: int.optional().describe(shape.seed.description ?? ''),
  alpha: z.string().regex(/^\d*\.?\d+$/, 'must be a number').transform(Number).optional().describe(shape.alpha.description ?? ''),
  convergence: shape.convergence,
  tolerance: z.string().regex(/^(\d*\.?\d+)([eE][-+]?\d+)?$/, 'must be a number').transform(Number).optional().describe(shape.tolerance.description ?? ''),
  maxIterations: int.optional().describe(shape.maxIterations.description ?? ''),
  async: asyncQuery,
});

const answerSchema = z
  .object({
    ...graphRefShape,
    version: z.number().int().describe('Same as graphVersion (kept for compatibility).'),
    metric: z.enum(CENTRALITY_METRICS),
    customers: z.number().int(),
    top: z.array(z.object({
      id: z.string(), score: z.number(), rank: z.number().int(),
      stderr: z.number().optional().describe('Sampled betweenness: standard error of the score from the sampled sources (finite-population corrected).'),
    })),
    iterations: z.number().int().optional().describe('Power iterations run (pagerank, eigenvector, katz, hub, authority).'),
    converged: z.boolean().optional().describe('False when an iterative method stopped at maxIterations (or stalled at the rounding floor) before its tolerance.'),
    residual: z.number().optional().describe('The last change of the scores in the stop rule\'s terms: relative L1 change (fixed-point), L1 change (networkx).'),
    tolerance: z.number().optional().describe('The tolerance the iteration stopped at (the rule\'s default unless given).'),
    convergence: z.enum(CONVERGENCE_MODES).optional().describe('The stop rule used: fixed-point (default) or networkx.'),
    sample: z.object({ k: z.number().int(), seed: z.number().int() }).optional().describe('Sampled betweenness: sources used and their seed (each top customer then has a `stderr`).'),
    modularity: z.number().optional(),
    communities: z.number().int().optional().describe('Louvain: scores are community indices.'),
    options: z.record(z.string(), z.unknown()).describe('The options that shaped the scores (unset = defaults).'),
    engine: z.literal('gds').optional().describe('Present when the scores were computed in Neo4j with GDS (CENTRALITY_ENGINE=gds|auto).'),
    cached: z.boolean().describe('True when the scores came from the cache.'),
    elapsedMs: z.number(),
  })
  .describe('Top customers by a centrality metric.')
  .meta({
    examples: [{
      graphId: 'g_0123456789abcdef', graphVersion: 1, version: 1, metric: 'pagerank', customers: 3000, iterations: 131, converged: true,
      residual: 8.7e-15, tolerance: 1e-14, convergence: 'fixed-point', options: {},
      top: [{ id: 'c42', score: 0.0061, rank: 1 }, { id: 'c7', score: 0.0058, rank: 2 }], cached: false, elapsedMs: 3.2,
    }],
  });

const centralityRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/graphs/:id/centrality/:metric', {
    schema: {
      operationId: 'getCentrality',
      tags: ['influence'],
      summary: 'Top customers by a centrality metric (networkx definitions)',
      description:
        `Metrics: ${CENTRALITY_METRICS.join(', ')}. Results are cached per graph version and options. ` +
        'All-sources metrics (betweenness, closeness, harmonic: n × arcs) above the work budget, or `?async=true`, answer 202 with a job. ' +
        'With CENTRALITY_ENGINE=gds (or auto above 2M customers + arcs) on the Neo4j store, the metrics GDS covers run in the database ' +
        '(`engine: "gds"`); gds without the plugin, or on the file store, answers 503.',
      params: z.object({ id: graphIdSchema, metric: shape.metric }),
      querystring: querySchema,
      response: { 200: answerSchema, 202: acceptedSchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const { async: forceAsync, ...q } = req.query;
    const request = parseOrThrow(centralityRequestSchema, { metric: req.params.metric, ...defined(q) }, 'query');
    const entry = await ctx.cache.get(req.params.id);
    const { summary, graph } = entry;
    const options = centralityOptions(request);
    const key = CentralityCache.key(summary.id, summary.version, request.metric, options);
    const answer = async (r: CentralityResult, cached: boolean, t0: number, order?: Int32Array) => ({
      graphId: summary.id, graphVersion: summary.version, version: summary.version, ...centralityAnswer(graph, request, r, order), cached,
      elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
    });
    const t0 = performance.now();
    const hit = ctx.centrality.peekRanked(key);
    if (hit && !forceAsync) return answer(hit.result, true, t0, hit.order) as never;
    // Before any job is queued: CENTRALITY_ENGINE=gds without GDS is an immediate 503, not a failed job.
    const engine = await ctx.centralityEngines.choose(request.metric, request, { customers: graph.n, arcs: graph.m });
    return runOrSubmit(budgetDeps(ctx), req, reply, forceAsync, {
      kind: 'centrality',
      graphId: summary.id,
      graphVersion: summary.version,
      work: hit ? 0 : centralityWork(graph, request.metric, request),
      graph: entry,
      // What a Redis worker runs (without this process's result cache); here, `run` below.
      op: { name: 'centrality', params: { request, engine } },
      run: async ({ signal, progress }) => {
        const start = performance.now();
        const wasCached = ctx.centrality.peek(key) !== undefined;
        const r = await ctx.centrality.get(summary.id, summary.version, request.metric, options, async () =>
          engine === 'gds'
            ? markGds(await ctx.centralityEngines.gds(summary.id, summary.version, request.metric, request))
            : runCentrality(graph, request, { pool: ctx.pool, signal, onProgress: (done, total) => progress(done / total, { sourcesDone: done, sources: total }) }));
        return answer(r, wasCached, start);
      },
    }) as never;
  });
};

export default centralityRoutes;
