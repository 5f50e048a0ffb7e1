import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CompiledGraph } from '../graph/compile.js';
import { indexOf } from '../graph/compile.js';
import { CancelledError, InputError, NotFoundError } from '../errors.js';
import { parseOrThrow } from '../validate.js';
import { Aggregate } from './aggregate.js';
import { runBatch, type BatchResult } from './batch.js';
import type { PlanBase } from './models/model.js';
import { modelOf, planFor, simulationRequestSchema, type SimulationPlan, type SimulationRequest, type SimulationRequestInput } from './models/registry.js';
import type { EnginePool } from '../workers/pool.js';
import { DEFAULT_RUNS, type ProbabilityScheme } from './request.js';
import { countStats, nextCheckpoint, precisionReached, Z95 } from './stats.js';
import { topK } from '../graph/top-k.js';
import type { z } from 'zod';
import type { exceedanceSchema, stepSchema } from './result-schema.js';
import type { ModelSimulationResult, SimulationResult } from './models/result-schemas.js';

/** A point of a step curve (the result schema's `steps` entries, ./result-schema.ts). */
export type StepStat = z.output<typeof stepSchema>;

/** SIR: mean susceptible / infected / recovered customers after a step. */
export type SirStep = ModelSimulationResult<'sir'>['compartments'][number];

/** A non-seed customer with the share of runs in which it was activated (seeds are excluded: they always are). */
export type Amplifier = SimulationResult['amplifiers'][number];

/** DESIGN §8 "A simulation result": the type of the result schemas (models/result-schemas.ts). JSON-ready. */
export type { SimulationResult, ModelSimulationResult };

/** P(reach >= atLeast) with its 95% Wilson interval. */
export type Exceedance = z.output<typeof exceedanceSchema>;

/** P(x >= N) over per-run values for each N, with the 95% Wilson score interval (sound near 0 and 1, unlike mean ± 1.96·se). */
export function exceedance(values: ArrayLike<number>, runs: number, levels: readonly number[]): Exceedance[] {
  const z = 1.96;
  return levels.map((atLeast) => {
    let k = 0;
    for (let i = 0; i < runs; i++) if (values[i] >= atLeast) k++;
    const p = runs > 0 ? k / runs : 0;
    const d = 1 + (z * z) / runs;
    const centre = (p + (z * z) / (2 * runs)) / d;
    const half = (z * Math.sqrt((p * (1 - p)) / runs + (z * z) / (4 * runs * runs))) / d;
    return { atLeast, probability: p, ci95: [Math.max(0, centre - half), Math.min(1, centre + half)] };
  });
}

/** Per-run values in run order (for paired comparisons, money, impressions). Length = runs. */
export interface PerRunValues {
  reach: Int32Array;
  negative: Int32Array | null;
  positive: Int32Array | null;
  /** Sum of customer value over the customers reached (negative / positive holders for voice). */
  value: Float64Array;
  negativeValue: Float64Array | null;
  positiveValue: Float64Array | null;
  /** Sum over reached customers of 1 + followers·activity. */
  impressions: Float64Array;
  /** Voice: the step >= 1 with the most customers newly reached (either opinion), earliest on ties; 0 if none. */
  peakStep: Int32Array | null;
  /** Voice: the step >= 1 with the most customers newly reached by the negative / positive opinion, earliest on ties; 0 if it reached no one. */
  negativePeakStep: Int32Array | null;
  positivePeakStep: Int32Array | null;
}

export interface SimulateOptions {
  /** Run batches on these workers; without it everything runs in this thread (same numbers). */
  pool?: EnginePool;
  signal?: AbortSignal;
  /** (runs done, runs planned — maxRuns in precision mode). */
  onProgress?: (done: number, total: number) => void;
  /** Runs per batch (default: adaptive in-thread, runs / (4·workers) on a pool). Never changes the result. */
  batchSize?: number;
}

/** Validate a request (defaults applied); zod issues become an InputError listing the fields. */
export function parseSimulationRequest(req: unknown): SimulationRequest {
  return withAmplifierCount(parseOrThrow(simulationRequestSchema, req, 'simulation request'));
}

/**
 * `amplifiers` is the name; `top` its deprecated alias (the engine reads `top`; `amplifiers` wins when both are
 * given: `top` has a default, so a body validated once already carries it). Applied wherever a parsed request
 * enters the engine (parseSimulationRequest, resolveParsedSimulation: the HTTP body schema parses without it).
 */
function withAmplifierCount(data: SimulationRequest): SimulationRequest {
  return data.amplifiers !== undefined && data.amplifiers !== data.top ? { ...data, top: data.amplifiers } : data;
}

