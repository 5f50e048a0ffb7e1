import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { modelOf, type SimulationRequest } from '../diffusion/models/registry.js';
import { DEFAULT_RUNS } from '../diffusion/request.js';
import type { CompiledGraph } from '../graph/compile.js';
import { immConstants } from '../influence/imm.js';
import { QueueFullError, ShuttingDownError, type JobContext, type JobManager, type JobView } from '../jobs/index.js';

/**
 * The work budget of the engine routes: an a-priori estimate of the work of a request, in arcs examined,
 * decides whether it is answered synchronously or becomes a job (`202` + `Location: /jobs/:id`).
 * `RIPPLE_SYNC_BUDGET` (config.syncBudget) is the limit; `?async=true` forces a job. The estimates are upper
 * bounds in the spirit of "runs × arcs" (every arc examined once per run), not predictions:
 *
 * - simulation: runs (maxRuns in precision mode) × the model's `workPerRun` (its folder under
 *   src/diffusion/models/: arcs for IC-like models, SIR × 4 as an arc may be tried on several steps);
 * - all-sources centrality (betweenness, closeness, harmonic): sources × arcs (sources = n, or k sampled);
 *   iterative ones (pagerank, eigenvector, katz, hub, authority): maxIterations × arcs when given, else 200 × arcs (a
 *   fixed point takes 30–150 iterations on the public graphs; the default cap of 10,000 is not an estimate); louvain 20 × arcs; degree, kcore: arcs;
 * - influencers: IMM RR sets (λ* divided by k, as OPT ≥ k) × mean degree, CELF see below,
 *   plus the engine's re-estimate (runs × arcs);
 * - value: RR sets × mean degree (ranking); runs × arcs (one customer).
 */

export type Work = number;

/** Runs × the model's work per run (at least one unit per run). */
export function simulationWork(g: CompiledGraph, req: SimulationRequest): Work {
  const runs = req.precision !== undefined ? req.maxRuns : (req.runs ?? DEFAULT_RUNS);
  return runs * modelOf(req.model).workPerRun(g, req);
}

const ALL_SOURCES = new Set(['betweenness', 'closeness', 'harmonic']);
const ITERATIVE = new Set(['pagerank', 'eigenvector', 'katz', 'hub', 'authority']);

export function centralityWork(g: CompiledGraph, metric: string, opts: { k?: number; maxIterations?: number } = {}): Work {
  const m = Math.max(1, g.m);
  if (ALL_SOURCES.has(metric)) {
    const sources = metric === 'betweenness' && opts.k !== undefined ? Math.min(opts.k, g.n) : g.n;
    return Math.max(1, sources) * m;
  }
  if (ITERATIVE.has(metric)) return (opts.maxIterations ?? 200) * m;
  if (metric === 'louvain') return 20 * m;
  return m;
}

function meanDegree(g: CompiledGraph): number {
  return g.n > 0 ? Math.max(1, g.m / g.n) : 1;
}

export function influencersWork(
  g: CompiledGraph, req: { k: number; method: string; epsilon: number; ell: number; runs: number; celfRuns: number; gainSamples: number; compare?: boolean },
): Work {
  // Every method: the engine's re-estimate and the fresh evaluation collection of the gains.
  const spread = req.runs * Math.max(1, g.m) + req.gainSamples * meanDegree(g);
  const n = Math.max(2, g.n);
  const k = Math.max(1, Math.min(req.k, n - 1));
  switch (req.method) {
    case 'imm': {
      const { lambdaStar } = immConstants(n, k, req.epsilon, req.ell);
      // with compare: a second fresh collection and the heuristics' picks (PageRank: 200 iterations)
      const compare = req.compare === false ? 0 : req.gainSamples * meanDegree(g) + 200 * Math.max(1, g.m);
      return spread + (lambdaStar / k) * meanDegree(g) + compare;
    }
    case 'celf':
      // Live-edge worlds (celfRuns × arcs) plus lazy evaluations: roughly n + k·√n candidates, each a BFS per world.
      return spread + req.celfRuns * Math.max(1, g.m) + (n + k * Math.sqrt(n)) * req.celfRuns * meanDegree(g);
    default:
      return spread + Math.max(1, g.m) * (req.method === 'pagerank' ? 200 : 1);
  }
}

export function valueRankingWork(g: CompiledGraph, req: { rrSets: number }): Work {
  return req.rrSets * meanDegree(g);
}

export function customerValueWork(g: CompiledGraph, req: { runs: number }): Work {
  return req.runs * Math.max(1, g.m);
}

