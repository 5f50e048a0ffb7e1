import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { modelOf, type SimulationRequest } from '../diffusion/models/registry.js';
import { DEFAULT_RUNS } from '../diffusion/request.js';
import type { CompiledGraph } from '../graph/compile.js';
import { PILOT_DEFAULTS, pilotSimulation, type PilotLimits } from '../diffusion/pilot.js';
import { resolveSimulation, type ResolvedSimulation } from '../diffusion/simulate.js';
import { spreadRequest } from '../influence/influencers.js';
import { IMM_DEFAULTS, immConstants, SALT_IMM_SAMPLING } from '../influence/imm.js';
import { coverage, maxCoverage, pilotSets, RRCollection, rrSpec } from '../influence/rr.js';
import { BETWEENNESS_DEFAULTS, sampleSources } from '../influence/centrality/betweenness.js';
import { pilotSources, SOURCES_PILOT_DEFAULTS } from '../influence/centrality/pilot.js';
import { schemeOf, type InfluencersRequest } from '../influence/schemas.js';
import { SALT_VALUE } from '../influence/value.js';
import type { ActivityReading, ProbabilityScheme } from '../diffusion/request.js';
import { AppError, UnprocessableError } from '../errors.js';
import type { EnginePool } from '../workers/pool.js';
import { isTerminal, type JobContext, type JobView } from '../jobs/index.js';
import { requestKey, runOp, type OpCall, type OpGraph } from '../jobs/ops.js';
import { retryAfterFor, type JobService } from '../jobs/service.js';
import type { CentralityEngines } from '../services/centrality-engines.js';

/**
 * The work budget of the engine routes: the work of a request, in arcs examined, decides whether it is answered
 * synchronously or becomes a job (`202` + `Location: /jobs/:id`). `RIPPLE_SYNC_BUDGET` (config.syncBudget) is the
 * limit; `?async=true` forces a job, `?async=false` forbids one (over the budget: 422 naming what to lower).
 *
 * Where a static estimate is weak the work is MEASURED: a simulation or one customer's value whose estimate is over
 * the budget (an upper bound: SIR with a small gamma and a huge maxSteps costs what its runs last, often far less),
 * every value ranking (an RR set costs the in-arcs of its members, not the mean degree: the estimate can be far
 * too low), every scenario and compare (each variant piloted, the pilot's time shared: cascades that die out cost
 * far less than runs × arcs), riskiest with given candidates (8 of them piloted), and every influencers request (the
 * RR-set pilot of its memory check priced per set, × the sets its method draws, plus a pilot of the spread
 * re-estimate: measuredInfluencersWork). The pilot runs the request's own first runs or RR sets in this thread,
 * capped at 32 runs / 1024 sets, 1,000,000 arcs and 25 ms (src/diffusion/pilot.ts, pilotSets in
 * src/influence/rr/sampling.ts), extrapolated to the whole request. The pilot draws from the request's own per-run
 * streams, which the real run draws again: answers are bit-identical with or without it. A pilot whose first run
 * outlasts its time cap falls back to the static estimate below when that is larger.
 *
 * The static estimates, for every other route (and as the fallback), are upper bounds in the spirit of
 * "runs × arcs" (every arc examined once per run), not predictions:
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

/**
 * An all-sources centrality's work from a pilot of its searches (src/influence/centrality/pilot.ts): each source costs
 * what its search reaches (× the metric's passes), not every arc, × the sources it runs (n, or betweenness' sample of k).
 * Other metrics keep the static estimate (their passes over the arcs: an upper bound of what they cost).
 */
