import { NotFoundError } from '../errors.js';
import type { CompiledGraph } from '../graph/compile.js';
import { indexOf } from '../graph/compile.js';
import { parseSimulationRequest, resolveParsedSimulation, simulateRuns, withRuns, type PerRunValues, type ResolvedSimulation, type SimulationResult, type StepStat } from '../diffusion/simulate.js';
import type { SimulationRequestInput } from '../diffusion/schemas.js';
import type { EnginePool } from '../workers/pool.js';
import { meanCi, type MeanCi } from '../diffusion/stats.js';
import { isoDuration, parseDuration } from '../graph/duration.js';
import type { GraphData } from '../graph/model.js';
import { scenarioSummary, type ReadableReport } from './readable.js';
import type { ScenarioSpec } from './schema.js';
import type { EngineAnswer } from '../diffusion/result-schema.js';
import type { scenarioReportSchema } from './report-schema.js';

/**
 * One brand scenario (DESIGN §6): the voice model of the engine (simulateRuns, per-run values in run order)
 * turned into reach, impressions, time to peak and money, each with a 95% CI over runs (normal interval,
 * mean ± 1.96·sd/√runs). No cascade loop lives here.
 */

export interface ScenarioOptions {
  pool?: EnginePool;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** True when the graph gives no customer values (every value is the default): money is then per customer. */
  valuesAreDefaults?: boolean;
  /** The graph's customer labels by index (GraphData.labels): passers and amplifiers then carry them. */
  labels?: readonly (string | null)[] | null;
}

/** What a report needs to know about its graph beyond the compiled form (see scenarioFacts). */
export interface ScenarioFacts {
  currency?: string;
  valuesAreDefaults: boolean;
  /** The graph's step duration (ISO 8601), if it has one. */
  stepDuration?: string;
  /** The graph's customer labels by index, if it has any. */
  labels?: readonly (string | null)[];
}

/** The graph's currency and whether it gives any customer value (then money is in a currency, else per customer). */
export function scenarioFacts(data: Pick<GraphData, 'value' | 'currency' | 'stepDuration'> & Partial<Pick<GraphData, 'labels'>>): ScenarioFacts {
  const v = data.value;
  let given = false;
  if (v) for (let i = 0; i < v.length && !given; i++) given = !Number.isNaN(v[i]);
  return {
    ...(data.currency !== undefined ? { currency: data.currency } : {}),
    valuesAreDefaults: !given,
    ...(data.stepDuration !== undefined ? { stepDuration: data.stepDuration } : {}),
    ...(data.labels ? { labels: data.labels } : {}),
  };
}

/** A ranked customer (amplifiers, passers): its id, the share of runs, and its label when the graph gives one. */
export type RankedCustomer = ScenarioReport['amplifiers'][number];

function labelled(graph: CompiledGraph, list: readonly { id: string; frequency: number }[], labels: readonly (string | null)[] | null | undefined): RankedCustomer[] {
  if (!labels) return list.map((x) => ({ ...x }));
  return list.map((x) => {
    const label = labels[indexOf(graph, x.id)];
    return label != null ? { ...x, label } : { ...x };
  });
}

/** The peak of one opinion's mean curve: the step >= 1 with the most newly reached customers, null if none. */
export type OpinionPeak = NonNullable<ScenarioReport['timeToPeak']['negative']>;

/**
 * One opinion's time to peak, per run: the step >= 1 at which that opinion newly reaches the most customers
 * (earliest on ties; a brand turn does not count). Mean and 95% CI over the `runs` runs in which the opinion
 * reaches someone after step 0; the others (time to peak 0) are left out. The type of its schema.
 */
export type OpinionTimeToPeak = NonNullable<ScenarioReport['negativeTimeToPeak']>;

/** A step curve point with its time when the step duration is known. */
export type TimedStep = ScenarioReport['steps'][number];

/** A money figure: mean, sd, stderr and 95% interval over runs. */
export type Money = ScenarioReport['money']['atRisk'];

