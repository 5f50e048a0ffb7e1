import type { CompiledGraph } from '../graph/compile.js';
import { indexOf } from '../graph/compile.js';
import type { MeanCi } from '../diffusion/stats.js';
import { rankValues } from '../influence/value.js';
import { checkCustomers, runScenario, type Assumptions, type Money } from './report.js';
import type { ScenarioContext } from './compare.js';
import { parseScenarioInput, resolveSpec, riskiestRequestSchema, type RiskiestRequestInput } from './schema.js';

/**
 * "Whose complaint would hurt most?" (issue 5 part 4): the negative scenario run for each candidate, ranked
 * by expected money at risk (largest first; ties by candidate order), each figure with its 95% CI.
 *
 * Candidates: the given list, or the top-N customers by network value (own value + expected value its voice
 * reaches, value-weighted RR sets, src/influence/value.ts) under IC with the scenario's scheme. Under the
 * `uniform` scheme the ranking uses the probability of a complaint, min(1, p·negativityBias); under other
 * schemes it uses the positive-message probabilities (RR sets do not model the bias), a pre-selection only:
 * the ranking itself always comes from the full negative scenario.
 *
 * Every candidate runs on the same seed: its runs are paired with the other candidates' (common random numbers).
 */

const brief = (m: MeanCi) => ({ mean: m.mean, ci95: m.ci95 });
const money = (m: Money) => ({ mean: m.mean, ci95: m.ci95 });

export interface RiskiestEntry {
  rank: number;
  id: string;
  ownValue: number;
  /** Network value used to pick the candidate (source `value`; a number, `network.mean`), else null. */
  networkValue: number | null;
  /** The same with its 95% interval (source `value`), else null. */
  network: { mean: number; ci95: [number, number] } | null;
  reach: { mean: number; ci95: [number, number] };
  negative: { mean: number; ci95: [number, number] };
  impressions: { mean: number; ci95: [number, number] };
  money: { atRisk: { mean: number; ci95: [number, number] }; earned: { mean: number; ci95: [number, number] }; net: { mean: number; ci95: [number, number] } };
}

export interface RiskiestResult {
  candidates: 'given' | 'value';
  currency: string;
  runs: number;
  seed: number;
  /** The candidates, most money at risk first (`top`, as every ranking). */
  top: RiskiestEntry[];
  /** @deprecated the old name of `top` (the same list), kept for this release. */
  ranked: RiskiestEntry[];
  /** As in a scenario report, without the customers (each entry is one). */
  assumptions: Omit<Assumptions, 'customers'> & { rrSets: number | null };
  elapsedMs: number;
}

/**
 * "Whose complaint would hurt most?": the negative scenario from each candidate (`candidates`, else the `top`
 * customers by network value) on common random numbers, ranked by money at risk.
 */
export async function riskiestCustomers(graph: CompiledGraph, input: RiskiestRequestInput | unknown, ctx: ScenarioContext = {}): Promise<RiskiestResult> {
  const t0 = performance.now();
  const req = parseScenarioInput(riskiestRequestSchema, 'riskiest request', input);
  const { top, candidates: given, rrSets, ...rest } = req;
  const template = resolveSpec({ ...rest, customer: '-' }, {}, ctx.currency, ctx.stepDuration);
  let ids: string[];
  let network: Map<string, { mean: number; ci95: [number, number] }> | null = null;
  if (given) {
    ids = [...new Set(given)];
    checkCustomers(graph, ids);
  } else {
    const uniform = template.probability === 'uniform';
    const ranking = await rankValues(graph, {
      model: 'ic', probability: template.probability, p: uniform ? Math.min(1, template.p * template.negativityBias) : template.p,
      top: Math.min(top, graph.n), by: 'total', rrSets, seed: template.seed,
    }, { pool: ctx.pool, signal: ctx.signal });
    ids = ranking.top.map((r) => r.id);
    network = new Map(ranking.top.map((r) => [r.id, r.network]));
  }
  const perCandidate = template.runs ?? template.maxRuns;
  const entries: Omit<RiskiestEntry, 'rank'>[] = [];
  let runs = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const spec = { ...template, customers: [id], experience: 'negative' as const, amplifiers: 0 };
    const onProgress = ctx.onProgress ? (done: number) => ctx.onProgress!(i * perCandidate + done, ids.length * perCandidate) : undefined;
    const { report } = await runScenario(graph, spec, { ...ctx, onProgress });
    runs = report.runs;
    entries.push({
      id, ownValue: graph.value[indexOf(graph, id)], networkValue: network?.get(id)?.mean ?? null, network: network?.get(id) ?? null,
      reach: brief(report.reach), negative: brief(report.negative), impressions: brief(report.impressions),
      money: { atRisk: money(report.money.atRisk), earned: money(report.money.earned), net: money(report.money.net) },
    });
  }
  const order = entries.map((_, i) => i).sort((a, b) => entries[b].money.atRisk.mean - entries[a].money.atRisk.mean || a - b);
  const ranked = order.map((i, r) => ({ rank: r + 1, ...entries[i] }));
  const { customers: _c, ...assumptions } = { model: 'voice' as const, ...template, experience: 'negative' as const, amplifiers: 0, runs };
  return {
    candidates: given ? 'given' : 'value',
    currency: template.impact.currency,
    runs,
    seed: template.seed,
    top: ranked,
    ranked,
    assumptions: { ...assumptions, rrSets: given ? null : rrSets },
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}
