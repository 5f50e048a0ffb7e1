import { describe, expect, it } from 'vitest';
import { NotFoundError, InputError } from '../src/errors.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import type { CustomerAttributes } from '../src/graph/model.js';
import { resolveSimulation, simulate, simulateRuns } from '../src/diffusion/index.js';
import {
  isCompare, pairedDifference, prepareRiskiestRequest, prepareScenarioRequest, riskiestCustomers, runScenarioRequest,
  type CompareResult, type ScenarioReport, type ScenarioRequestInput,
} from '../src/scenarios/index.js';

function graph(directed: boolean, ties: [string, string][], customers: [string, CustomerAttributes][] = []): CompiledGraph {
  const b = new GraphBuilder({ name: 't', directed, source: 'test', format: 'json' });
  for (const [id, a] of customers) b.addCustomer(id, a);
  for (const [s, t] of ties) b.addTie(s, t, {});
  return compile(b.finish().data);
}

async function single(g: CompiledGraph, req: ScenarioRequestInput): Promise<ScenarioReport> {
  const r = await runScenarioRequest(g, req);
  if (isCompare(r)) throw new Error('expected a single report');
  return r;
}
async function compare(g: CompiledGraph, req: ScenarioRequestInput): Promise<CompareResult> {
  const r = await runScenarioRequest(g, req);
  if (!isCompare(r)) throw new Error('expected a compare result');
  return r;
}
const noTime = <T extends { elapsedMs: number }>(r: T) => ({ ...r, elapsedMs: 0 });

// a -> b -> {c, d, e}; values and audiences on every customer.
const tree = graph(true, [['a', 'b'], ['b', 'c'], ['b', 'd'], ['b', 'e']], [
  ['a', { value: 100, followers: 10, activity: 1 }],
  ['b', { value: 20, followers: 0 }],
  ['c', { value: 3, followers: 5, activity: 0.5 }],
  ['d', { value: 4 }],
  ['e', { value: 5 }],
]);

