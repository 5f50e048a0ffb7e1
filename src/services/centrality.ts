import { CancelledError, InputError } from '../errors.js';
import type { CompiledGraph } from '../graph/compile.js';
import { centralityAnswer, centralityAnswerAsync, centralityOptions, markGds, runCentrality, type CentralityAnswer } from '../influence/centrality/answer.js';
import { CENTRALITY_METRICS, type CentralityResult } from '../influence/centrality/types.js';
import type { CentralityRequest } from '../influence/schemas.js';
import type { centralityResultSchema } from '../influence/result-schemas.js';
import type { AnswerOf } from '../diffusion/result-schema.js';
import type { EnginePool } from '../workers/pool.js';
import type { CentralityEngines } from './centrality-engines.js';
import { type LazyRows, topK, topKAsync } from '../graph/top-k.js';

/**
 * The centrality service that the route (`GET /graphs/:id/centrality/:metric`) and the CLI (`ripple centrality`)
 * share: the bounded result cache keyed by (graph id, version, metric, options), the computation with the chosen
 * engine (local on the pool, or Neo4j GDS: ./centrality-engines.ts), and the answer's shape (the engine's
 * influence/centrality/answer.ts, which `ripple worker` also builds answers with).
 */

export { centralityAnswer, centralityOptions, markGds, runCentrality, type CentralityAnswer };

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
  /** The ranking being computed in slices (rankedAsync), when one is. */
  ranking?: Promise<void>;
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

  /** peekRanked, with the ranking (first use) computed in slices that yield to the event loop. */
  async peekRankedAsync(key: string): Promise<{ result: CentralityResult; order: Int32Array } | undefined> {
    const e = this.entries.get(key);
    if (!e?.result) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    const result = e.result;
    return { result, order: (await this.rankAsync(e, result.scores)).order };
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

  /** Scores of one customer in every finished result for this graph version (rankings made in slices on first use). */
  async scoresOf(graphId: string, version: number, index: number): Promise<{ metric: string; score: number; rank: number; options?: Record<string, unknown> }[]> {
    const out: { metric: string; score: number; rank: number; options?: Record<string, unknown> }[] = [];
    for (const e of [...this.entries.values()]) {
      if (e.graphId !== graphId || e.version !== version || !e.result || index >= e.result.scores.length) continue;
      const { rank } = await this.rankAsync(e, e.result.scores);
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

  /** rank(), in slices that yield to the event loop; one ranking per entry however many callers wait for it. */
  private async rankAsync(e: Entry, scores: Float64Array): Promise<{ order: Int32Array; rank: Int32Array }> {
    if (!e.order || !e.rank) {
      e.ranking ??= topKAsync(scores, scores.length).then((order) => {
        e.order = order;
        e.rank = ranksOf(order);
      });
      await e.ranking;
    }
    return { order: e.order!, rank: e.rank! };
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
  return topK(scores, scores.length);
}

/** rank[i] = 1-based rank of customer i in `order`. */
function ranksOf(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r + 1;
  return rank;
}

/** Compute one metric with the chosen engine: GDS in the database (marked, so the answer says so) or locally. */
export async function computeWith(
  engines: CentralityEngines | undefined, engine: 'local' | 'gds', ref: { id: string; version: number }, graph: CompiledGraph, request: CentralityRequest,
  o: { pool?: EnginePool; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<CentralityResult> {
  if (engine === 'local') return runCentrality(graph, request, o);
  if (!engines) throw new InputError('centrality: GDS was asked for but this process has no Neo4j store');
  return markGds(await engines.gds(ref.id, ref.version, request.metric, request));
}

export interface CentralityServiceDeps {
  cache: CentralityCache;
  engines: CentralityEngines;
  pool?: EnginePool;
}

/** A graph as the service sees it: its id and version (the cache key) and the compiled graph. */
export interface CentralityTarget {
  summary: { id: string; version: number };
  graph: CompiledGraph;
}

/**
 * The answer of the route (the CentralityResult schema's type): the engine's shape plus where it came from; a long
 * `top` is LazyRows (made row by row as it is serialised: src/graph/top-k.ts).
 */
type RouteAnswer = AnswerOf<typeof centralityResultSchema>;
export type CentralityServiceAnswer = Omit<RouteAnswer, 'top'> & { top: RouteAnswer['top'] | LazyRows<RouteAnswer['top'][number]> };

/**
 * The service the route calls: `cached` answers from the cache in O(k); `engine` picks local or GDS before any job
 * is queued (gds without GDS is an immediate 503); `compute` runs (or joins) the computation and keeps the result.
 */
export function createCentralityService(deps: CentralityServiceDeps) {
  const keyOf = (t: CentralityTarget, request: CentralityRequest) => CentralityCache.key(t.summary.id, t.summary.version, request.metric, centralityOptions(request));
  // Built in slices that yield to the event loop: `top=all` lists every customer.
  const answer = async (t: CentralityTarget, request: CentralityRequest, r: CentralityResult, cached: boolean, t0: number, order?: Int32Array): Promise<CentralityServiceAnswer> => ({
    graphId: t.summary.id, graphVersion: t.summary.version, version: t.summary.version, ...(await centralityAnswerAsync(t.graph, request, r, order)), cached,
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
  });
  return {
    /** Whether the result is cached (a forced job then has no work). */
    has(t: CentralityTarget, request: CentralityRequest): boolean {
      return deps.cache.peek(keyOf(t, request)) !== undefined;
    },
    async cached(t: CentralityTarget, request: CentralityRequest): Promise<CentralityServiceAnswer | undefined> {
      const t0 = performance.now();
      const hit = await deps.cache.peekRankedAsync(keyOf(t, request));
      return hit ? answer(t, request, hit.result, true, t0, hit.order) : undefined;
    },
    engine(t: CentralityTarget, request: CentralityRequest): Promise<'local' | 'gds'> {
      return deps.engines.choose(request.metric, request, { customers: t.graph.n, arcs: t.graph.m });
    },
    async compute(
      t: CentralityTarget, request: CentralityRequest, engine: 'local' | 'gds', o: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
    ): Promise<CentralityServiceAnswer> {
      const start = performance.now();
      const wasCached = deps.cache.peek(keyOf(t, request)) !== undefined;
      const r = await deps.cache.get(t.summary.id, t.summary.version, request.metric, centralityOptions(request), () =>
        computeWith(deps.engines, engine, t.summary, t.graph, request, { pool: deps.pool, signal: o.signal, onProgress: o.onProgress }));
      return answer(t, request, r, wasCached, start);
    },
  };
}

export type CentralityService = ReturnType<typeof createCentralityService>;
