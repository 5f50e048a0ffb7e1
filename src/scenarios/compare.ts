import { InputError } from '../errors.js';
import type { CompiledGraph } from '../graph/compile.js';
import { pairedDifference, type PairedDifference } from './paired.js';
import { compareSummary } from './readable.js';
import { checkCustomers, readable, runScenario, type ScenarioOptions, type ScenarioReport, type ScenarioRuns } from './report.js';
import { parseScenarioInput, resolveSpec, scenarioRequestSchema, type ScenarioRequestInput, type ScenarioSpec } from './schema.js';

/**
 * Scenarios and compare mode (DESIGN §6, §8). In compare mode every variant runs with the same seed and the
 * same number of runs, so run r of every variant draws from the same stream (seed, r): common random
 * numbers. Differences are taken run by run against the FIRST variant (the baseline), so their CIs carry
 * only the effect, not the noise; identical variants give identical reports and a difference of exactly 0.
 * In precision mode the first variant decides the runs and the others reuse that count.
 */

/** How a money difference reads: less at risk and more earned or net are improvements. */
export type Change = 'improvement' | 'worsening' | 'no clear difference';
export type MoneyDifference = PairedDifference & { change: Change };

export interface Difference {
  from: string;
  to: string;
  reach: PairedDifference;
  negative: PairedDifference & { change: Change };
  positive: PairedDifference;
  impressions: PairedDifference;
  timeToPeak: PairedDifference;
  valueExposed: PairedDifference;
  money: { atRisk: MoneyDifference; earned: MoneyDifference; net: MoneyDifference };
}

/** The verdict of a paired difference whose 95% interval excludes 0, for a figure where `better` is the good direction. */
export function changeOf(d: PairedDifference, better: 'lower' | 'higher'): Change {
  if (!(d.ci95[0] > 0 || d.ci95[1] < 0)) return 'no clear difference';
  return (d.mean < 0) === (better === 'lower') ? 'improvement' : 'worsening';
}

export interface CompareResult {
  runs: number;
  seed: number;
  variants: (ScenarioReport & { name: string })[];
  differences: Difference[];
  /** Plain sentences: each variant against the first, with rounded figures and ranges. */
  summary: string;
  elapsedMs: number;
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

function difference(from: string, to: string, a: ScenarioRuns, b: ScenarioRuns): Difference {
  const d = (k: keyof ScenarioRuns) => pairedDifference(a[k], b[k]);
  const judged = (k: keyof ScenarioRuns, better: 'lower' | 'higher') => {
    const x = d(k);
    return { ...x, change: changeOf(x, better) };
  };
  return {
    from, to,
    reach: d('reach'), negative: judged('negative', 'lower'), positive: d('positive'), impressions: d('impressions'),
    timeToPeak: d('timeToPeak'), valueExposed: d('valueExposed'),
    money: { atRisk: judged('atRisk', 'lower'), earned: judged('earned', 'higher'), net: judged('net', 'higher') },
  };
}

/**
 * Validate a scenario request and resolve its spec(s): one, or one per variant (with their names). Unknown
 * customers are a 404, duplicate variant names a 400 — before any run (the API calls this before queueing a job).
 */
export function prepareScenarioRequest(graph: CompiledGraph, input: unknown, currency?: string, stepDuration?: string): { specs: ScenarioSpec[]; names: string[] | null } {
  const { variants, ...base } = parseScenarioInput(scenarioRequestSchema, 'scenario', input);
  if (!variants) {
    const spec = resolveSpec(base, {}, currency, stepDuration);
    checkCustomers(graph, spec.customers);
    return { specs: [spec], names: null };
  }
  const seen = new Set<string>();
  const specs = variants.map((v, i) => {
    if (seen.has(v.name)) throw new InputError(`variants[${i}].name: duplicate name ${JSON.stringify(v.name)}`, { errors: [{ path: `variants.${i}.name`, message: 'duplicate name' }] });
    seen.add(v.name);
    return resolveSpec(base, v, currency, stepDuration);
  });
  for (const s of specs) checkCustomers(graph, s.customers);
  return { specs, names: variants.map((v) => v.name) };
}

/**
 * Validate a scenario request (single, or compare when `variants` is present) and run it. Unknown
 * customers are a 404 before any run.
 */
export async function runScenarioRequest(graph: CompiledGraph, input: ScenarioRequestInput | unknown, ctx: ScenarioContext = {}): Promise<ScenarioAnswer> {
  const { specs, names } = prepareScenarioRequest(graph, input, ctx.currency, ctx.stepDuration);
  if (!names) return (await runScenario(graph, specs[0], ctx)).report;

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
    const r = await runScenario(graph, specs[i], { ...ctx, onProgress }, fixedRuns);
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
