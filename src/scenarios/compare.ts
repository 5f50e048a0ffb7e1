import { InputError } from '../errors.js';
import type { CompiledGraph } from '../graph/compile.js';
import { pairedDifference, type PairedDifference } from './paired.js';
import { compareSummary } from './readable.js';
import type { ResolvedSimulation } from '../diffusion/simulate.js';
import { readable, resolveScenario, runScenario, type ScenarioOptions, type ScenarioReport, type ScenarioRuns } from './report.js';
import type { EngineAnswer } from '../diffusion/result-schema.js';
import type { compareResultSchema } from './report-schema.js';
import { parseScenarioInput, resolveSpec, scenarioRequestSchema, type ScenarioRequest, type ScenarioRequestInput, type ScenarioSpec } from './schema.js';

/**
 * Scenarios and compare mode (DESIGN §6, §8). In compare mode every variant runs with the same seed and the
 * same number of runs, so run r of every variant draws from the same stream (seed, r): common random
 * numbers. Differences are taken run by run against the FIRST variant (the baseline), so their CIs carry
 * only the effect, not the noise; identical variants give identical reports and a difference of exactly 0.
 * In precision mode the first variant decides the runs and the others reuse that count.
 */

/** Compare mode's answer (CompareReport): the type of its schema, ./report-schema.ts. The API stamps the graph reference. */
export type CompareResult = EngineAnswer<typeof compareResultSchema>;
/** One variant against the first, run by run. */
export type Difference = CompareResult['differences'][number];
/** How a difference reads: fewer negative customers, less at risk and more earned or net are improvements. */
export type Change = Difference['negative']['change'];
export type MoneyDifference = Difference['money']['atRisk'];

/** The verdict of a paired difference whose 95% interval excludes 0, for a figure where `better` is the good direction. */
export function changeOf(d: PairedDifference, better: 'lower' | 'higher'): Change {
  if (!(d.ci95[0] > 0 || d.ci95[1] < 0)) return 'no clear difference';
  return (d.mean < 0) === (better === 'lower') ? 'improvement' : 'worsening';
}

export type ScenarioAnswer = ScenarioReport | CompareResult;

export interface ScenarioContext extends ScenarioOptions {
  /** Label of the money figures when the request gives none (the graph's currency). */
  currency?: string;
  /** The graph's step duration (the request's `stepDuration` wins). */
  stepDuration?: string;
}

export function isCompare(a: ScenarioAnswer): a is CompareResult {
  return 'variants' in a;
}

/** The paired difference of one opinion's time to peak over the runs where it is > 0 (it spread) in both variants. */
function peakDifference(a: Float64Array, b: Float64Array): (PairedDifference & { runs: number }) | null {
  const n = Math.min(a.length, b.length);
  let k = 0;
  for (let i = 0; i < n; i++) if (a[i] > 0 && b[i] > 0) k++;
  if (k === 0) return null;
  const x = new Float64Array(k);
  const y = new Float64Array(k);
  for (let i = 0, j = 0; i < n; i++) {
    if (a[i] > 0 && b[i] > 0) {
      x[j] = a[i];
      y[j++] = b[i];
    }
  }
  return { ...pairedDifference(x, y), runs: k };
}

function difference(from: string, to: string, a: ScenarioRuns, b: ScenarioRuns): Difference {
  const d = (k: keyof ScenarioRuns) => pairedDifference(a[k], b[k]);
  const judged = (k: keyof ScenarioRuns, better: 'lower' | 'higher') => {
    const x = d(k);
    return { ...x, change: changeOf(x, better) };
  };
  return {
    from, to,
    reach: d('reach'), negative: judged('negative', 'lower'), positive: d('positive'), impressions: d('impressions'),
    timeToPeak: d('timeToPeak'),
    negativeTimeToPeak: peakDifference(a.negativeTimeToPeak, b.negativeTimeToPeak),
    positiveTimeToPeak: peakDifference(a.positiveTimeToPeak, b.positiveTimeToPeak),
    valueExposed: d('valueExposed'),
    money: { atRisk: judged('atRisk', 'lower'), earned: judged('earned', 'higher'), net: judged('net', 'higher') },
  };
}