export function measuredCentralityWork(g: CompiledGraph, req: { metric: string; k?: number; seed?: number; weighted?: boolean }): Measured {
  const fallback = centralityWork(g, req.metric, req);
  if (!ALL_SOURCES.has(req.metric) || g.n === 0) return { work: fallback, basis: 'the metric\'s passes over the arcs', lower: () => [] };
  const sampled = req.metric === 'betweenness' && req.k !== undefined && req.k < g.n;
  const sources = sampled ? req.k! : g.n;
  const p = pilotSources(g, {
    direction: req.metric === 'betweenness' ? 'out' : 'in',
    passes: req.metric === 'betweenness' ? 2 : 1,
    weighted: req.weighted === true && g.arcWeight !== null,
    // Betweenness' own sample when it has one (its first sources), else a seeded draw.
    ...(sampled ? { sources: sampleSources(g.n, Math.min(req.k!, SOURCES_PILOT_DEFAULTS.maxSources), req.seed ?? BETWEENNESS_DEFAULTS.seed) } : {}),
    seed: req.seed,
  });
  // Unweighted closeness and harmonic run 32 searches at once (a bit-parallel BFS): every level of the deepest of them
  // sweeps all customers twice, plus two clears per batch — 2n(depth + 2)/32 per source on top of what it reaches.
  const bitset = req.metric !== 'betweenness' && !(req.weighted === true && g.arcWeight !== null);
  const sweeps = bitset ? (2 * g.n * (p.maxDepth + 2)) / 32 : 0;
  const perSource = p.work / Math.max(1, p.sources) + sweeps;
  const work = Math.max(1, perSource * sources);
  return {
    work,
    basis: `${p.sources} pilot searches reaching about ${round(p.reached / Math.max(1, p.sources))} customers and costing ${round(perSource)} arcs each, × ${sources} sources`,
    lower(budget) {
      if (req.metric !== 'betweenness') return [];
      const fit = Math.floor(budget / Math.max(1, perSource));
      return [{ path: 'query.k', advice: fit >= 1 && fit < sources ? `at most ${fit} for this request on this graph (a sampled approximation)` : 'sample fewer sources' }];
    },
  };
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

/** Work measured by a pilot, extrapolated to the whole request, with what to lower when it is over a budget. */
export interface Measured {
  work: Work;
  /** What the pilot measured, for the 422 of `?async=false`: "32 pilot runs of about 1200 arcs each". */
  basis: string;
  /** The fields to lower to fit `budget`, with the largest value that fits where one does. */
  lower(budget: number): { path: string; advice: string }[];
}

const PILOT_SETS = { maxSets: 1024, maxWork: 1_000_000, maxMs: 25 };
/** The influencers' second pilot (the spread re-estimate), after the RR one: shorter, so the door stays brief. */
const SPREAD_PILOT = { maxRuns: 16, maxMs: 10 };

const round = (x: number) => (x >= 100 ? Math.round(x) : Math.round(x * 10) / 10);

/**
 * A simulation's work from a pilot of its first runs (arcs examined + steps per run, × the runs planned). When the
 * pilot's time cap cut its first run, nothing was measured: the larger of that and `fallback` (the model's cost
 * function) counts.
 */
export function measuredSimulationWork(g: CompiledGraph, req: ResolvedSimulation, fallback: Work, field?: string, limits?: PilotLimits): Measured {
  const p = pilotSimulation(g, req, limits);
  // A run cut by the time cap counts with the work its time was worth (a lower bound: it was not finished).
  const perRun = p.runs > 0 ? (p.work + p.cutWork) / (p.runs + (p.cut ? 1 : 0)) : 0;
  const extrapolated = perRun * p.planned;
  const work = p.runs === 0 ? Math.max(extrapolated, fallback) : extrapolated;
  const runsField = field ?? (req.request.precision !== undefined ? 'body.maxRuns' : 'body.runs');
  return {
    work,
    basis: p.runs > 0
      ? `${p.runs} pilot run${p.runs === 1 ? '' : 's'}${p.cut ? ' and part of one more' : ''}, about ${round(perRun)} arcs and steps each`
      : 'a pilot run longer than the pilot could time; the model\'s cost function',
    lower(budget) {
      const perRunNow = work / Math.max(1, p.planned);
      const fit = Math.floor(budget / Math.max(1, perRunNow));
      const out: { path: string; advice: string }[] = [];
      if (fit >= 1 && fit < p.planned) out.push({ path: runsField, advice: `at most ${fit} for this request on this graph` });
      if ('maxSteps' in req.request && field === undefined) out.push({ path: 'body.maxSteps', advice: 'lower it: runs that last fewer steps cost less' });
      if (out.length === 0) out.push({ path: runsField, advice: 'lower it' });
      return out;
    },
  };
}

/** A value ranking's work from a pilot of its value-weighted RR sets (in-arcs of the members, plus the members, per set). */
export function measuredValueRankingWork(
  g: CompiledGraph, req: { model: 'ic' | 'lt'; probability: ProbabilityScheme; p: number; rrSets: number; seed: number; activity?: ActivityReading },
): Measured {
  if (g.n === 0 || !(g.totalValue > 0)) return { work: 0, basis: 'no customer value to sample', lower: () => [] };
  const spec = rrSpec(g, { model: req.model, probability: req.probability, p: req.p, valueWeighted: true, activity: req.activity });
  const p = pilotSets(g, spec, req.seed, SALT_VALUE, PILOT_SETS);
  const perSet = (p.arcs + p.members) / Math.max(1, p.sets);
  return {
    work: perSet * req.rrSets,
    basis: `${p.sets} pilot RR sets of about ${round(p.members / Math.max(1, p.sets))} customers and ${round(perSet)} arcs each`,
    lower(budget) {
      const fit = Math.floor(budget / Math.max(1, perSet));
      return [
        fit >= 1000 ? { path: 'query.rrSets', advice: `at most ${fit} for this request on this graph` } : { path: 'query.rrSets', advice: 'lower it' },
        { path: 'query.p', advice: 'lower it: RR sets shrink with p' },
      ];
    },
  };
}

/**
 * An influencers request's work from the pilot of its RR sets (the memory check's: influencersRRMemory), not from
 * the mean degree: each RR set costs what the pilot's sets cost (in-arcs examined + members), × the sets the method
 * draws (IMM: the sampling phase, the final θ and the comparison's collection, from the pilot's LB; every method: the
 * gains' `gainSamples`); CELF's lazy evaluations cost a forward search each (the pilot's mean set size × (1 + mean
 * out-degree)), on `celfRuns` live-edge worlds of every arc; the heuristics their passes over the arcs. The engine's
 * re-estimate of the spread is a pilot of its own: the first runs from the seeds the greedy picks on half the pilot
 * sets (a stand-in for the seeds the method will pick), extrapolated to `runs`.
 */
export function measuredInfluencersWork(g: CompiledGraph, req: InfluencersRequest, est: InfluencersPilot): Measured {
  if (g.n < 2 || est.pilotSets === 0) {
    const work = influencersWork(g, req);
    return { work, basis: 'too few customers for a pilot', lower: () => [{ path: 'body.runs', advice: 'lower it' }] };
  }
  const perSet = (est.pilotArcs + est.kept.size) / est.pilotSets;
  const n = g.n;
  const k = Math.max(1, Math.min(req.k, n - 1));
  const m = Math.max(1, g.m);
  let rrSets = req.gainSamples;
  let select = 0;
  let compare = 0;
  switch (req.method) {
    case 'imm':
      rrSets += (est.imm?.sampling ?? 0) + (est.imm?.theta ?? 0) + (est.imm?.compare ?? 0);
      if (req.compare !== false) compare = 200 * m + m; // the heuristics' picks: PageRank (200 iterations), degree discount
      break;
    case 'celf':
      select = req.celfRuns * m + (n + k * Math.sqrt(n)) * req.celfRuns * est.meanSize * (1 + m / n);
      break;
    default:
      select = m * (req.method === 'pagerank' ? 200 : 1);
  }
  // The spread re-estimate, piloted from the pilot's greedy seeds.
  const ids = Array.from(est.chosen.length > 0 ? est.chosen : Int32Array.of(0), (v) => g.ids[v]);
  const spread = measuredSimulationWork(
    g, resolveSimulation(g, spreadRequest(req.model, { seeds: ids, runs: req.runs, seed: req.seed, probability: schemeOf(req), p: req.p, activity: req.activity })),
    req.runs * m, 'body.runs', SPREAD_PILOT,
  );
  const work = rrSets * perSet + select + compare + spread.work;
  return {
    work,
    basis: `${est.pilotSets} pilot RR sets of about ${round(est.meanSize)} customers and ${round(perSet)} arcs each, × ${Math.round(rrSets)} sets; ` +
      `the spread re-estimate from ${spread.basis}`,
    lower(budget) {
      const out: { path: string; advice: string }[] = [];
      if (req.method === 'imm') out.push({ path: 'body.epsilon', advice: 'raise it: IMM needs RR sets in proportion to 1/epsilon²' });
      if (req.method === 'celf') out.push({ path: 'body.celfRuns', advice: 'lower it, or use method imm' });
      const others = work - spread.work;
      const perRun = spread.work / Math.max(1, req.runs);
      const fit = Math.floor((budget - others) / Math.max(1, perRun));
      out.push({ path: 'body.runs', advice: fit >= 1 && fit < req.runs ? `at most ${fit} for this request on this graph` : 'lower it' });
      out.push({ path: 'body.gainSamples', advice: 'lower it' }, { path: 'body.p', advice: 'lower it: RR sets shrink with p' });
      return out;
    },
  };
}

/**
 * A scenario's work (single, or every variant of a compare) from a pilot of each variant's first runs — the voice
 * model's own arcs tried and steps, which the static runs × arcs × variants over-rates for cascades that die out
 * (and under-rates for a public answer, whose positive cascade tries the arcs again). The pilot's time and runs are
 * shared among the variants (at least 2 ms and 4 runs each), so the door pays at most about 25 ms in all.
 */
export function measuredScenarioWork(g: CompiledGraph, sims: readonly ResolvedSimulation[], fallbackPerVariant: Work, runsField: string): Measured {
  const count = Math.max(1, sims.length);
  const limits = { maxMs: Math.max(2, PILOT_DEFAULTS.maxMs / count), maxRuns: Math.max(4, Math.floor(PILOT_DEFAULTS.maxRuns / count)) };
  const each = sims.map((sim) => measuredSimulationWork(g, sim, fallbackPerVariant, runsField, limits));
  const work = each.reduce((a, b) => a + b.work, 0);
  const planned = Math.max(1, ...sims.map((sim) => sim.request.precision !== undefined ? sim.request.maxRuns : (sim.request.runs ?? DEFAULT_RUNS)));
  return {
    work,
    basis: count === 1 ? each[0].basis : `${count} variants, each from ${each[0].basis}`,
    lower(budget) {
      const fit = Math.floor(budget / Math.max(1, work / planned));
      const out = [{ path: runsField, advice: fit >= 1 && fit < planned ? `at most ${fit} for this request on this graph` : 'lower it' }];
      if (count > 1) out.push({ path: 'body.variants', advice: 'fewer variants' });
      return out;
    },
  };
}

/** One customer's value: its Monte Carlo runs, and with a baseline the RR sets of its incremental value. */
export function customerValueWork(g: CompiledGraph, req: { runs: number; rrSets?: number; baseline?: unknown; baselineShare?: unknown }): Work {
  const withBaseline = req.baseline !== undefined || req.baselineShare !== undefined;
  return req.runs * Math.max(1, g.m) + (withBaseline ? valueRankingWork(g, { rrSets: req.rrSets ?? 0 }) : 0);
}

/** Two measured parts of one request (one customer's runs and its RR sets): their work adds up, each says what to lower. */
export function bothMeasured(a: Measured, b: Measured): Measured {
  return {
    work: a.work + b.work,
    basis: `${a.basis}; ${b.basis}`,
    lower: (budget) => [...a.lower(Math.max(0, budget - b.work)), ...b.lower(Math.max(0, budget - a.work))],
  };
}

/** `?async=true|false|1|0`: force a job. */
export const asyncQuery = z
  .enum(['true', 'false', '1', '0'])
  .transform((s) => s === 'true' || s === '1')
  .optional()
  .describe(
    '`true`: always answer 202 with a job, whatever the size of the work. `false`: never a job — above the work budget ' +
      '(RIPPLE_SYNC_BUDGET) the answer is 422 naming what to lower. Default: a job only above the work budget.',
  );

/** One engine request, sized: answered now within the budget, else a job. */
export interface Sized {
  /** The job kind (`simulation`, `centrality`, `influencers`, `value`, `customer-value`, `scenario`, …). */
  kind: string;
  graphId: string;
  /** The graph version the work runs on: stamped on the result (`graphId`, `graphVersion`), so a job that
   * finishes after a replace says which version its numbers belong to. */
  graphVersion: number;
  work: Work;
  /**
   * The work measured by a pilot, in place of `work`: called once, unless the request is forced into a job anyway,
   * when `work` is over the budget (it is then an upper bound that may overrate the request) or always with
   * `measureAlways` (where `work` may underrate it). See measuredSimulationWork, measuredValueRankingWork.
   */
  measure?: () => Measured;
  measureAlways?: boolean;
  /** The loaded graph the operation runs on in this process. */
  graph: OpGraph;
  /** The work as data (src/jobs/ops.ts): what a job carries to a Redis worker, and the request hash. */
  op: OpCall;
  /** The operation's parameters validated and resolved once at the door (runOp uses them instead of `op.params`). */
  prepared?: unknown;
  /** Checks to make before queueing a job (unknown seeds, bad weights): errors answer now, not inside the job. */
  validate?: () => void;
  /** Run in this process instead of runOp(op) (centrality: through the route's result cache). */
  run?: (ctx: JobContext) => Promise<unknown>;
}

export interface BudgetDeps {
  jobs: JobService;
  budget: number;
  pool?: EnginePool;
  /** Longest `Prefer: wait=N` honoured, seconds (default 60). */
  maxWaitSeconds?: number;
  centralityEngines?: CentralityEngines;
  /** RIPPLE_MAX_REQUEST_MEMORY: the bound on one RR collection while it grows (influencers), checked as it grows. */
  maxRequestMemory?: number;
}

/** The budget dependencies of the engine routes, from the route context. */
export function budgetDeps(ctx: {
  jobs: JobService; pool?: EnginePool; centralityEngines?: CentralityEngines;
  config: { syncBudget: number; jobs?: { maxWaitSeconds: number }; memory?: { maxRequestMemory: number } };
}): BudgetDeps {
  return {
    jobs: ctx.jobs, budget: ctx.config.syncBudget, pool: ctx.pool, maxWaitSeconds: ctx.config.jobs?.maxWaitSeconds, centralityEngines: ctx.centralityEngines,
    maxRequestMemory: ctx.config.memory?.maxRequestMemory,
  };
}

/** RFC 7240 preferences of an engine request: `respond-async`, `wait=N` (seconds). */
export function parsePrefer(header: string | string[] | undefined): { respondAsync: boolean; wait?: number } {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const out: { respondAsync: boolean; wait?: number } = { respondAsync: false };
  for (const part of text.split(',')) {
    const [token, ...rest] = part.split(';')[0].split('=');
    const name = token.trim().toLowerCase();
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (name === 'respond-async') out.respondAsync = true;
    else if (name === 'wait' && /^\d{1,9}$/.test(value)) out.wait = Number(value);
  }
  return out;
}

/**
 * Answer within the budget synchronously (the result), else submit a job and answer `202 {job}` with
 * `Location` and `Retry-After`. An identical job in flight (same operation, parameters and graph version)
 * is joined instead of started again. `Prefer: wait=N` (RFC 7240) waits up to N seconds (capped) for the job
 * and answers 200 with its result when it is done by then; `Prefer: respond-async` forces a job like
 * `?async=true`. A synchronous computation is aborted when the client goes away before the answer.
 */
export async function runOrSubmit(
  deps: BudgetDeps, req: FastifyRequest, reply: FastifyReply, forceAsync: boolean | undefined, spec: Sized,
): Promise<unknown> {
  const local = async (ctx: JobContext): Promise<unknown> => {
    if (!spec.run) {
      const env = { pool: deps.pool, signal: ctx.signal, progress: ctx.progress, centralityEngines: deps.centralityEngines, maxRequestMemory: deps.maxRequestMemory };
      return runOp(spec.op, spec.graph, env, spec.prepared);
    }
    const r = await spec.run(ctx);
    return r !== null && typeof r === 'object' && !Array.isArray(r) ? { ...r, graphId: spec.graphId, graphVersion: spec.graphVersion } : r;
  };
  const prefer = parsePrefer(req.headers.prefer);
  const forced = forceAsync === true || prefer.respondAsync;
  const measured = !forced && spec.measure && (spec.measureAlways || spec.work > deps.budget) ? spec.measure() : undefined;
  const work = measured ? measured.work : spec.work;
  if (!forced && forceAsync === false && work > deps.budget) {
    const lower = measured?.lower(deps.budget) ?? [];
    const fields = lower.map((l) => l.path.replace(/^(body|query)\./, ''));
    throw new UnprocessableError(
      `this request would examine about ${Math.round(work)} arcs${measured ? ` (measured: ${measured.basis})` : ''}, above the work answered ` +
        `synchronously (RIPPLE_SYNC_BUDGET: ${deps.budget}), and async=false forbids a job: ${fields.length ? `lower ${fields.join(' or ')}, or ` : ''}drop async=false to get a job`,
      { errors: lower.map((l) => ({ path: l.path, message: l.advice })), work: Math.round(work), budget: deps.budget },
    );
  }
  if (forced || work > deps.budget) {
    spec.validate?.();
    const { job } = await deps.jobs.submit({
      kind: spec.kind, graphId: spec.graphId, graphVersion: spec.graphVersion, op: spec.op,
      key: requestKey(spec.op, spec.graphId, spec.graphVersion), run: local,
    });
    let view = job;
    const wait = prefer.wait === undefined ? 0 : Math.min(prefer.wait, deps.maxWaitSeconds ?? 60);
    if (prefer.wait !== undefined) reply.header('preference-applied', `wait=${wait}`);
    if (wait > 0 && !isTerminal(view.state)) view = await deps.jobs.waitFor(job.id, wait * 1000);
    if (wait > 0 && view.state === 'succeeded') {
      reply.header('content-location', `/jobs/${view.id}`);
      return view.result;
    }
    if (wait > 0 && (view.state === 'failed' || view.state === 'cancelled')) {
      const e = view.error ?? { status: 500, code: 'internal', detail: 'internal error' };
      reply.header('content-location', `/jobs/${view.id}`);
      throw new AppError(e.detail, { statusCode: view.state === 'cancelled' ? 409 : e.status, code: e.code, expose: true });
    }
    reply.code(202).header('location', `/jobs/${view.id}`).header('retry-after', String(retryAfterFor(view)));
    return { job: view, work: Math.round(work), budget: deps.budget };
  }
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  try {
    return await local({ signal: controller.signal, progress: () => {} });
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
 * A query-string schema from a strict engine schema: numbers arrive as text and are coerced, enums and
 * booleans are kept; descriptions are the engine's. The coerced object is then validated by the engine
 * schema itself (parseOrThrow), so ranges and defaults live in one place.
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
    // A list of strings: the parameter repeated (`baseline=a&baseline=b`), one value being a list of one.
    else if (inner instanceof z.ZodArray) q = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
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

/**
 * The memory budget of the engine routes: before a request runs, an upper bound on what it will hold — per-run
 * values (every run's reach, and for scenarios eight columns per run and variant), the step curves (the model's
 * declared curve bound × bytes per step, per variant), per-customer counters — and on the size of its JSON
 * answer. Over RIPPLE_MAX_REQUEST_MEMORY or RIPPLE_MAX_RESULT_BYTES the request is a 422 naming the field to
 * lower and by how much, before any work (and before a job would hold the result for its TTL).
 */
export interface MemoryLimits {
  maxRequestMemory: number;
  maxResultBytes: number;
}

export interface MemoryEstimate {
  /** Bytes held while computing. */
  memory: number;
  /** Bytes of the JSON answer. */
  result: number;
}

const MB = 1024 * 1024;
const fmt = (b: number) => `${(b / MB).toFixed(1)} MB`;

/** Bytes per run kept by a simulation (reach, Int32) and by a scenario (reach, negative, positive, peak step, negative and positive peak step: Int32; value, negative and positive value, impressions: Float64). */
const SIMULATION_RUN_BYTES = 4;
const SCENARIO_RUN_BYTES = 6 * 4 + 4 * 8;

/** Bins a result's histograms can have: `bins`, or its `histogram` spec's (edges − 1; fixed width W: reach is 0..n, so ⌈(n + 1)/W⌉ + 1). */
function histogramBins(g: CompiledGraph, req: SimulationRequest): number {
  const h = req.histogram;
  if (!h) return req.bins;
  if ('edges' in h) return h.edges.length - 1;
  if ('bins' in h) return h.bins;
  return Math.ceil((g.n + 1) / h.width) + 1;
}

/**
 * JSON bytes per run of `samples`: the reach (its digits, up to those of n, and a comma) and each of the model's per-run
 * columns (a float in shortest form: up to 24 characters).
 */
function sampleBytes(g: CompiledGraph, model: ReturnType<typeof modelOf>): number {
  return String(Math.max(1, g.n)).length + 1 + model.outputs.perRun.length * 25;
}

export function simulationMemory(g: CompiledGraph, req: SimulationRequest, workers = 1): MemoryEstimate & { curve: number; stepBytes: number } {
  const model = modelOf(req.model);
  const runs = req.precision !== undefined ? req.maxRuns : (req.runs ?? DEFAULT_RUNS);
  const curve = model.curveSteps(g, req);
  const stepBytes = model.stepBytes;
  const result = 4096 + curve * stepBytes + histogramBins(g, req) * 64 + (req.amplifiers ?? req.top) * 100 + (req.samples ? runs * sampleBytes(g, model) : 0);
  // Per-run values, per-step sums of every batch in flight (8 bytes per curve entry), per-customer activation counts;
  // with samples, the model's per-run columns (8 bytes each) and the JSON arrays built from them.
  const columns = req.samples ? model.outputs.perRun.length * 8 : 0;
  const memory = runs * (SIMULATION_RUN_BYTES + columns) + curve * (stepBytes / 8) * 8 * (workers + 1) + g.n * 4 * (workers + 1) + result;
  return { memory, result, curve, stepBytes };
}

export function scenarioMemory(g: CompiledGraph, req: { runs?: number; precision?: number; maxRuns?: number; maxSteps?: number; horizon?: number; variants?: unknown[] }, defaults: { runs: number; maxRuns: number; maxSteps: number }, workers = 1): MemoryEstimate & { curve: number; variants: number } {
  const runs = req.precision !== undefined ? (req.maxRuns ?? defaults.maxRuns) : (req.runs ?? defaults.runs);
  const variants = Math.max(1, req.variants?.length ?? 1);
  // `horizon`: the deprecated name of maxSteps.
  const curve = Math.min(req.maxSteps ?? req.horizon ?? defaults.maxSteps, g.n + 1) + 1;
  // Three curves per step; the two opinion curves carry two 95% intervals each.
  const perVariantResult = 8192 + curve * 5 * 80;
  const result = variants * perVariantResult + Math.max(0, variants - 1) * 2048;
  const memory = variants * (runs * SCENARIO_RUN_BYTES + curve * 3 * 8 * (workers + 1) + g.n * 4 * (workers + 1)) + result;
  return { memory, result, curve, variants };
}

/** 422 when an estimate is over a limit; `lower` names the fields to lower, in the order they help most. */
export function checkMemory(est: MemoryEstimate, limits: MemoryLimits, what: string, lower: { path: string; advice: string }[]): void {
  const over: string[] = [];
  if (est.result > limits.maxResultBytes) over.push(`its answer would be about ${fmt(est.result)} (RIPPLE_MAX_RESULT_BYTES is ${fmt(limits.maxResultBytes)})`);
  if (est.memory > limits.maxRequestMemory) over.push(`it would hold about ${fmt(est.memory)} while running (RIPPLE_MAX_REQUEST_MEMORY is ${fmt(limits.maxRequestMemory)})`);
  if (over.length === 0) return;
  throw new UnprocessableError(`${what} is too large: ${over.join(' and ')}; lower ${lower.map((l) => l.path.replace(/^body\./, '')).join(' or ')}`, {
    errors: lower.map((l) => ({ path: l.path, message: l.advice })),
    memory: Math.round(est.memory), result: Math.round(est.result),
  });
}

/** The largest value of `x` in [lo, hi] for which `fits(x)` holds (fits is monotone: true below, false above), or lo - 1. */
export function largestFitting(lo: number, hi: number, fits: (x: number) => boolean): number {
  if (!fits(lo)) return lo - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Simulation: the estimate and, when over, a 422 saying how far to lower maxSteps or runs. */
export function checkSimulationMemory(g: CompiledGraph, req: SimulationRequest, limits: MemoryLimits, workers = 1): MemoryEstimate {
  const est = simulationMemory(g, req, workers);
  if (est.result <= limits.maxResultBytes && est.memory <= limits.maxRequestMemory) return est;
  const ok = (r: SimulationRequest) => {
    const e = simulationMemory(g, r, workers);
    return e.result <= limits.maxResultBytes && e.memory <= limits.maxRequestMemory;
  };
  const lower: { path: string; advice: string }[] = [];
  const steps = largestFitting(0, req.maxSteps, (x) => ok({ ...req, maxSteps: x }));
  if (steps >= 0 && steps < req.maxSteps) lower.push({ path: 'body.maxSteps', advice: `at most ${steps} for this request on this graph` });
  const runs = req.precision !== undefined ? req.maxRuns : (req.runs ?? DEFAULT_RUNS);
  const field = req.precision !== undefined ? 'maxRuns' : 'runs';
  const fitRuns = largestFitting(1, runs, (x) => ok({ ...req, ...(req.precision !== undefined ? { maxRuns: x } : { runs: x }) }));
  if (fitRuns >= 1 && fitRuns < runs) lower.push({ path: `body.${field}`, advice: `at most ${fitRuns} for this request on this graph` });
  if (req.samples && !ok(req) && ok({ ...req, samples: undefined })) lower.push({ path: 'body.samples', advice: 'leave it out: the per-run values are what does not fit' });
  if (req.histogram && !ok(req) && ok({ ...req, histogram: undefined })) lower.push({ path: 'body.histogram', advice: 'fewer bins: a wider width or fewer edges' });
  if (lower.length === 0) lower.push({ path: 'body.maxSteps', advice: 'lower it' }, { path: `body.${field}`, advice: 'lower it' });
  checkMemory(est, limits, 'this simulation', lower);
  return est;
}

/**
 * RR sets held by `POST /graphs/:id/influencers`, estimated before any is sampled: IMM's collections (the sampling
 * phase's, then the final θ sets, then the comparison's max(gainSamples, θ) — one at a time) and the gains'
 * `gainSamples` sets (every method). θ = λ* / LB (immConstants); LB, IMM's lower bound on the best spread, is estimated
 * from a pilot of RR sets (the request's own first sampling sets): greedy seeds chosen on half of them, their
 * coverage counted on the other half (an unbiased spread of a real seed set, so at most the best one), floored by k
 * and by the mean RR set size (the mean spread of one customer). A lower LB only raises θ: the estimate errs on the
 * large side. Each set costs (size + 1) × 4 bytes, × 3 for a collection growing by doubling (old and new arrays
 * while it copies). Over RIPPLE_MAX_REQUEST_MEMORY: a 422 naming epsilon (θ ∝ 1/ε²), gainSamples or p.
 */
export interface RRMemoryEstimate {
  /** Sets in the largest collection held at once. */
  sets: number;
  /** Mean customers per RR set (pilot). */
  meanSize: number;
  bytes: number;
  pilotSets: number;
}

/** The pilot behind an RRMemoryEstimate, kept for the work estimate (measuredInfluencersWork): no second pilot. */
export interface InfluencersPilot extends RRMemoryEstimate {
  /** The pilot's RR sets (the request's own first sampling sets). */
  kept: RRCollection;
  /** In-arcs the pilot examined, over its sets. */
  pilotArcs: number;
  /** IMM's collections for the request's epsilon: the sampling phase's, the final θ, the comparison's (0 without compare). */
  imm?: { sampling: number; theta: number; compare: number };
  /** The greedy seeds of the pilot's even half: a stand-in for the seeds whose spread the engine re-estimates. */
  chosen: Int32Array;
}

const COLLECTION_GROWTH = 3;

export function influencersRRMemory(g: CompiledGraph, req: InfluencersRequest): InfluencersPilot {
  const kept = new RRCollection();
  if (g.n < 2) return { sets: 0, meanSize: 0, bytes: 0, pilotSets: 0, kept, pilotArcs: 0, chosen: new Int32Array(0) };
  const spec = rrSpec(g, { model: req.model, probability: schemeOf(req), p: req.p, activity: req.activity });
  const pilot = pilotSets(g, spec, req.seed, SALT_IMM_SAMPLING, { ...PILOT_SETS, keep: kept });
  const meanSize = pilot.members / Math.max(1, pilot.sets);
  // Every method draws the gains' collection; IMM also its own (CELF's live-edge worlds are bounded by checkCelfSize).
  let sets = req.gainSamples;
  const plan = immSets(g, req, kept, meanSize, req.epsilon);
  if (req.method === 'imm') sets = Math.max(sets, plan.largest);
  return {
    sets, meanSize, bytes: COLLECTION_GROWTH * sets * (meanSize + 1) * 4, pilotSets: pilot.sets, kept, pilotArcs: pilot.arcs,
    chosen: plan.chosen, ...(req.method === 'imm' ? { imm: { sampling: plan.sampling, theta: plan.theta, compare: plan.compare } } : {}),
  };
}

/** IMM's collections for `epsilon`, from the pilot sets `kept`, and the greedy seeds chosen on the pilot's even half. */
function immSets(
  g: CompiledGraph, req: InfluencersRequest, kept: RRCollection, meanSize: number, epsilon: number,
): { largest: number; sampling: number; theta: number; compare: number; chosen: Int32Array } {
  const n = g.n;
  const k = Math.max(1, Math.min(req.k, n));
  const { lambdaPrime, lambdaStar, epsPrime } = immConstants(n, k, epsilon, req.ell);
  // Halves of the pilot: choose on the even sets, count on the odd ones.
  const a = new RRCollection();
  const b = new RRCollection();
  for (let i = 0; i < kept.count; i++) {
    const from = kept.offsets[i];
    const to = kept.offsets[i + 1];
    (i % 2 === 0 ? a : b).append(kept.members.subarray(from, to), Int32Array.of(0, to - from));
  }
  const chosen = a.count > 0 ? maxCoverage(a, n, k).seeds : new Int32Array(0);
  const spread = b.count > 0 ? n * coverage(b, n, chosen) : 0;
  const lowerBound = Math.max(k, meanSize, spread) / (1 + epsPrime);
  const cap = IMM_DEFAULTS.maxRRSets;
  const theta = Math.min(cap, Math.ceil(lambdaStar / lowerBound));
  // The sampling phase stops at the first x = n/2^i with x <= LB·(1+ε')... its collection reaches λ'/x <= 2λ'/LB.
  const sampling = Math.min(cap, Math.ceil((2 * lambdaPrime) / lowerBound));
  const compare = req.compare === false ? 0 : Math.max(req.gainSamples, theta);
  return { largest: Math.max(theta, sampling, compare), sampling, theta, compare, chosen };
}

/** 422 when the RR sets of an influencers request would hold more than RIPPLE_MAX_REQUEST_MEMORY. */
export function checkInfluencersMemory(g: CompiledGraph, req: InfluencersRequest, limits: MemoryLimits): InfluencersPilot {
  const est = influencersRRMemory(g, req);
  if (est.bytes <= limits.maxRequestMemory) return est;
  const perSet = COLLECTION_GROWTH * (est.meanSize + 1) * 4;
  const fitsSets = Math.floor(limits.maxRequestMemory / perSet);
  const lower: { path: string; advice: string }[] = [];
  if (req.method === 'imm') {
    // θ ∝ 1/ε²: the smallest epsilon (3 decimals) whose collections fit, if any below 1.
    const fits = (eps: number) => Math.max(req.gainSamples, immSets(g, req, est.kept, est.meanSize, eps).largest) <= fitsSets;
    let eps = Math.min(0.99, Math.ceil(req.epsilon * Math.sqrt(est.bytes / limits.maxRequestMemory) * 1000) / 1000);
    for (let i = 0; i < 40 && !fits(eps) && eps < 0.99; i++) eps = Math.min(0.99, Math.ceil(eps * 1.1 * 1000) / 1000);
    if (fits(eps) && eps > req.epsilon) lower.push({ path: 'body.epsilon', advice: `raise it to at least ${eps} (the RR sets needed grow as 1/epsilon²)` });
  }
  if (req.gainSamples > fitsSets) {
    lower.push({ path: 'body.gainSamples', advice: fitsSets >= 1000 ? `at most ${fitsSets} for this request on this graph` : 'lower it' });
  }
  lower.push({ path: 'body.p', advice: `lower it: RR sets shrink with p (they hold ${round(est.meanSize)} customers on average here)` });
  const fields = lower.map((l) => l.path.replace(/^body\./, ''));
  throw new UnprocessableError(
    `finding influencers would hold about ${fmt(est.bytes)} of RR sets while running (RIPPLE_MAX_REQUEST_MEMORY is ${fmt(limits.maxRequestMemory)}): ` +
      `about ${est.sets} sets of ${round(est.meanSize)} customers each (measured by a pilot of ${est.pilotSets} RR sets); ` +
      `${fields[0] === 'epsilon' ? 'raise epsilon' : `lower ${fields[0]}`}${fields.length > 1 ? ` or ${fields.slice(1).map((f) => (f === 'epsilon' ? 'raise epsilon' : `lower ${f}`)).join(' or ')}` : ''}`,
    { errors: lower.map((l) => ({ path: l.path, message: l.advice })), memory: Math.round(est.bytes) },
  );
}
