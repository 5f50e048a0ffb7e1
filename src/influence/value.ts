import { parseOrThrow } from '../validate.js';
import type { CompiledGraph } from '../graph/compile.js';
import { indexOf } from '../graph/compile.js';
import { CancelledError, NotFoundError } from '../errors.js';
import type { EnginePool } from '../workers/pool.js';
import { simulateRuns } from '../diffusion/simulate.js';
import { meanCi, type MeanCi } from '../diffusion/stats.js';
import { wilson } from '../diffusion/proportion.js';
import type { ProbabilityScheme } from '../diffusion/schemas.js';
import type { ActivityReading } from '../diffusion/request.js';
import type { EngineAnswer } from '../diffusion/result-schema.js';
import type { customerValueSchema, valueRankingSchema } from './result-schemas.js';
import { spreadRequest } from './influencers.js';
import { growRR, RRCounter, rrSpec } from './rr.js';
import {
  customerValueRequestSchema, schemeOf, valueRankingRequestSchema,
  type CustomerValueRequestInput, type ValueRankingRequestInput,
} from './schemas.js';
import { answerRows, type LazyRows, mapInSlices, sliceYielder, topKAsync } from '../graph/top-k.js';

/**
 * The value of one customer, network included (Domingos & Richardson, "Mining the network value of
 * customers", KDD 2001): own value (lifetime value) + network value = the expected value of the OTHER
 * customers its voice reaches under the chosen cascade model. It answers both "what is this customer
 * worth?" and "whose unhappiness costs most?" (a complaint travels the same arcs as praise).
 *
 * - One customer: direct Monte Carlo through the engine (simulate with the customer as the only seed):
 *   network value = mean value reached − own value, with the run-level CI.
 * - Everyone at once: value-weighted RR sets (roots drawn ∝ value, Borgs et al. 2014). A set rooted at w
 *   contains v ≠ w exactly when v's voice reaches w in that live-edge world, so
 *   totalValue · (sets containing v other than as root) / θ is an unbiased estimate of v's network value.
 *
 * Two readings of "network value" (README, "Network value: two readings"):
 * - `valueWeightedReach` (until issue 19 named `network` / `networkValue`, kept as deprecated aliases), the value-weighted reach: the expected value of the others v's voice reaches, whoever else would have
 *   reached them (the exposure of a complaint);
 * - `incremental`, Domingos & Richardson's: given organic adopters (a list and/or a share adopting on their own), the
 *   expected value reached with v minus without — what getting v to speak adds (ValueCounter, from the same sets).
 * Activity is read per arc (a multiplier) or as a gate (passes it on at all), as the request says (`activity`).
 */

/** The stream salt of value RR sets (exported for the API's pilot, which draws the same first sets). */
export const SALT_VALUE = 0x56414c55;