/** What `assumptions` echoes: every resolved input, and the runs actually made. */
export type Assumptions = ScenarioReport['assumptions'];

/**
 * A scenario report (DESIGN §6): the type of its schema, ./report-schema.ts (the one source of truth: a field the
 * report writes and the schema lacks, or the other way round, does not compile). The API stamps the graph reference.
 */
export type ScenarioReport = EngineAnswer<typeof scenarioReportSchema>;

/** Per-run figures of a scenario, in run order (for paired differences). */
export interface ScenarioRuns {
  reach: Float64Array;
  negative: Float64Array;
  positive: Float64Array;
  impressions: Float64Array;
  timeToPeak: Float64Array;
  /** Each opinion's time to peak per run; 0 in a run where the opinion reaches no one after step 0. */
  negativeTimeToPeak: Float64Array;
  positiveTimeToPeak: Float64Array;
  atRisk: Float64Array;
  earned: Float64Array;
  net: Float64Array;
  valueExposed: Float64Array;
}

export const METRICS = ['reach', 'negative', 'positive', 'impressions', 'timeToPeak', 'atRisk', 'earned', 'net', 'valueExposed'] as const;

/** The engine request of a scenario (voice model). `runsOverride` fixes the runs (compare mode after a precision base). */
export function engineRequest(spec: ScenarioSpec, runsOverride?: number): SimulationRequestInput {
  const runs = runsOverride ?? spec.runs;
  return {
    model: 'voice',
    seeds: spec.customers,
    ...(runs !== null && runs !== undefined ? { runs } : { precision: spec.precision!, maxRuns: spec.maxRuns }),
    seed: spec.seed,
    maxSteps: spec.maxSteps,
    // Reach frequencies (amplifiers, reachOf) come from per-customer activation counts, kept when top > 0.
    top: spec.amplifiers > 0 || spec.reachOf.length > 0 ? Math.max(spec.amplifiers, 1) : 0,
    probability: spec.probability,
    p: spec.p,
    activity: spec.activity,
    experience: spec.experience,
    negativityBias: spec.negativityBias,
    response: spec.response ? { atStep: spec.response.atStep, effectiveness: spec.response.effectiveness, public: spec.response.public } : null,
  };
}

/** 404 naming the first customer not in the graph (before any work). */
export function checkCustomers(graph: CompiledGraph, ids: readonly string[]): void {
  for (const id of ids) {
    if (indexOf(graph, id) < 0) throw new NotFoundError(`customer ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} is not in the graph`);
  }
}

const scaled = (c: number, m: MeanCi): Money => ({ mean: c * m.mean, sd: c * m.sd, stderr: c * m.stderr, ci95: [c * m.ci95[0], c * m.ci95[1]] });

function opinionPeak(steps: StepStat[]): OpinionPeak | null {
  let best: OpinionPeak | null = null;
  for (const s of steps) if (s.step >= 1 && s.newMean > 0 && (!best || s.newMean > best.newMean)) best = { step: s.step, newMean: s.newMean };
  return best;
}

function peakOf(steps: StepStat[]): number {
  let best = 0;
  let at = 0;
  for (const s of steps) {
    if (s.step >= 1 && s.newMean > best) {
      best = s.newMean;
      at = s.step;
    }
  }
  return at;
}

/** The mean and CI of one opinion's per-run time to peak over the runs where it is not 0 (it reached someone). */
function opinionTimeToPeak(perRun: Float64Array, at: (step: number) => { duration?: string }): OpinionTimeToPeak | null {
  let k = 0;
  for (let i = 0; i < perRun.length; i++) if (perRun[i] > 0) k++;
  if (k === 0) return null;
  const spread = new Float64Array(k);
  for (let i = 0, j = 0; i < perRun.length; i++) if (perRun[i] > 0) spread[j++] = perRun[i];
  const m = meanCi(spread);
  return { ...m, runs: k, ...asTimes(m, at) };
}