/** Resolve seed ids to indices (duplicates once, request order); an unknown id is a 404 naming it (`what` "X" is not in the graph). */
export function resolveSeeds(g: CompiledGraph, ids: readonly string[], what = 'seed customer'): Int32Array {
  if (ids.length === 0) throw new InputError('seeds: at least one seed customer is required');
  const out: number[] = [];
  const seen = new Set<number>();
  for (const id of ids) {
    const i = indexOf(g, id);
    if (i < 0) throw new NotFoundError(`${what} ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} is not in the graph`);
    if (!seen.has(i)) {
      seen.add(i);
      out.push(i);
    }
  }
  return Int32Array.from(out);
}

/**
 * A request validated and resolved at the door (DESIGN: validated once): the typed request with its defaults and
 * its seed customers as indices. The API, the CLI, scenarios and studies make one with resolveSimulation(); the
 * engine (simulateRuns, buildPlan) then neither parses nor looks customers up again.
 */
export interface ResolvedSimulation {
  readonly kind: 'resolved-simulation';
  readonly request: SimulationRequest;
  /** request.seeds as customer indices (duplicates once, request order). */
  readonly seeds: Int32Array;
}

/** Parse a request (or take a parsed one) and resolve its seeds: 400 naming the fields, 404 naming an unknown seed. */
export function resolveSimulation(g: CompiledGraph, input: SimulationRequest | SimulationRequestInput | ResolvedSimulation | unknown): ResolvedSimulation {
  if (isResolvedSimulation(input)) return input;
  return resolveParsedSimulation(g, parseSimulationRequest(input));
}

/** Resolve the seeds of a request already parsed with simulationRequestSchema (e.g. by the HTTP body schema); `what` names them in a 404. */
export function resolveParsedSimulation(g: CompiledGraph, request: SimulationRequest, what?: string): ResolvedSimulation {
  return { kind: 'resolved-simulation', request: withAmplifierCount(request), seeds: resolveSeeds(g, request.seeds, what) };
}

export function isResolvedSimulation(x: unknown): x is ResolvedSimulation {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'resolved-simulation';
}

/** The same resolved request with a fixed number of runs (compare mode after a precision base). */
export function withRuns(r: ResolvedSimulation, runs: number): ResolvedSimulation {
  return { ...r, request: { ...r.request, runs, precision: undefined } };
}

/**
 * Turn a validated request into the plan its model runs (probabilities precomputed once): models/NAME/plan.ts.
 * A ResolvedSimulation brings its seed indices; a bare request has its seeds looked up here.
 */
export function buildPlan(g: CompiledGraph, req: SimulationRequest | ResolvedSimulation, opts: { extras?: boolean } = {}): SimulationPlan {
  const resolved = isResolvedSimulation(req) ? req : undefined;
  const request = resolved ? resolved.request : (req as SimulationRequest);
  const base: PlanBase = {
    model: request.model, seed: request.seed, seeds: resolved ? resolved.seeds : resolveSeeds(g, request.seeds), maxSteps: request.maxSteps,
    countActivations: request.top > 0, extras: opts.extras ?? false,
  };
  return planFor(g, request, base);
}

/**
 * Monte Carlo simulation of one request on a compiled graph (DESIGN §3, §4). Run r draws from the
 * stream (seed, r); batches are tiled over run indices and merged by index, so the JSON (but elapsedMs)
 * is identical for any pool size and batch size. `precision` mode checks its stop rule only at fixed run
 * counts (see nextCheckpoint), also independent of workers.
 */
export async function simulate(
  graph: CompiledGraph, req: SimulationRequest | SimulationRequestInput | ResolvedSimulation, opts: SimulateOptions = {},
): Promise<SimulationResult> {
  return (await simulateRuns(graph, req, opts, false)).result;
}

/**
 * Like simulate(), also returning per-run values (value reached, impressions, voice opinions) in run order. A raw
 * request is parsed and resolved here; a ResolvedSimulation (made once at the door) is used as it is.
 */