/** `?async=true|false|1|0`: force a job. */
export const asyncQuery = z
  .enum(['true', 'false', '1', '0'])
  .transform((s) => s === 'true' || s === '1')
  .optional()
  .describe('`true`: always answer 202 with a job, whatever the size of the work. Default: a job only above the work budget (RIPPLE_SYNC_BUDGET).');

/** What a job's progress means in the JobView `info`. */
export interface Sized {
  /** The job kind (`simulation`, `centrality`, `influencers`, `value`, `customer-value`). */
  kind: string;
  graphId: string;
  /** The graph version the work runs on: stamped on the result (`graphId`, `graphVersion`), so a job that
   * finishes after a replace says which version its numbers belong to. */
  graphVersion: number;
  work: Work;
  /** Checks to make before queueing a job (unknown seeds, bad weights): errors answer now, not inside the job. */
  validate?: () => void;
  /** Run the work; `signal` is aborted on cancel (job) or when the client leaves (synchronous request). */
  run: (ctx: JobContext) => Promise<unknown>;
}

export interface BudgetDeps {
  jobs: JobManager;
  budget: number;
}

/**
 * Answer within the budget synchronously (the result), else submit a job and answer `202 {job}` with a
 * Location header. A synchronous computation is aborted when the client goes away before the answer.
 */
export async function runOrSubmit(
  deps: BudgetDeps, req: FastifyRequest, reply: FastifyReply, forceAsync: boolean | undefined, spec: Sized,
): Promise<unknown> {
  const run = async (ctx: JobContext): Promise<unknown> => {
    const r = await spec.run(ctx);
    return r !== null && typeof r === 'object' && !Array.isArray(r) ? { ...r, graphId: spec.graphId, graphVersion: spec.graphVersion } : r;
  };
  if (forceAsync || spec.work > deps.budget) {
    spec.validate?.();
    let job: JobView;
    try {
      job = deps.jobs.submit({ kind: spec.kind, graphId: spec.graphId, run });
    } catch (e) {
      // Queue full or shutting down: 503 with a hint of when to come back.
      if (e instanceof QueueFullError || e instanceof ShuttingDownError) reply.header('retry-after', String(e.retryAfterSeconds));
      throw e;
    }
    reply.code(202).header('location', `/jobs/${job.id}`);
    return { job, work: spec.work, budget: deps.budget };
  }
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  try {
    return await run({ signal: controller.signal, progress: () => {} });
  } finally {
    reply.raw.off('close', onClose);
  }
}

/** The body of a 202: the job and why it became one. */
export interface Accepted {
  job: JobView;
  work: Work;
  budget: number;
}

/**
 * Validate `input` with an engine schema (the same one the CLI uses); zod issues become a 400 whose `errors`
 * carry field paths prefixed by `where` (`query.top`, `body.k`).
 */
export function validateWith<S extends z.ZodType>(schema: S, input: unknown, where: string, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const errors = r.error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: `${where}.${k}`, message: 'unknown parameter' }));
    return [{ path: [where, ...i.path.map(String)].join('.'), message: i.message }];
  });
  const detail = errors.length === 1 ? `${errors[0].path}: ${errors[0].message}` : `${errors.length} invalid fields: ${errors.map((e) => e.path).join(', ')}`;
  throw new InputError(`invalid ${what} request: ${detail}`, { errors });
}

/**
 * A query-string schema from a strict engine schema: numbers arrive as text and are coerced, enums and
 * booleans are kept; descriptions are the engine's. The coerced object is then validated by the engine
 * schema itself (validateWith), so ranges and defaults live in one place.
 */
export function querySchemaFrom(shape: Record<string, z.ZodType>, omit: readonly string[] = []): z.ZodObject<Record<string, z.ZodType>> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (omit.includes(key)) continue;
    const inner = unwrap(field);
    const description = field.description ?? inner.description;
    let q: z.ZodType;
    if (inner instanceof z.ZodNumber) q = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'must be a number').transform(Number);
    else if (inner instanceof z.ZodEnum) q = inner;
    else if (inner instanceof z.ZodBoolean) q = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');
    else q = z.string();
    out[key] = description ? q.optional().describe(description) : q.optional();
  }
  return z.object(out);
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur: z.ZodType = t;
  for (let i = 0; i < 8; i++) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable) cur = cur.unwrap() as z.ZodType;
    else break;
  }
  return cur;
}

/** Drop undefined entries (query strings give them for absent parameters). */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