/** A mean and CI in steps as times (ISO 8601; a CI end below 0 reads 0), when the step duration is known. */
function asTimes(m: MeanCi, at: (step: number) => { duration?: string }): { duration?: { mean: string; ci95: [string, string] } } {
  const d = (x: number) => at(Math.max(0, x)).duration;
  const mean = d(m.mean);
  return mean === undefined ? {} : { duration: { mean, ci95: [d(m.ci95[0])!, d(m.ci95[1])!] } };
}

/** Turn the engine's result and per-run values into a scenario report and its per-run figures. */
export function buildReport(
  graph: CompiledGraph, spec: ScenarioSpec, result: SimulationResult, perRun: PerRunValues,
  opts: { valuesAreDefaults?: boolean; activations?: Float64Array | null; labels?: readonly (string | null)[] | null } = {},
): { report: ScenarioReport; runs: ScenarioRuns } {
  const n = result.runs;
  const { churnIfNegative: churn, upliftIfPositive: uplift } = spec.impact;
  const f64 = (a: ArrayLike<number>) => Float64Array.from({ length: n }, (_, i) => a[i]);
  if (!perRun.peakStep || !perRun.negativePeakStep || !perRun.positivePeakStep || !perRun.negativeValue || !perRun.positiveValue) {
    throw new Error('scenario: the engine returned no per-run voice values (workers from an older build? run `npm run build`)');
  }
  const negVal = perRun.negativeValue;
  const posVal = perRun.positiveValue;
  const runs: ScenarioRuns = {
    reach: f64(perRun.reach),
    negative: f64(perRun.negative!),
    positive: f64(perRun.positive!),
    impressions: f64(perRun.impressions),
    timeToPeak: f64(perRun.peakStep),
    negativeTimeToPeak: f64(perRun.negativePeakStep),
    positiveTimeToPeak: f64(perRun.positivePeakStep),
    atRisk: Float64Array.from({ length: n }, (_, i) => churn * negVal[i]),
    earned: Float64Array.from({ length: n }, (_, i) => uplift * posVal[i]),
    net: Float64Array.from({ length: n }, (_, i) => uplift * posVal[i] - churn * negVal[i]),
    valueExposed: f64(perRun.value),
  };
  const exposed = meanCi(runs.valueExposed);
  const total = graph.totalValue;
  const share = (x: number) => (total > 0 ? x / total : 0);
  // atRisk and earned are the coefficient times the statistics of the value held: exactly linear in it.
  const money = {
    currency: spec.impact.currency,
    atRisk: scaled(churn, meanCi(negVal, n)),
    earned: scaled(uplift, meanCi(posVal, n)),
    net: meanCi(runs.net) as Money,
  };
  const { negative, positive, negativeSteps, positiveSteps, passers, ...rest } = result as SimulationResult & { passers?: { id: string; frequency: number }[] };
  // The curves stop at the last step anything happened; the horizon is spec.maxSteps. New customers at the
  // horizon itself mean some runs were cut short.
  const atHorizon = result.steps.find((x) => x.step === spec.maxSteps);
  const lastNew = atHorizon ? atHorizon.newMean : 0;
  const reachMean = result.reach.mean;
  const stepSeconds = spec.stepDuration === null ? null : (parseDuration(spec.stepDuration) as { seconds: number }).seconds;
  const at = (step: number) => (stepSeconds === null ? {} : { duration: isoDuration(step * stepSeconds) });
  const timed = (list: StepStat[]): TimedStep[] => (stepSeconds === null ? list : list.map((x) => ({ ...x, ...at(x.step) })));
  const peak = (list: StepStat[]) => {
    const p = opinionPeak(list);
    return p ? { ...p, ...at(p.step) } : null;
  };
  const timeToPeak = meanCi(runs.timeToPeak);
  const counts = opts.activations;
  const reachOf = spec.reachOf.map((id) => {
    const i = indexOf(graph, id);
    return { id, frequency: counts && i >= 0 ? counts[i] / n : 0 };
  });
  const report: ScenarioReport = {
    ...rest,
    // The engine request is voice's with the spec's scheme (engineRequest): the same values, typed as the report's.
    model: 'voice',
    probability: spec.probability,
    customers: result.seeds,
    experience: spec.experience,
    negative: negative!,
    positive: positive!,
    negativeSteps: negativeSteps!,
    positiveSteps: positiveSteps!,
    amplifiers: labelled(graph, result.amplifiers.slice(0, spec.amplifiers), opts.labels),
    passers: labelled(graph, (passers ?? []).slice(0, spec.amplifiers), opts.labels),
    impressions: meanCi(runs.impressions),
    timeToPeak: { ...timeToPeak, meanCurvePeak: peakOf(result.steps), negative: peak(negativeSteps!), positive: peak(positiveSteps!), ...asTimes(timeToPeak, at) },
    negativeTimeToPeak: opinionTimeToPeak(runs.negativeTimeToPeak, at),
    positiveTimeToPeak: opinionTimeToPeak(runs.positiveTimeToPeak, at),
    money,
    valueExposed: { ...exposed, graphValue: total, share: { mean: share(exposed.mean), ci95: [share(exposed.ci95[0]), share(exposed.ci95[1])] } },
    valuesAreDefaults: opts.valuesAreDefaults ?? false,
    truncatedByHorizon: lastNew > 0,
    lastStep: { step: spec.maxSteps, newMean: lastNew, shareOfReach: reachMean > 0 ? lastNew / reachMean : 0, ...at(spec.maxSteps) },
    stepDuration: spec.stepDuration,
    reachOf,
    summary: '',
    assumptions: { model: 'voice', ...spec, runs: n },
  };
  report.steps = timed(report.steps);
  report.negativeSteps = timed(report.negativeSteps);
  report.positiveSteps = timed(report.positiveSteps);
  report.summary = scenarioSummary(readable(report, spec));
  return { report, runs };
}