export async function simulateRuns(
  graph: CompiledGraph, rawReq: SimulationRequest | SimulationRequestInput | ResolvedSimulation, opts: SimulateOptions = {}, extras = true,
): Promise<{ result: SimulationResult; perRun: PerRunValues | null; request: SimulationRequest; activations: Float64Array | null }> {
  const t0 = performance.now();
  const resolved = resolveSimulation(graph, rawReq);
  const req = resolved.request;
  if (opts.batchSize !== undefined && !(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) {
    // 0, a fraction or NaN would never advance the batch loop (a hang, or endless tasks on a pool).
    throw new InputError(`batchSize must be an integer >= 1, got ${opts.batchSize}`);
  }
  const plan = buildPlan(graph, resolved, { extras });
  const { signal, pool, onProgress } = opts;
  if (signal?.aborted) throw new CancelledError();
  const precision = req.precision;
  const target = precision === undefined ? (req.runs ?? DEFAULT_RUNS) : req.maxRuns;
  const agg = new Aggregate(precision === undefined ? target : Math.min(target, 1024));

  let done = 0;
  const report = (extra: number) => onProgress?.(Math.min(target, done + extra), target);
  let stoppedBy: SimulationResult['stoppedBy'] = 'runs';
  let adaptive = opts.batchSize ?? 16;
  while (done < target) {
    const end = precision === undefined ? target : Math.min(target, nextCheckpoint(done));
    if (pool) {
      await runSegmentOnPool(pool, graph, plan, done, end, agg, opts, (partial) => report(partial));
    } else {
      let from = done;
      while (from < end) {
        if (signal?.aborted) throw new CancelledError();
        const to = Math.min(end, from + adaptive);
        const tb = performance.now();
        const b = runBatch(graph, plan, from, to, {
          isCancelled: signal ? () => signal.aborted : undefined,
          progress: onProgress ? (k) => report(from - done + k) : undefined,
        });
        agg.add(b);
        if (opts.batchSize === undefined && performance.now() - tb < 30) adaptive = Math.min(adaptive * 2, 1 << 16);
        from = to;
        report(from - done);
        await yieldToLoop();
      }
    }
    done = end;
    report(0);
    if (precision !== undefined) {
      if (precisionReached(agg.reach.data, done, precision)) {
        stoppedBy = 'precision';
        break;
      }
      if (done >= target) stoppedBy = 'maxRuns';
    }
  }
  if (signal?.aborted) throw new CancelledError();
  // activations: per customer, the runs in which it was reached (counted when the request lists amplifiers).
  return { ...assemble(graph, req, plan, agg, done, stoppedBy, t0, extras), request: req, activations: agg.activations };
}

async function runSegmentOnPool(
  pool: EnginePool, graph: CompiledGraph, plan: SimulationPlan, from: number, to: number, agg: Aggregate,
  opts: SimulateOptions, progress: (runsDoneInSegment: number) => void,
): Promise<void> {
  const total = to - from;
  const size = opts.batchSize ?? Math.max(1, Math.ceil(total / (pool.size * 4)));
  const inner = new AbortController();
  const onAbort = () => inner.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) inner.abort();
  const partial = new Map<number, number>();
  let finished = 0;
  const tell = () => {
    let s = finished;
    for (const k of partial.values()) s += k;
    progress(s);
  };
  const tasks: Promise<void>[] = [];
  for (let a = from; a < to; a += size) {
    const b = Math.min(to, a + size);
    tasks.push(
      pool
        .run<BatchResult>('simulate', graph, { plan, from: a, to: b }, {
          signal: inner.signal,
          onProgress: (k) => {
            partial.set(a, k as number);
            tell();
          },
        })
        .then((res) => {
          partial.delete(a);
          finished += b - a;
          agg.add(res);
          tell();
        })
        .catch((e: unknown) => {
          inner.abort();
          throw e;
        }),
    );
  }
  try {
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      if (opts.signal?.aborted) throw new CancelledError();
      const firstReal = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof CancelledError));
      throw (firstReal ?? failed).reason;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Per-step means; with `squares` (Σ over runs of each run's new count squared) also the normal 95% CI of the mean
 * new count at each step (sample sd, as every other CI here), clamped at 0.
 */
function stepStats(sums: Float64Array | null, runs: number, length: number, squares?: Float64Array | null, cumSquares?: Float64Array | null): StepStat[] {
  const out: StepStat[] = [];
  let cum = 0;
  let cumSq = 0;
  const interval = (mean: number, sumSq: number): [number, number] => {
    const sd = runs > 1 ? Math.sqrt(Math.max(0, (sumSq - runs * mean * mean) / (runs - 1))) : 0;
    const half = (Z95 * sd) / Math.sqrt(runs);
    return [Math.max(0, mean - half), mean + half];
  };
  for (let t = 0; t < length; t++) {
    const x = sums && t < sums.length ? sums[t] : 0;
    cum += x;
    const mean = x / runs;
    const step: StepStat = { step: t, newMean: mean, cumulativeMean: cum / runs };
    if (squares) step.newCi95 = interval(mean, t < squares.length ? squares[t] : 0);
    if (cumSquares) {
      // Σ over runs of (running total)² at t: the prefix sum of each run's change of it.
      cumSq += t < cumSquares.length ? cumSquares[t] : 0;
      step.cumulativeCi95 = interval(cum / runs, cumSq);
    }
    out.push(step);
  }
  return out;
}

function topAmplifiers(g: CompiledGraph, counts: Float64Array | null, seeds: Int32Array, runs: number, k: number): Amplifier[] {
  if (!counts || k <= 0) return [];
  const isSeed = new Set<number>(seeds);
  return Array.from(topK(counts, k, (v) => counts[v] !== 0 && !isSeed.has(v)), (v) => ({ id: g.ids[v], frequency: counts[v] / runs }));
}

/**
 * Step curves stop at the last step where anything changed in any run: later steps (runs cut by maxSteps with
 * nothing left to happen, e.g. SIR with gamma = 0) repeat the state and only cost bytes. A step is unchanged
 * when no curve of new events has any and every state curve (`stateCurves`, e.g. SIR's infected) equals the
 * step before. IC, LT and voice runs end at their first step without change, so their curves are unaffected.
 */
function lastChange(agg: Aggregate, len: number, stateCurves: readonly string[]): number {
  const at = (a: Float64Array | null | undefined, t: number) => (a && t < a.length ? a[t] : 0);
  let end = len;
  while (end > 1) {
    const t = end - 1;
    let changed = at(agg.newByStep, t) !== 0;
    for (const [name, sums] of agg.perStep) {
      if (changed) break;
      changed = stateCurves.includes(name) ? at(sums, t) !== at(sums, t - 1) : at(sums, t) !== 0;
    }
    if (changed) break;
    end--;
  }
  return end;
}

function assemble(
  g: CompiledGraph, req: SimulationRequest, plan: SimulationPlan, agg: Aggregate, runs: number,
  stoppedBy: SimulationResult['stoppedBy'], t0: number, extras: boolean,
): { result: SimulationResult; perRun: PerRunValues | null } {
  let stepsLen = agg.newByStep?.length ?? 0;
  for (const sums of agg.perStep.values()) stepsLen = Math.max(stepsLen, sums.length);
  const model = modelOf(req.model);
  stepsLen = lastChange(agg, stepsLen, model.outputs.stateCurves ?? []);
  const steps = stepStats(agg.newByStep, runs, stepsLen, agg.newSqByStep);
  const hist = req.histogram ?? req.bins;
  const result: SimulationResult = {
    model: req.model, runs, seed: req.seed, elapsedMs: 0, probability: (req as { probability?: ProbabilityScheme }).probability,
    seeds: Array.from(plan.seeds, (i) => g.ids[i]), stoppedBy,
    reach: countStats(agg.reach.data, hist, runs),
    steps,
    amplifiers: topAmplifiers(g, agg.activations, plan.seeds, runs, req.top),
    arcsExamined: agg.arcsExamined / runs,
  };
  if (req.exceedance) result.exceedance = exceedance(agg.reach.data, runs, req.exceedance);
  const perRunOutputs: Record<string, Int32Array | Float64Array> = {};
  for (const [name, col] of agg.perRun) perRunOutputs[name] = col.data;
  Object.assign(result, model.summarize(
    { perRun: perRunOutputs, perStep: Object.fromEntries(agg.perStep), perCustomer: Object.fromEntries(agg.perCustomer) },
    {
      g, runs, bins: req.bins, stepsLength: stepsLen,
      cumulativeMean: Float64Array.from(steps, (s) => s.cumulativeMean),
      stats: (values) => countStats(values, hist, runs),
      stepCurve: (sums, o) => stepStats(sums, runs, stepsLen, o?.squares ?? null, o?.cumSquares ?? null),
      rank: (counts) => topAmplifiers(g, Float64Array.from(counts), plan.seeds, runs, req.top),
      request: req as unknown as Record<string, unknown>,
      exceedance: (values) => (req.exceedance ? exceedance(values, runs, req.exceedance) : undefined),
    },
  ));
  if (req.trace) result.trace = model.trace(g, plan as never, 0);
  if (req.samples) {
    const samples: NonNullable<SimulationResult['samples']> = { reach: Array.from(agg.reach.data.subarray(0, runs)) };
    for (const [name, values] of Object.entries(perRunOutputs)) samples[name] = Array.from(values.subarray(0, runs), (x) => (Number.isFinite(x) ? x : null));
    result.samples = samples;
  }
  const perRun: PerRunValues | null = extras
    ? {
        reach: agg.reach.data.slice(0, runs),
        negative: agg.column('negative', runs) as Int32Array | null,
        positive: agg.column('positive', runs) as Int32Array | null,
        value: agg.value!.data.slice(0, runs),
        negativeValue: agg.column('negativeValue', runs) as Float64Array | null,
        positiveValue: agg.column('positiveValue', runs) as Float64Array | null,
        impressions: agg.impressions!.data.slice(0, runs),
        peakStep: agg.column('peakStep', runs) as Int32Array | null,
        negativePeakStep: agg.column('negativePeakStep', runs) as Int32Array | null,
        positivePeakStep: agg.column('positivePeakStep', runs) as Int32Array | null,
      }
    : null;
  result.elapsedMs = Math.round((performance.now() - t0) * 1000) / 1000;
  return { result, perRun };
}