// A small undirected social graph with cycles (enough randomness for the statistical invariants).
const social = graph(false, [
  ['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['b', 'd'], ['d', 'e'], ['e', 'f'], ['a', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'e'], ['c', 'h'],
], [['a', { value: 50 }], ['c', { value: 10 }], ['h', { value: 7, followers: 100, activity: 0.8 }]]);

describe('scenario report', () => {
  it('p = 1: every figure is exact (reach, negative, impressions, time to peak, money, value share)', async () => {
    const r = await single(tree, { customer: 'a', p: 1, runs: 50, impact: { churnIfNegative: 0.1, upliftIfPositive: 0.5, currency: 'USD' } });
    expect(r.reach).toMatchObject({ mean: 5, sd: 0, min: 5, max: 5 });
    expect(r.negative.mean).toBe(5);
    expect(r.positive.mean).toBe(0);
    // Σ 1 + followers·activity: a 1+10, b 1, c 1+2.5, d 1, e 1
    expect(r.impressions.mean).toBe(17.5);
    expect(r.impressions.ci95).toEqual([17.5, 17.5]);
    // new per step: 1 (a), 1 (b), 3 (c, d, e): the peak is at step 2 in every run
    expect(r.timeToPeak).toMatchObject({ mean: 2, ci95: [2, 2], meanCurvePeak: 2 });
    expect(r.money.currency).toBe('USD');
    expect(r.money.atRisk.mean).toBeCloseTo(0.1 * 132, 12);
    expect(r.money.earned.mean).toBe(0);
    expect(r.money.net.mean).toBeCloseTo(-13.2, 12);
    expect(r.valueExposed).toMatchObject({ mean: 132, graphValue: 132, share: { mean: 1 } });
    expect(r.negativeSteps.map((s) => s.newMean)).toEqual([1, 1, 3]);
    expect(r.amplifiers.map((x) => x.id).sort()).toEqual(['b', 'c', 'd', 'e']);
  });

  it('p = 1: each opinion\'s time to peak is exact (ties: the first step; a brand turn is not a customer reached)', async () => {
    const runs = 40;
    const exact = (step: number) => ({ mean: step, sd: 0, stderr: 0, ci95: [step, step], runs });
    // a -> b -> {c, d, e}: negative new per step 1, 1, 3 — the peak is step 2 in every run; praise never spreads.
    const complaint = await single(tree, { customer: 'a', p: 1, runs });
    expect(complaint.negativeTimeToPeak).toEqual(exact(2));
    expect(complaint.positiveTimeToPeak).toBeNull();
    // Praise, and a complaint answered before it spreads (public, always effective): the same tree, all positive.
    for (const req of [{ experience: 'positive' as const }, { response: { atStep: 0, effectiveness: 1, public: true } }]) {
      const r = await single(tree, { customer: 'a', p: 1, runs, ...req });
      expect(r.positiveTimeToPeak).toEqual(exact(2));
      expect(r.negativeTimeToPeak).toBeNull();
    }
    // Answered privately after step 1: b (step 1) and c, d, e (step 2) are negative; the complainant's turn at step 1
    // counts +1 on the positive mean curve (its peak, step 1) but reaches no one, so praise has no time to peak.
    const turned = await single(tree, { customer: 'a', p: 1, runs, response: { atStep: 1, effectiveness: 1, public: false } });
    expect(turned.negativeTimeToPeak).toEqual(exact(2));
    expect(turned.timeToPeak.positive).toEqual({ step: 1, newMean: 1 });
    expect(turned.positiveTimeToPeak).toBeNull();
    // A path a -> b -> c -> d: one new customer per step, a tie at every step: the first, step 1.
    const path = graph(true, [['a', 'b'], ['b', 'c'], ['c', 'd']]);
    expect((await single(path, { customer: 'a', p: 1, runs })).negativeTimeToPeak).toEqual(exact(1));
    // A customer who reaches no one: no time to peak for either opinion (the combined one is 0, as before).
    const alone = await single(path, { customer: 'd', p: 1, runs });
    expect([alone.negativeTimeToPeak, alone.positiveTimeToPeak, alone.timeToPeak.mean]).toEqual([null, null, 0]);
  });

  it('echoes every default as assumptions', async () => {
    const r = await single(tree, { customer: 'a', runs: 10 });
    expect(r.assumptions).toEqual({
      model: 'voice', customers: ['a'], experience: 'negative', maxSteps: 20, horizon: 20, probability: 'uniform', p: 0.05, activity: 'per-arc', negativityBias: 2,
      response: null, impact: { churnIfNegative: 0.05, upliftIfPositive: 0.02, currency: 'EUR' },
      runs: 10, precision: null, maxRuns: 100_000, seed: 1, amplifiers: 10, stepDuration: null, reachOf: [],
    });
    const withResponse = await single(tree, { customers: ['a', 'a', 'b'], runs: 10, response: {} }, );
    expect(withResponse.assumptions.customers).toEqual(['a', 'b']);
    expect(withResponse.assumptions.response).toEqual({ atStep: 1, effectiveness: 0.5, public: true });
  });

  it('the same request and seed give the same report; the horizon caps the steps', async () => {
    const req = { customer: 'a', p: 0.3, runs: 500, seed: 9 };
    expect(noTime(await single(social, req))).toEqual(noTime(await single(social, req)));
    const short = await single(tree, { customer: 'a', p: 1, runs: 5, maxSteps: 1 });
    expect(short.reach.mean).toBe(2);
  });

  it('unknown customer: NotFoundError (404) naming it; bad requests: InputError (400)', async () => {
    await expect(runScenarioRequest(tree, { customer: 'zz' })).rejects.toThrow(NotFoundError);
    await expect(runScenarioRequest(tree, { customer: 'zz' })).rejects.toThrow(/customer "zz" is not in the graph/);
    await expect(runScenarioRequest(tree, { customer: 'a', variants: [{ name: 'x' }, { name: 'y', customer: 'nope' }] })).rejects.toThrow(/"nope"/);
    await expect(runScenarioRequest(tree, {})).rejects.toThrow(InputError);
    await expect(runScenarioRequest(tree, { customer: 'a', customers: ['b'] })).rejects.toThrow(/exactly one/);
    await expect(runScenarioRequest(tree, { customer: 'a', runs: 10, precision: 0.1 })).rejects.toThrow(/not both/);
    await expect(runScenarioRequest(tree, { customer: 'a', p: 2 })).rejects.toThrow(/p:/);
    await expect(runScenarioRequest(tree, { customer: 'a', variants: [{ name: 'x' }, { name: 'x' }] })).rejects.toThrow(/duplicate/);
    const e = await runScenarioRequest(tree, { customer: 'zz' }).catch((x: unknown) => x);
    expect((e as NotFoundError).statusCode).toBe(404);
  });
});

/**
 * The combined time to peak of the seeded request below (social, a, p 0.3, 2000 runs, seed 5, public answer at step 1
 * with effectiveness 0.6), as the code before the per-opinion figures (branch integ4 at 3d69ab9) reported it.
 */
const COMBINED_PEAK_BEFORE = { mean: 1.457, ci95: [1.4246325801811008, 1.4893674198188993] };

describe('invariants', () => {
  const base = { customer: 'a', p: 0.3, runs: 2000, seed: 5 } as const;

  it('a response with effectiveness 0 changes nothing (any step, public or not)', async () => {
    const none = await single(social, base);
    for (const response of [{ atStep: 0, effectiveness: 0 }, { atStep: 1, effectiveness: 0, public: true }, { atStep: 3, effectiveness: 0, public: false }]) {
      const r = await single(social, { ...base, response });
      // Only the words differ: the summary says the brand answered (and won no one over).
      expect({ ...noTime(r), assumptions: null, summary: null }).toEqual({ ...noTime(none), assumptions: null, summary: null });
      expect(r.summary).toMatch(/wins the complainant over in 0% of runs/);
    }
  });

  it('effectiveness 1 at step 0, public: the whole cascade is positive — run by run the praise cascade', async () => {
    const answered = await single(social, { ...base, response: { atStep: 0, effectiveness: 1, public: true } });
    const praise = await single(social, { ...base, experience: 'positive' });
    expect(answered.negative.max).toBe(0);
    expect(answered.positive).toEqual(praise.positive);
    expect(answered.reach).toEqual(praise.reach);
    expect(answered.money.atRisk.mean).toBe(0);
    expect(answered.money.earned).toEqual(praise.money.earned);
    // privately: the complainant is satisfied and says nothing
    const quiet = await single(social, { ...base, response: { atStep: 0, effectiveness: 1, public: false } });
    expect(quiet.reach).toMatchObject({ mean: 1, max: 1 });
    expect(quiet.positive.mean).toBe(1);
  });

  it('effectiveness 1 at step 1 (the earliest after speaking), public: step 0–1 unchanged, the complainant turns, negatives fall', async () => {
    // The engine answers after the activations of step atStep: customers reached at step 1 already hold the complaint.
    const r = await compare(social, { ...base, variants: [{ name: 'none', response: null }, { name: 'at 1', response: { atStep: 1, effectiveness: 1, public: true } }] });
    const [none, at1] = r.variants;
    expect(at1.negativeSteps[0].newMean).toBe(1);
    expect(at1.negativeSteps[1].newMean).toBeCloseTo(none.negativeSteps[1].newMean - 1, 12);
    expect(at1.positiveSteps[1].newMean).toBe(1);
    expect(at1.positive.min).toBeGreaterThanOrEqual(1);
    const d = r.differences[0];
    expect(d.negative.ci95[1]).toBeLessThan(0);
    expect(d.positive.ci95[0]).toBeGreaterThan(0);
    // Each opinion's time to peak, paired over the runs in which it spreads in both: praise never does without an answer.
    expect(d.positiveTimeToPeak).toBeNull();
    const pairs = d.negativeTimeToPeak!;
    expect(pairs.runs).toBeGreaterThan(0);
    expect(pairs.runs).toBeLessThanOrEqual(Math.min(none.negativeTimeToPeak!.runs, at1.negativeTimeToPeak!.runs));
    expect(pairs.ci95[0]).toBeLessThanOrEqual(pairs.mean);
    expect(pairs.ci95[1]).toBeGreaterThanOrEqual(pairs.mean);
  });

  it('each opinion\'s time to peak: over the runs in which it spreads, its mean inside its CI; the combined one unchanged', async () => {
    const answered = await single(social, { ...base, response: { atStep: 1, effectiveness: 0.6, public: true } });
    for (const o of [answered.negativeTimeToPeak!, answered.positiveTimeToPeak!]) {
      expect(o.runs).toBeGreaterThan(100);
      expect(o.runs).toBeLessThanOrEqual(2000);
      expect(o.sd).toBeGreaterThan(0);
      expect(o.ci95[0]).toBeLessThan(o.mean);
      expect(o.ci95[1]).toBeGreaterThan(o.mean);
      expect(o.mean).toBeGreaterThanOrEqual(1);
    }
    // Praise spreads only where the complainant was won over and then reached someone: in fewer runs than the complaint.
    expect(answered.positiveTimeToPeak!.runs).toBeLessThan(answered.negativeTimeToPeak!.runs);
    // The combined time to peak of this seeded request, as the code before the per-opinion figures gave it.
    expect(answered.timeToPeak).toMatchObject({ mean: COMBINED_PEAK_BEFORE.mean, ci95: COMBINED_PEAK_BEFORE.ci95 });
    // Without an answer only the complaint spreads: the combined per-run peak is the negative one, 0 where it is 0.
    const none = await single(social, base);
    expect(none.positiveTimeToPeak).toBeNull();
    expect(none.timeToPeak.mean * none.runs).toBeCloseTo(none.negativeTimeToPeak!.mean * none.negativeTimeToPeak!.runs, 9);
  });

  it('a higher negativity bias never lowers expected negative reach (paired, same streams)', async () => {
    const r = await compare(social, {
      customer: 'a', p: 0.15, runs: 3000, seed: 3,
      variants: [1, 1.5, 2, 3, 6].map((b) => ({ name: `bias ${b}`, negativityBias: b })),
    });
    for (let i = 1; i < r.variants.length; i++) {
      expect(r.variants[i].negative.mean).toBeGreaterThan(r.variants[i - 1].negative.mean);
      expect(r.differences[i - 1].negative.ci95[0]).toBeGreaterThan(0);
    }
  });

  it('money scales linearly with the coefficients (exactly for power-of-two factors)', async () => {
    const req = { ...base, response: { atStep: 1, effectiveness: 0.5, public: true } };
    const one = await single(social, { ...req, impact: { churnIfNegative: 0.05, upliftIfPositive: 0.02 } });
    const two = await single(social, { ...req, impact: { churnIfNegative: 0.1, upliftIfPositive: 0.04 } });
    for (const k of ['atRisk', 'earned', 'net'] as const) {
      expect(two.money[k].mean).toBe(2 * one.money[k].mean);
      expect(two.money[k].ci95).toEqual([2 * one.money[k].ci95[0], 2 * one.money[k].ci95[1]]);
    }
    const odd = await single(social, { ...req, impact: { churnIfNegative: 0.05 * 0.37, upliftIfPositive: 0.02 * 0.37 } });
    for (const k of ['atRisk', 'earned', 'net'] as const) expect(odd.money[k].mean).toBeCloseTo(0.37 * one.money[k].mean, 10);
    const zero = await single(social, { ...req, impact: { churnIfNegative: 0, upliftIfPositive: 0 } });
    expect(zero.money.net).toMatchObject({ mean: 0, ci95: [0, 0] });
    // and money is the coefficient times the engine's per-run value held
    const { perRun } = await simulateRuns(social, { model: 'voice', seeds: ['a'], p: 0.3, runs: 2000, seed: 5, response: req.response, maxSteps: 20 });
    const negValue = perRun!.negativeValue!.reduce((s, x) => s + x, 0) / 2000;
    expect(one.money.atRisk.mean).toBeCloseTo(0.05 * negValue, 10);
  });
});

describe('compare mode', () => {
  it('identical variants give identical reports and exactly zero differences', async () => {
    const r = await compare(social, { customer: 'a', p: 0.3, runs: 1000, response: { atStep: 2, effectiveness: 0.5 }, variants: [{ name: 'x' }, { name: 'y' }] });
    const [x, y] = r.variants;
    expect({ ...noTime(y), name: 'x' }).toEqual(noTime(x));
    const d = r.differences[0];
    expect(d).toMatchObject({ from: 'x', to: 'y' });
    expect(d.negativeTimeToPeak!.runs).toBe(x.negativeTimeToPeak!.runs);
    expect(d.positiveTimeToPeak!.runs).toBe(x.positiveTimeToPeak!.runs);
    for (const s of [d.reach, d.negative, d.positive, d.impressions, d.timeToPeak, d.negativeTimeToPeak!, d.positiveTimeToPeak!, d.valueExposed, d.money.atRisk, d.money.earned, d.money.net]) {
      expect(s.mean).toBe(0);
      expect(s.ci95).toEqual([0, 0]);
      if (s.relative) expect(s.relative).toEqual({ mean: 0, ci95: [0, 0] });
    }
  });

  it('each variant equals the same scenario run alone (common random numbers); overrides merge into the base', async () => {
    const req = { customer: 'a', p: 0.3, runs: 800, seed: 4, impact: { churnIfNegative: 0.2 } };
    const r = await compare(social, { ...req, variants: [{ name: 'none' }, { name: 'praise', experience: 'positive', impact: { upliftIfPositive: 0.5 } }] });
    const alone = await single(social, { ...req, experience: 'positive', impact: { churnIfNegative: 0.2, upliftIfPositive: 0.5 } });
    const { name: _name, ...praise } = r.variants[1];
    expect(noTime(praise)).toEqual(noTime(alone));
    expect(r.variants[1].assumptions.impact).toEqual({ churnIfNegative: 0.2, upliftIfPositive: 0.5, currency: 'EUR' });
  });

  it('validated once: a prepared request (parsed, customers resolved) runs to the same answer as the raw one; its errors come at the door', async () => {
    const req = { customer: 'a', p: 0.3, runs: 500, seed: 2, variants: [{ name: 'none' }, { name: 'answer', response: { atStep: 1, effectiveness: 0.5, public: true } }] };
    const prepared = prepareScenarioRequest(social, req);
    expect(prepared.names).toEqual(['none', 'answer']);
    expect(Array.from(prepared.simulations[0].seeds)).toEqual([social.ids.indexOf('a')]);
    const a = await runScenarioRequest(social, prepared);
    const b = await runScenarioRequest(social, req);
    const strip = (c: CompareResult) => ({ ...noTime(c), variants: c.variants.map(noTime) });
    expect(strip(a as CompareResult)).toEqual(strip(b as CompareResult));
    expect(() => prepareScenarioRequest(social, { customer: 'zz' })).toThrow(/customer "zz" is not in the graph/);
    expect(() => prepareScenarioRequest(social, {})).toThrow(/exactly one/);
    // The engine takes the resolved request as it is: its seed indices, not the ids, are what it runs from.
    const resolved = resolveSimulation(social, { model: 'ic', seeds: ['a'], p: 0.4, runs: 300, seed: 9 });
    const moved = { ...resolved, seeds: Int32Array.of(social.ids.indexOf('b')) };
    const fromB = await simulate(social, { model: 'ic', seeds: ['b'], p: 0.4, runs: 300, seed: 9 });
    expect(noTime(await simulate(social, moved))).toEqual(noTime(fromB));
  });

  it('precision mode: the first variant decides the runs, the others reuse them', async () => {
    const r = await compare(social, { customer: 'a', p: 0.3, precision: 0.05, variants: [{ name: 'a' }, { name: 'b', negativityBias: 1 }] });
    expect(r.variants[0].stoppedBy).toBe('precision');
    expect(r.variants[1].runs).toBe(r.variants[0].runs);
    expect(r.runs).toBe(r.variants[0].runs);
  });

  it('progress is reported over all variants', async () => {
    const seen: [number, number][] = [];
    await runScenarioRequest(social, { customer: 'a', runs: 300, variants: [{ name: 'a' }, { name: 'b' }] }, { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.at(-1)).toEqual([600, 600]);
    for (const [d, t] of seen) expect(d).toBeLessThanOrEqual(t);
  });
});

describe('paired difference', () => {
  it('a constant ratio gives the exact relative change with a zero-width CI (delta method)', () => {
    const from = Float64Array.from({ length: 100 }, (_, i) => 10 + (i % 7));
    const to = from.map((x) => 0.625 * x);
    const d = pairedDifference(from, to);
    expect(d.relative!.mean).toBeCloseTo(-0.375, 14);
    expect(d.relative!.ci95[1] - d.relative!.ci95[0]).toBeLessThan(1e-12);
    expect(d.mean).toBeCloseTo(-0.375 * 13 + 0.375 * (13 - (from.reduce((s, x) => s + x, 0) / 100)), 10);
  });

  it('matches the delta-method formula on noisy pairs; null when the baseline mean is 0', () => {
    const from = Float64Array.from([3, 5, 4, 8, 6, 2, 7]);
    const to = Float64Array.from([2, 4, 4, 5, 5, 1, 6]);
    const n = 7;
    const mx = from.reduce((s, x) => s + x, 0) / n;
    const my = to.reduce((s, x) => s + x, 0) / n;
    let sxx = 0, syy = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      sxx += (from[i] - mx) ** 2;
      syy += (to[i] - my) ** 2;
      sxy += (from[i] - mx) * (to[i] - my);
    }
    const R = my / mx;
    const varR = (syy / (n - 1) - 2 * R * sxy / (n - 1) + R * R * sxx / (n - 1)) / (mx * mx) / n;
    const d = pairedDifference(from, to);
    expect(d.relative!.mean).toBeCloseTo(R - 1, 14);
    expect(d.relative!.ci95[1]).toBeCloseTo(R - 1 + 1.96 * Math.sqrt(varR), 12);
    expect(pairedDifference(new Float64Array(5), Float64Array.from([1, 2, 3, 4, 5])).relative).toBeNull();
  });
});

describe('riskiest customers', () => {
  // hub -> everyone (directed): the hub's complaint reaches every customer's value.
  const star = graph(true, [['hub', 'x'], ['hub', 'y'], ['hub', 'z'], ['x', 'y']], [
    ['hub', { value: 1 }], ['x', { value: 50 }], ['y', { value: 30 }], ['z', { value: 400 }],
  ]);

  it('ranks given candidates by money at risk, with CIs', async () => {
    const r = await riskiestCustomers(star, { candidates: ['x', 'hub', 'y'], p: 0.5, runs: 3000, impact: { churnIfNegative: 0.1 } });
    expect(r.candidates).toBe('given');
    expect(r.top.map((e) => e.id)).toEqual(['hub', 'x', 'y']);
    expect(r.top.map((e) => e.rank)).toEqual([1, 2, 3]);
    // p·bias = 1: the hub reaches everyone in every run
    expect(r.top[0].money.atRisk).toEqual({ mean: 0.1 * 481, ci95: [0.1 * 481, 0.1 * 481] });
    expect(r.top[2].money.atRisk.mean).toBeCloseTo(3, 12);
    expect(r.top[1].money.atRisk.ci95[0]).toBeLessThanOrEqual(r.top[1].money.atRisk.mean);
    expect(r.assumptions).toMatchObject({ experience: 'negative', rrSets: null, runs: 3000 });
  });

  it('by default takes the top customers by network value', async () => {
    const r = await riskiestCustomers(star, { top: 2, p: 0.5, runs: 500, rrSets: 5000 });
    expect(r.candidates).toBe('value');
    expect(r.top).toHaveLength(2);
    expect(r.top.map((e) => e.id).sort()).toEqual(['hub', 'z']);
    expect(r.top[0].id).toBe('hub');
    expect(r.top[0].networkValue).toBeGreaterThan(400);
  });

  it('unknown candidate: 404', async () => {
    await expect(riskiestCustomers(star, { candidates: ['nope'] })).rejects.toThrow(NotFoundError);
  });

  it('validated once: a prepared request (parsed, candidates resolved) runs to the same answer as the raw one; its errors come at the door', async () => {
    const req = { candidates: ['x', 'hub', 'x'], p: 0.5, runs: 400, seed: 3 };
    const prepared = prepareRiskiestRequest(star, req);
    expect(prepared.candidates!.ids).toEqual(['x', 'hub']);
    expect(prepared.candidates!.simulations.map((r) => Array.from(r.seeds))).toEqual([[star.ids.indexOf('x')], [star.ids.indexOf('hub')]]);
    expect(noTime(await riskiestCustomers(star, prepared))).toEqual(noTime(await riskiestCustomers(star, req)));
    expect(prepareRiskiestRequest(star, { top: 2 }).candidates).toBeNull();
    expect(() => prepareRiskiestRequest(star, { candidates: ['x', 'nope'] })).toThrow(NotFoundError);
    expect(() => prepareRiskiestRequest(star, { top: 0 })).toThrow(InputError);
    // The engine takes the prepared request as it is: the resolved candidate runs, not a re-parse of the ids.
    const moved = { ...prepared, candidates: { ids: ['x'], simulations: [prepared.candidates!.simulations[1]] } };
    const r = await riskiestCustomers(star, moved);
    const hub = (await riskiestCustomers(star, { ...req, candidates: ['hub'] })).ranked[0];
    expect(r.ranked[0]).toEqual({ ...hub, id: 'x', ownValue: 50 });
  });
});
