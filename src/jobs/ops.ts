import { createHash } from 'node:crypto';
import type { EnginePool } from '../workers/pool.js';
import { simulate } from '../diffusion/simulate.js';
import type { CompiledGraph } from '../graph/compile.js';
import type { GraphData } from '../graph/model.js';
import type { CentralityRequest } from '../influence/schemas.js';
import { customerValue, rankValuesAnswer } from '../influence/value.js';
import { riskiestCustomers, runScenarioRequest, scenarioFacts } from '../scenarios/index.js';
import { centralityAnswer, computeWith } from '../services/centrality.js';
import type { CentralityEngines } from '../services/centrality-engines.js';
import { runInfluencers } from '../services/influencers.js';
import type { GraphSummary } from '../store/types.js';
import { InputError } from '../errors.js';
import type { JobContext } from './types.js';

/**
 * Engine work as data: an operation name and its parameters (JSON), run on a loaded graph. The API runs
 * an operation in its own process (synchronously or as an in-process job), a `ripple worker` runs the same
 * operation taken from Redis (src/distributed/worker.ts) — with the same function, on a pool whose pieces
 * run on other machines. Every engine function splits its work into pool tasks and merges their results
 * itself, so the merge is one code path in both cases.
 *
 * Parameters are the validated request bodies (defaults applied): a request hash over them (requestKey)
 * tells identical requests apart from different ones, so in-flight identical requests share one job.
 */

export interface OpGraph {
  summary: GraphSummary;
  graph: CompiledGraph;
  data: GraphData;
}

export interface OpEnv {
  pool?: EnginePool;
  signal: AbortSignal;
  progress: JobContext['progress'];
  /** Where centrality runs when a request asked for GDS. */
  centralityEngines?: CentralityEngines;
  /** Most bytes one RR collection of a request may hold while it grows (RIPPLE_MAX_REQUEST_MEMORY): past it, a 422. */
  maxRequestMemory?: number;
}

/** The RR-collection bound of an operation's environment, as the influencers engine takes it. */
const rrMemoryOf = (env: OpEnv) =>
  env.maxRequestMemory !== undefined ? { maxBytes: env.maxRequestMemory, name: 'RIPPLE_MAX_REQUEST_MEMORY', pathPrefix: 'body.' } : undefined;

/**
 * `prepared`: the parameters as the door already validated and resolved them (a ResolvedSimulation, a
 * PreparedScenario, a PreparedRiskiest), when the operation runs in the process that received the request; a Redis worker gets
 * only the JSON parameters and resolves them at its own door.
 */
type Op = (g: OpGraph, params: never, env: OpEnv, prepared?: unknown) => Promise<unknown>;

function runs(done: number, total: number) {
  return { runsDone: done, runs: total };
}

const OPS = {
  simulation: (g: OpGraph, body: unknown, env: OpEnv, prepared?: unknown) =>
    simulate(g.graph, (prepared ?? body) as never, { pool: env.pool, signal: env.signal, onProgress: (done, total) => env.progress(done / total, runs(done, total)) }),

  scenario: (g: OpGraph, body: unknown, env: OpEnv, prepared?: unknown) =>
    runScenarioRequest(g.graph, prepared ?? body, {
      pool: env.pool, signal: env.signal, ...scenarioFacts(g.data), onProgress: (done, total) => env.progress(done / total, runs(done, total)),
    }),

  'scenario-riskiest': (g: OpGraph, body: unknown, env: OpEnv, prepared?: unknown) =>
    riskiestCustomers(g.graph, prepared ?? body, {
      pool: env.pool, signal: env.signal, ...scenarioFacts(g.data), onProgress: (done, total) => env.progress(done / total, runs(done, total)),
    }),

  influencers: (g: OpGraph, body: unknown, env: OpEnv) =>
    runInfluencers(g.graph, body, { pool: env.pool, signal: env.signal, rrMemory: rrMemoryOf(env), progress: (share, info) => env.progress(share, info) }),

  // A long `top` is LazyRows: rows made as the answer is serialised (src/graph/top-k.ts), not held all at once.
  value: (g: OpGraph, request: unknown, env: OpEnv) =>
    rankValuesAnswer(g.graph, request, {
      pool: env.pool, signal: env.signal, onProgress: (done, total) => env.progress(done / total, { rrSetsDone: done, rrSets: total }),
    }),

  'customer-value': (g: OpGraph, p: { customerId: string; request: unknown }, env: OpEnv) =>
    customerValue(g.graph, p.customerId, p.request, {
      pool: env.pool, signal: env.signal, onProgress: (done, total) => env.progress(done / total, runs(done, total)),
    }),

  /** `engine` was chosen by the API before queueing (CENTRALITY_ENGINE): `gds` runs in Neo4j, else here. */
  centrality: async (g: OpGraph, p: { request: CentralityRequest; engine: 'local' | 'gds' }, env: OpEnv) => {
    const start = performance.now();
    const { summary, graph } = g;
    const r = await computeWith(env.centralityEngines, p.engine, summary, graph, p.request, {
      pool: env.pool, signal: env.signal, onProgress: (done, total) => env.progress(done / total, { sourcesDone: done, sources: total }),
    });
    return {
      graphId: summary.id, graphVersion: summary.version, version: summary.version, ...centralityAnswer(graph, p.request, r), cached: false,
      elapsedMs: Math.round((performance.now() - start) * 1000) / 1000,
    };
  },
} satisfies Record<string, Op>;

export type OpName = keyof typeof OPS;

export const OP_NAMES = Object.keys(OPS) as OpName[];

/** One operation with its parameters: what a job carries through Redis. */
export interface OpCall {
  name: OpName;
  params: unknown;
}

export function isOpName(s: unknown): s is OpName {
  return typeof s === 'string' && Object.hasOwn(OPS, s);
}

/** Run an operation (with its parameters `prepared` at the door, if any); object results are stamped with the graph id and version they ran on. */
export async function runOp(call: OpCall, g: OpGraph, env: OpEnv, prepared?: unknown): Promise<unknown> {
  if (!isOpName(call.name)) throw new InputError(`unknown operation ${JSON.stringify(call.name)}`);
  const r = await (OPS[call.name] as Op)(g, call.params as never, env, prepared);
  return r !== null && typeof r === 'object' && !Array.isArray(r) ? { ...r, graphId: g.summary.id, graphVersion: g.summary.version } : r;
}

/** JSON with object keys sorted, so equal requests written in any key order give the same text. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * The canonical request hash: same operation, parameters (defaults applied, any key order) and graph
 * version => same key. Jobs in flight with the same key are one job (both modes).
 */
export function requestKey(call: OpCall, graphId: string, graphVersion: number): string {
  return createHash('sha256').update(canonicalJson({ op: call.name, graphId, graphVersion, params: call.params })).digest('hex');
}