/**
 * A scenario spec with its engine request, validated and its customers resolved once (404 naming an unknown one):
 * what prepareScenarioRequest hands to runScenario.
 */
export function resolveScenario(graph: CompiledGraph, spec: ScenarioSpec): ResolvedSimulation {
  return resolveParsedSimulation(graph, parseSimulationRequest(engineRequest(spec)), 'customer');
}

/** Run one scenario on a compiled graph (`sim`: its resolveScenario, else resolved here). */
export async function runScenario(
  graph: CompiledGraph, spec: ScenarioSpec, opts: ScenarioOptions = {}, runsOverride?: number, sim: ResolvedSimulation = resolveScenario(graph, spec),
): Promise<{ report: ScenarioReport; runs: ScenarioRuns }> {
  const t0 = performance.now();
  const { result, perRun, activations } = await simulateRuns(graph, runsOverride !== undefined ? withRuns(sim, runsOverride) : sim, opts, true);
  const out = buildReport(graph, spec, result, perRun!, { valuesAreDefaults: opts.valuesAreDefaults, activations, labels: opts.labels });
  out.report.elapsedMs = Math.round((performance.now() - t0) * 1000) / 1000;
  return out;
}

/** The parts of a report (and its spec) that its sentences read. */
export function readable(r: ScenarioReport, spec: ScenarioSpec): ReadableReport {
  return {
    customers: r.customers, experience: r.experience, reach: r.reach, negative: r.negative, positive: r.positive, impressions: r.impressions,
    money: r.money, valuesAreDefaults: r.valuesAreDefaults, truncatedByHorizon: r.truncatedByHorizon, lastStep: r.lastStep,
    peaks: { negative: r.negativeTimeToPeak, positive: r.positiveTimeToPeak },
    runs: r.runs,
    stepSeconds: spec.stepDuration === null ? null : (parseDuration(spec.stepDuration) as { seconds: number }).seconds,
    horizon: spec.maxSteps, response: spec.response,
  };
}