export interface ValueOptions {
  pool?: EnginePool;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** One customer's own and network value (the CustomerValue answer): the type of its schema (result-schemas.ts). */
export type CustomerValueResult = EngineAnswer<typeof customerValueSchema>;

/**
 * The value of one customer (Domingos & Richardson 2001): own value + value-weighted reach, the expected value of the
 * customers its voice reaches (Monte Carlo, with 95% CIs). Fields and defaults as `GET /graphs/:id/customers/:cid/value`.
 *
 * With a baseline (`baseline` ids and/or `baselineShare`) also its incremental value, with minus without given the
 * organic adopters, from `rrSets` value-weighted RR sets: the ranking's estimator (valueScores, ValueCounter) and its
 * Wilson interval, on the ranking's stream — so the same request gives exactly the ranking's figure for this customer.
 * (A forward Monte Carlo of "with minus without" would need both cascades in one live-edge world per run; the RR sets
 * give it for every customer at once, and its interval stays valid where the value is 0.)
 */
export async function customerValue(graph: CompiledGraph, customerId: string, rawReq: CustomerValueRequestInput | unknown = {}, opts: ValueOptions = {}): Promise<CustomerValueResult> {
  const t0 = performance.now();
  const req = parseOrThrow(customerValueRequestSchema, rawReq, 'value request');
  const v = indexOf(graph, customerId);
  if (v < 0) throw new NotFoundError(`customer ${JSON.stringify(customerId.length > 80 ? `${customerId.slice(0, 80)}…` : customerId)} is not in the graph`);
  const probability = schemeOf(req);
  const baseline = resolveBaseline(graph, req);
  // Progress: the Monte Carlo runs, then (with a baseline) the RR sets, as one count.
  const rr = baseline ? req.rrSets : 0;
  const { onProgress } = opts;
  const { result, perRun } = await simulateRuns(
    graph,
    spreadRequest(req.model, { seeds: [customerId], runs: req.runs, seed: req.seed, probability, p: req.p, activity: req.activity }),
    { ...opts, onProgress: onProgress ? (d, t) => onProgress(d, t + rr) : undefined },
  );
  const own = graph.value[v];
  const total = meanCi(perRun!.value, result.runs);
  const reached: MeanCi = {
    mean: Math.max(0, total.mean - own), sd: total.sd, stderr: total.stderr,
    ci95: [Math.max(0, total.ci95[0] - own), Math.max(0, total.ci95[1] - own)],
  };
  let incremental: Pick<CustomerValueResult, 'baseline' | 'incremental' | 'rrSets'> = {};
  if (baseline) {
    const s = await valueScores(
      graph, { model: req.model, probability, p: req.p, rrSets: req.rrSets, seed: req.seed, activity: req.activity, baseline },
      { ...opts, onProgress: onProgress ? (d, t) => onProgress(result.runs + d, result.runs + t) : undefined },
    );
    const inc = s.incremental!;
    incremental = {
      baseline: { customers: baseline.customers.length, share: baseline.share },
      incremental: { mean: inc.mean[v], ci95: [inc.ci95Lo[v], inc.ci95Hi[v]] },
      rrSets: s.rrSets,
    };
  }
  return {
    id: customerId, model: req.model, probability, p: req.p, activity: req.activity, runs: result.runs, seed: req.seed,
    ownValue: own, valueWeightedReach: reached, network: reached, total, networkValue: reached, totalValue: total, ...incremental, reach: result.reach,
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}

/** Network value of every customer (index-aligned arrays) from value-weighted RR sets. */
export interface ValueScores {
  own: Float64Array;
  network: Float64Array;
  /** Standard error of each network value: totalValue·√(f(1 − f)/θ), f = share of sets. */
  stderr: Float64Array;
  /**
   * 95% interval of each network value: totalValue × the Wilson interval of the share of sets (proportion.ts), valid
   * for a customer no set contains (then [0, totalValue·3.84/(θ + 3.84)], not [0, 0]).
   */
  ci95Lo: Float64Array;
  ci95Hi: Float64Array;
  rrSets: number;
  totalValue: number;
  /** With a baseline: each customer's incremental value (with it minus without) and its 95% interval. */
  incremental?: { mean: Float64Array; ci95Lo: Float64Array; ci95Hi: Float64Array };
}

/**
 * Organic adopters for the incremental reading: customers reached anyway (indices) and/or a share of customers who
 * each adopt on their own with that probability, independently.
 */
export interface ValueBaseline {
  customers: Int32Array;
  share: number;
}

/**
 * Counts value-weighted RR sets as they arrive (RRCounter: per customer, the sets containing it other than as their
 * root: the network value) and, with a baseline, the incremental reading in the same pass. A set R rooted at w says
 * "v's voice reaches w" for each v in R; w is reached anyway when R meets the baseline. So the value reached with v
 * minus without is totalValue · E[1{v ∈ R} · 1{R misses the baseline}], and with a share s of organic adopters (each
 * customer on its own, independently) E[1{R misses it} | R] = (1 − s)^|R|: each set adds the weight
 * 1{R ∩ B = ∅}·(1 − s)^|R| to every member, root included (v's own value counts when no one else would reach v).
 */
class ValueCounter extends RRCounter {
  readonly incremental: Float64Array | null;
  private readonly inBaseline: Uint8Array | null;
  private readonly logKeep: number;
  constructor(n: number, baseline: ValueBaseline | null) {
    super(n, true);
    this.incremental = baseline ? new Float64Array(n) : null;
    this.inBaseline = baseline && baseline.customers.length > 0 ? new Uint8Array(n) : null;
    if (baseline && this.inBaseline) for (const b of baseline.customers) this.inBaseline[b] = 1;
    this.logKeep = baseline ? Math.log1p(-baseline.share) : 0;
  }
  override append(members: Int32Array, offsets: Int32Array): void {
    super.append(members, offsets);
    const inc = this.incremental;
    if (!inc) return;
    const inB = this.inBaseline;
    const sets = offsets.length - 1;
    for (let i = 0; i < sets; i++) {
      const lo = offsets[i];
      const hi = offsets[i + 1];
      let missed = true;
      if (inB) for (let x = lo; x < hi && missed; x++) if (inB[members[x]]) missed = false;
      if (!missed) continue;
      const w = this.logKeep === 0 ? 1 : Math.exp((hi - lo) * this.logKeep);
      for (let x = lo; x < hi; x++) inc[members[x]] += w;
    }
  }
}

export async function valueScores(
  graph: CompiledGraph,
  o: { model: 'ic' | 'lt'; probability: ProbabilityScheme; p: number; rrSets: number; seed: number; activity?: ActivityReading; baseline?: ValueBaseline | null },
  opts: ValueOptions = {},
): Promise<ValueScores> {
  const n = graph.n;
  const own = Float64Array.from(graph.value);
  const network = new Float64Array(n);
  const stderr = new Float64Array(n);
  const ci95Lo = new Float64Array(n);
  const ci95Hi = new Float64Array(n);
  const baseline = o.baseline ?? null;
  const emptyIncremental = () => ({ mean: new Float64Array(n), ci95Lo: new Float64Array(n), ci95Hi: new Float64Array(n) });
  // No value anywhere: every network value is exactly 0.
  if (n === 0 || !(graph.totalValue > 0)) {
    return { own, network, stderr, ci95Lo, ci95Hi, rrSets: 0, totalValue: graph.totalValue, ...(baseline ? { incremental: emptyIncremental() } : {}) };
  }
  const spec = rrSpec(graph, { model: o.model, probability: o.probability, p: o.p, valueWeighted: true, activity: o.activity });
  // Counted as they arrive, never stored: memory O(n), whatever rrSets (same sets and counts as storing them).
  const coll = new ValueCounter(n, baseline);
  await growRR(graph, spec, o.seed, SALT_VALUE, coll, o.rrSets, opts);
  if (opts.signal?.aborted) throw new CancelledError();
  const { counts, count } = coll;
  const scale = spec.scale;
  const tick = sliceYielder();
  for (let v = 0; v < n; v++) {
    if ((v & 1023) === 1023) await tick();
    const f = counts[v] / count;
    network[v] = scale * f;
    stderr[v] = scale * Math.sqrt((f * (1 - f)) / count);
    const [lo, hi] = wilson(counts[v], count);
    ci95Lo[v] = scale * lo;
    ci95Hi[v] = scale * hi;
  }
  const out: ValueScores = { own, network, stderr, ci95Lo, ci95Hi, rrSets: count, totalValue: graph.totalValue };
  if (coll.incremental) {
    const inc = emptyIncremental();
    for (let v = 0; v < n; v++) {
      // A mean of weights in [0, 1]: its variance is at most f(1 − f), so Wilson's interval on the weighted count is valid
      // (exact for a set baseline, where the weights are 0 or 1; conservative for a share).
      const x = coll.incremental[v];
      inc.mean[v] = (scale * x) / count;
      const [lo, hi] = wilson(x, count);
      inc.ci95Lo[v] = scale * lo;
      inc.ci95Hi[v] = scale * hi;
    }
    out.incremental = inc;
  }
  return out;
}

/** The baseline a request names (ids looked up: an unknown one is a 404), or null without one. */
export function resolveBaseline(graph: CompiledGraph, req: { baseline?: string[]; baselineShare?: number; by?: string }): ValueBaseline | null {
  if (req.baseline === undefined && req.baselineShare === undefined && req.by !== 'incremental') return null;
  const ids = req.baseline ?? [];
  const customers = new Int32Array(ids.length);
  ids.forEach((id, i) => {
    const v = indexOf(graph, id);
    if (v < 0) throw new NotFoundError(`baseline customer ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} is not in the graph`);
    customers[i] = v;
  });
  return { customers, share: req.baselineShare ?? 0 };
}

/** What a value ranking answers (the ValueRanking answer): the type of its schema (result-schemas.ts). */
export type ValueRankingResult = EngineAnswer<typeof valueRankingSchema>;
/** One customer of a value ranking. */
export type RankedCustomer = ValueRankingResult['top'][number];

/** "Whose unhappiness costs most?": every customer's own value + value-weighted reach (and incremental value), the top ones listed. */
export async function rankValues(graph: CompiledGraph, rawReq: ValueRankingRequestInput | unknown = {}, opts: ValueOptions = {}): Promise<ValueRankingResult> {
  return (await ranked(graph, rawReq, opts, false)) as ValueRankingResult;
}

/** A value ranking whose long `top` (LAZY_ROWS_MIN rows or more) is LazyRows: for answers that are serialised, not read. */
export type ValueRankingAnswer = Omit<ValueRankingResult, 'top'> & { top: RankedCustomer[] | LazyRows<RankedCustomer> };

/**
 * rankValues for an answer (the API's value route, its jobs): the same answer, but a long `top` is made row by row
 * as it is serialised (LazyRows), not held as 100 000 row objects at once.
 */
export function rankValuesAnswer(graph: CompiledGraph, rawReq: ValueRankingRequestInput | unknown = {}, opts: ValueOptions = {}): Promise<ValueRankingAnswer> {
  return ranked(graph, rawReq, opts, true);
}

async function ranked(graph: CompiledGraph, rawReq: unknown, opts: ValueOptions, lazy: boolean): Promise<ValueRankingAnswer> {
  const t0 = performance.now();
  const req = parseOrThrow(valueRankingRequestSchema, rawReq, 'value request');
  const probability = schemeOf(req);
  const baseline = resolveBaseline(graph, req);
  const s = await valueScores(graph, { model: req.model, probability, p: req.p, rrSets: req.rrSets, seed: req.seed, activity: req.activity, baseline }, opts);
  const inc = s.incremental;
  let key: Float64Array;
  if (req.by === 'valueWeightedReach' || req.by === 'network') key = s.network;
  else if (req.by === 'incremental') key = inc!.mean;
  else {
    key = new Float64Array(s.own.length);
    for (let i = 0; i < key.length; i++) key[i] = s.own[i] + s.network[i];
  }
  // Ranked and listed in slices that yield to the event loop: `top` may be 100 000 customers of a million.
  const order = await topKAsync(key, Math.min(req.top, graph.n));
  const row = (i: number): RankedCustomer => {
    const v = order[i];
    const reached = { mean: s.network[v], ci95: [s.ci95Lo[v], s.ci95Hi[v]] as [number, number] };
    return {
      rank: i + 1, id: graph.ids[v], ownValue: s.own[v],
      valueWeightedReach: reached,
      // The deprecated names of valueWeightedReach (kept for this release): the number, its interval, the object.
      networkValue: s.network[v], networkCi95: reached.ci95, network: reached,
      totalValue: s.own[v] + s.network[v],
      total: { mean: s.own[v] + s.network[v], ci95: [s.own[v] + s.ci95Lo[v], s.own[v] + s.ci95Hi[v]] as [number, number] },
      ...(inc ? { incremental: { mean: inc.mean[v], ci95: [inc.ci95Lo[v], inc.ci95Hi[v]] as [number, number] } } : {}),
    };
  };
  const top = lazy ? await answerRows(order.length, row) : await mapInSlices(order.length, row);
  return {
    model: req.model, probability, p: req.p, activity: req.activity, by: req.by, seed: req.seed, rrSets: s.rrSets, graphValue: s.totalValue,
    ...(baseline ? { baseline: { customers: baseline.customers.length, share: baseline.share } } : {}),
    top,
    elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}