/**
 * A scenario request validated once and resolved at the door: its spec(s) — one, or one per variant with their
 * names — and each spec's engine request with the customers as indices. runScenarioRequest takes it as it is.
 */
export interface PreparedScenario {
  readonly kind: 'prepared-scenario';
  readonly specs: ScenarioSpec[];
  readonly names: string[] | null;
  readonly simulations: ResolvedSimulation[];
}

export function isPreparedScenario(x: unknown): x is PreparedScenario {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'prepared-scenario';
}

/**
 * Validate a scenario request and resolve its spec(s). Unknown customers are a 404, duplicate variant names a
 * 400 — before any run (the API calls this at the door, before answering or queueing a job).
 */
export function prepareScenarioRequest(graph: CompiledGraph, input: unknown, currency?: string, stepDuration?: string): PreparedScenario {
  if (isPreparedScenario(input)) return input;
  return prepareParsedScenario(graph, parseScenarioInput(scenarioRequestSchema, 'scenario', input), currency, stepDuration);
}

/** prepareScenarioRequest for a request already parsed with scenarioRequestSchema (e.g. by the HTTP body schema). */
export function prepareParsedScenario(graph: CompiledGraph, request: ScenarioRequest, currency?: string, stepDuration?: string): PreparedScenario {
  const { variants, ...base } = request;
  let specs: ScenarioSpec[];
  let names: string[] | null = null;
  if (!variants) {
    specs = [resolveSpec(base, {}, currency, stepDuration)];
  } else {
    const seen = new Set<string>();
    specs = variants.map((v, i) => {
      if (seen.has(v.name)) throw new InputError(`variants[${i}].name: duplicate name ${JSON.stringify(v.name)}`, { errors: [{ path: `variants.${i}.name`, message: 'duplicate name' }] });
      seen.add(v.name);
      return resolveSpec(base, v, currency, stepDuration);
    });
    names = variants.map((v) => v.name);
  }
  return { kind: 'prepared-scenario', specs, names, simulations: specs.map((s) => resolveScenario(graph, s)) };
}

/**
 * Run a scenario request (single, or compare when `variants` is present): a raw one is validated here (unknown
 * customers are a 404 before any run), a PreparedScenario is run as it is.
 */
export async function runScenarioRequest(graph: CompiledGraph, input: ScenarioRequestInput | PreparedScenario | unknown, ctx: ScenarioContext = {}): Promise<ScenarioAnswer> {
  const { specs, names, simulations } = prepareScenarioRequest(graph, input, ctx.currency, ctx.stepDuration);
  if (!names) return (await runScenario(graph, specs[0], ctx, undefined, simulations[0])).report;

  const t0 = performance.now();
  const perVariant = specs[0].runs;
  const total = perVariant === null ? undefined : perVariant * specs.length;
  const out: { report: ScenarioReport; runs: ScenarioRuns }[] = [];
  let fixedRuns: number | undefined;
  for (let i = 0; i < specs.length; i++) {
    const offset = out.reduce((s, o) => s + o.report.runs, 0);
    const onProgress = ctx.onProgress
      ? (done: number, planned: number) => ctx.onProgress!(offset + done, total ?? offset + planned * (specs.length - i))
      : undefined;
    const r = await runScenario(graph, specs[i], { ...ctx, onProgress }, fixedRuns, simulations[i]);
    fixedRuns ??= r.report.runs;
    out.push(r);
  }
  const variantsOut = out.map((o, i) => ({ name: names[i], ...o.report }));
  const differences = out.slice(1).map((o, i) => difference(names[0], names[i + 1], out[0].runs, o.runs));
  const summary = compareSummary(variantsOut.map((v, i) => ({ ...readable(v, specs[i]), name: v.name })), differences);
  return {
    runs: fixedRuns!, seed: specs[0].seed, variants: variantsOut, differences, summary,
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}
