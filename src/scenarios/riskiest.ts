import type { CompiledGraph } from '../graph/compile.js';
import { indexOf } from '../graph/compile.js';
import type { MeanCi } from '../diffusion/stats.js';
import { rankValues } from '../influence/value.js';
import type { ResolvedSimulation } from '../diffusion/simulate.js';
import { resolveScenario, runScenario, type Money } from './report.js';
import type { ScenarioContext } from './compare.js';
import type { EngineAnswer } from '../diffusion/result-schema.js';
import type { riskiestResultSchema } from './report-schema.js';
import { parseScenarioInput, resolveSpec, riskiestRequestSchema, type RiskiestRequest, type RiskiestRequestInput, type ScenarioSpec } from './schema.js';

/**
 * "Whose complaint would hurt most?" (issue 5 part 4): the negative scenario run for each candidate, ranked
 * by expected money at risk (largest first; ties by candidate order), each figure with its 95% CI.
 *
 * Candidates: the given list, or the top-N customers by own value + value-weighted reach (the expected value its voice
 * reaches, value-weighted RR sets, src/influence/value.ts) under IC with the scenario's scheme and reading of activity. Under the
 * `uniform` scheme the ranking uses the probability of a complaint, min(1, p·negativityBias); under other
 * schemes it uses the positive-message probabilities (RR sets do not model the bias), a pre-selection only:
 * the ranking itself always comes from the full negative scenario.
 *
 * Every candidate runs on the same seed: its runs are paired with the other candidates' (common random numbers).
 */

const brief = (m: MeanCi) => ({ mean: m.mean, ci95: m.ci95 });
const money = (m: Money) => ({ mean: m.mean, ci95: m.ci95 });

/** What a riskiest request answers (RiskiestResult): the type of its schema, ./report-schema.ts. The API stamps the graph reference. */
export type RiskiestResult = EngineAnswer<typeof riskiestResultSchema>;
/** One candidate with its figures. */
export type RiskiestEntry = RiskiestResult['top'][number];

/**
 * A riskiest request validated once and resolved at the door: the request, the scenario every candidate runs (its
 * `customers` set per candidate), and the given candidates (duplicates once) with their engine requests resolved,
 * or null when the candidates are the top by network value (picked, and each resolved once, when it runs).
 */
export interface PreparedRiskiest {
  readonly kind: 'prepared-riskiest';
  readonly request: RiskiestRequest;
  readonly template: ScenarioSpec;
  readonly candidates: { readonly ids: string[]; readonly simulations: ResolvedSimulation[] } | null;
}

export function isPreparedRiskiest(x: unknown): x is PreparedRiskiest {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'prepared-riskiest';
}

/** The negative scenario of one candidate. */
const candidateSpec = (template: ScenarioSpec, id: string): ScenarioSpec => ({ ...template, customers: [id], experience: 'negative', amplifiers: 0 });

/**
 * Validate a riskiest request (a raw one is parsed here; a PreparedRiskiest is taken as it is): 400 naming the fields,
 * an unknown candidate 404 — before any run (the API and the CLI call this at the door, before answering or queueing).
 */
export function prepareRiskiestRequest(graph: CompiledGraph, input: unknown, currency?: string, stepDuration?: string): PreparedRiskiest {
  if (isPreparedRiskiest(input)) return input;
  return prepareParsedRiskiest(graph, parseScenarioInput(riskiestRequestSchema, 'riskiest request', input), currency, stepDuration);
}

/** prepareRiskiestRequest for a request already parsed with riskiestRequestSchema (e.g. by the HTTP body schema). */
export function prepareParsedRiskiest(graph: CompiledGraph, request: RiskiestRequest, currency?: string, stepDuration?: string): PreparedRiskiest {
  const { top: _top, candidates: given, rrSets: _rrSets, ...rest } = request;
  const template = resolveSpec({ ...rest, customer: '-' }, {}, currency, stepDuration);
  let candidates: PreparedRiskiest['candidates'] = null;
  if (given) {
    const ids = [...new Set(given)];
    candidates = { ids, simulations: ids.map((id) => resolveScenario(graph, candidateSpec(template, id))) };
  }
  return { kind: 'prepared-riskiest', request, template, candidates };
}

/**
 * "Whose complaint would hurt most?": the negative scenario from each candidate (`candidates`, else the `top`
 * customers by network value) on common random numbers, ranked by money at risk. A raw request is validated here,
 * a PreparedRiskiest (made once at the door) is run as it is.
 */
export async function riskiestCustomers(graph: CompiledGraph, input: RiskiestRequestInput | PreparedRiskiest | unknown, ctx: ScenarioContext = {}): Promise<RiskiestResult> {
  const t0 = performance.now();
  const { request, template, candidates } = prepareRiskiestRequest(graph, input, ctx.currency, ctx.stepDuration);
  const { top, rrSets } = request;
  let ids: string[];
  let network: Map<string, { mean: number; ci95: [number, number] }> | null = null;
  if (candidates) {
    ids = candidates.ids;
  } else {
    const uniform = template.probability === 'uniform';
    const ranking = await rankValues(graph, {
      model: 'ic', probability: template.probability, p: uniform ? Math.min(1, template.p * template.negativityBias) : template.p,
      activity: template.activity, top: Math.min(top, graph.n), by: 'total', rrSets, seed: template.seed,
    }, { pool: ctx.pool, signal: ctx.signal });
    ids = ranking.top.map((r) => r.id);
    network = new Map(ranking.top.map((r) => [r.id, r.valueWeightedReach]));
  }
  const perCandidate = template.runs ?? template.maxRuns;
  const entries: Omit<RiskiestEntry, 'rank'>[] = [];
  let runs = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const spec = candidateSpec(template, id);
    const onProgress = ctx.onProgress ? (done: number) => ctx.onProgress!(i * perCandidate + done, ids.length * perCandidate) : undefined;
    const { report } = await runScenario(graph, spec, { ...ctx, onProgress }, undefined, candidates?.simulations[i]);
    runs = report.runs;
    entries.push({
      id, ownValue: graph.value[indexOf(graph, id)], valueWeightedReach: network?.get(id) ?? null,
      // The deprecated names of valueWeightedReach (kept for this release).
      networkValue: network?.get(id)?.mean ?? null, network: network?.get(id) ?? null,
      reach: brief(report.reach), negative: brief(report.negative), impressions: brief(report.impressions),
      money: { atRisk: money(report.money.atRisk), earned: money(report.money.earned), net: money(report.money.net) },
    });
  }
  const order = entries.map((_, i) => i).sort((a, b) => entries[b].money.atRisk.mean - entries[a].money.atRisk.mean || a - b);
  const ranked = order.map((i, r) => ({ rank: r + 1, ...entries[i] }));
  const { customers: _c, ...assumptions } = { model: 'voice' as const, ...template, experience: 'negative' as const, amplifiers: 0, runs };
  return {
    candidates: candidates ? 'given' : 'value',
    currency: template.impact.currency,
    runs,
    seed: template.seed,
    top: ranked,
    ranked,
    assumptions: { ...assumptions, rrSets: candidates ? null : rrSets },
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}
