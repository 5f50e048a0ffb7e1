import { describe, expect, it } from 'vitest';
import { simulate } from '../src/diffusion/simulate.js';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { rankValues } from '../src/influence/value.js';
import { riskiestCustomers, runScenarioRequest } from '../src/scenarios/index.js';
import type { CompareResult, ScenarioReport } from '../src/scenarios/index.js';

/**
 * Issue 19 point 5: activity's two readings — `per-arc` (a multiplier on every arc leaving the customer) and `gate`
 * (the customer passes anything on at all with probability activity) — wherever a model or a method reads activity:
 * the catalogue's simulations, scenarios (single, compare, riskiest) and influencers (IMM, CELF, a baseline, the fresh
 * collection and the engine's re-estimate). Exact values by hand on one small graph:
 *
 *   a (activity 0.5) → b1 … b6 (p = 1), each bi → d (p = 1);   x (activity 1) → y1, y2, y3 (p = 1), x → y4 (p = 0.75).
 *
 * From a, per-arc: each bi is reached with 0.5 on its own, d when any is: 1 + 6·0.5 + (1 − 0.5^6) = 4.984375.
 * From a, gate: a passes it on (all six arcs, then d) or nobody hears it: 1 + 0.5·7 = 4.5, and P(reach = 1) = 0.5.
 * From x (activity 1, so both readings): 1 + 3 + 0.75 = 4.75. The best single voice is a per-arc and x under the gate.
 * (The HTTP doors — influencers, scenarios, lt + gate — are checked on this graph in network-value-readings.test.ts,
 * beside the value routes, on the app that file builds anyway.)
 */

const PER_ARC_A = 1 + 3 + (1 - 0.5 ** 6);
const GATE_A = 4.5;
const X = 4.75;

function build(activityOfA: number): CompiledGraph {
  const b = new GraphBuilder({ name: 'gate', directed: true, source: 'test', format: 'json' });
  b.addCustomer('a', { activity: activityOfA });
  for (let i = 1; i <= 6; i++) b.addCustomer(`b${i}`, {});
  b.addCustomer('d', {});
  b.addCustomer('x', {});
  for (let i = 1; i <= 4; i++) b.addCustomer(`y${i}`, {});
  for (let i = 1; i <= 6; i++) {
    b.addTie('a', `b${i}`, { p: 1 });
    b.addTie(`b${i}`, 'd', { p: 1 });
  }
  for (let i = 1; i <= 3; i++) b.addTie('x', `y${i}`, { p: 1 });
  b.addTie('x', 'y4', { p: 0.75 });
  return compile(b.finish().data);
}

const g = build(0.5);
const plain = build(1);


/** Within 4 standard errors (an estimate {mean, ci95}: the 95% half-width / 1.96). */
function near(mean: number, ci95: [number, number], want: number, what: string): void {
  const se = (ci95[1] - ci95[0]) / (2 * 1.959963984540054);
  expect(Math.abs(mean - want), `${what}: ${mean} [${ci95[0]}, ${ci95[1]}] vs ${want}`).toBeLessThanOrEqual(4 * se + 1e-9);
}

const noTime = <T extends object>(r: T) => ({ ...r, elapsedMs: 0, selectionMs: 0 });

/** Each model that reads activity, with rates that make one run from a the IC cascade (and SI's "for good"). */
const MODELS = [
  { model: 'ic', perArc: PER_ARC_A },
  { model: 'voice', negativityBias: 1, perArc: PER_ARC_A },
  { model: 'sir', beta: 1, gamma: 1, perArc: PER_ARC_A },
  // SI tries every arc at every step until it succeeds: per-arc every arc of a gets through (8 customers); gated, a is silent half the time
  { model: 'si', beta: 1, maxSteps: 80, perArc: 8 },
  { model: 'sis', beta: 1, lambda: 1, perArc: PER_ARC_A },
  { model: 'seir', beta: 1, alpha: 1, gamma: 1, perArc: PER_ARC_A },
  { model: 'seis', beta: 1, alpha: 1, lambda: 1, perArc: PER_ARC_A },
  { model: 'swir', kappa: 1, mu: 0, nu: 0, perArc: PER_ARC_A },
  { model: 'ctic', perArc: PER_ARC_A },
] as const;

describe('catalogue simulations: both readings of activity', () => {
  it('from a: per-arc and gate give the hand-computed means, and gated P(reach = 1) = 0.5, for every model that reads activity', async () => {
    for (const { model, perArc, ...params } of MODELS) {
      const req = { model, seeds: ['a'], probability: 'attribute', p: 0, runs: 8000, seed: 3, exceedance: [2], ...params } as const;
      const pa = await simulate(g, { ...req, activity: 'per-arc' } as never);
      const gt = await simulate(g, { ...req, activity: 'gate' } as never);
      expect(Math.abs(pa.reach.mean - perArc), `${model} per-arc ${pa.reach.mean}`).toBeLessThanOrEqual(4 * pa.reach.stderr + 1e-9);
      expect(Math.abs(gt.reach.mean - GATE_A), `${model} gate ${gt.reach.mean}`).toBeLessThanOrEqual(4 * gt.reach.stderr);
      // Gated, a passes it on or nobody hears it: P(reach >= 2) = 0.5 (per-arc: 1 − 0.5^6)
      expect(Math.abs(gt.exceedance![0].probability - 0.5), `${model} gate P(reach >= 2)`).toBeLessThan(4 * Math.sqrt(0.25 / 8000));
      expect(pa.exceedance![0].probability, `${model} per-arc P(reach >= 2)`).toBeGreaterThan(0.97);
    }
  });

  it('without any activity below 1 the gate is the same runs, digit for digit, for every model', async () => {
    for (const { model, perArc: _p, ...params } of MODELS) {
      const req = { model, seeds: ['a', 'x'], probability: 'attribute', p: 0.5, runs: 500, seed: 9, ...params } as const;
      const pa = await simulate(plain, { ...req, activity: 'per-arc' } as never);
      const gt = await simulate(plain, { ...req, activity: 'gate' } as never);
      expect(noTime(gt), model).toEqual(noTime(pa));
    }
  });

  it('the traced run is run 0 under the gate (SIR, SI, SEIR, CTIC: the same draws as the Monte Carlo runs)', async () => {
    for (const { model, perArc: _p, ...params } of MODELS.filter((m) => ['sir', 'si', 'seir', 'ctic'].includes(m.model))) {
      for (let seed = 1; seed <= 12; seed++) {
        const r = await simulate(g, { model, seeds: ['a'], probability: 'attribute', p: 0, runs: 1, seed, activity: 'gate', trace: true, samples: true, ...params } as never);
        expect(r.trace!.reach, `${model} seed ${seed}`).toBe(r.samples!.reach[0]);
      }
    }
  });

  it('lt reads activity per arc only: gate is a 400 naming the field', async () => {
    await expect(simulate(g, { model: 'lt', seeds: ['a'], activity: 'gate' } as never)).rejects.toMatchObject({
      statusCode: 400, details: { errors: [expect.objectContaining({ path: 'activity' })] },
    });
    const ok = await simulate(g, { model: 'lt', seeds: ['a'], activity: 'per-arc', runs: 10 });
    expect(ok.runs).toBe(10);
  });
});

describe('influencers: IMM, CELF, a baseline and the fresh evaluation read the gate', () => {
  const base = { k: 1, probability: 'attribute', p: 0, runs: 5000, gainSamples: 100_000, seed: 2 } as const;

  it('CELF and IMM pick a per-arc and x under the gate; spread and fresh-collection gains match the hand values', async () => {
    for (const method of ['celf', 'imm'] as const) {
      const o = { ...base, method, celfRuns: 10_000, epsilon: 0.05, compare: false };
      const pa = await findInfluencers(g, { ...o, activity: 'per-arc' });
      const gt = await findInfluencers(g, { ...o, activity: 'gate' });
      expect([pa.activity, gt.activity]).toEqual(['per-arc', 'gate']);
      expect(pa.seeds[0].id, method).toBe('a');
      expect(gt.seeds[0].id, method).toBe('x');
      near(pa.spread.mean, pa.spread.ci95, PER_ARC_A, `${method} per-arc spread`);
      near(gt.spread.mean, gt.spread.ci95, X, `${method} gate spread`);
      near(pa.estimatedSpread, pa.estimatedSpreadCi95, PER_ARC_A, `${method} per-arc fresh gains`);
      near(gt.estimatedSpread, gt.estimatedSpreadCi95, X, `${method} gate fresh gains`);
    }
  });

  it('a baseline (degree) picks a either way; its fresh-collection estimate and the engine re-estimate follow the reading', async () => {
    const pa = await findInfluencers(g, { ...base, method: 'degree', activity: 'per-arc' });
    const gt = await findInfluencers(g, { ...base, method: 'degree', activity: 'gate' });
    expect([pa.seeds[0].id, gt.seeds[0].id]).toEqual(['a', 'a']);
    near(pa.estimatedSpread, pa.estimatedSpreadCi95, PER_ARC_A, 'degree per-arc');
    near(gt.estimatedSpread, gt.estimatedSpreadCi95, GATE_A, 'degree gate');
    near(gt.spread.mean, gt.spread.ci95, GATE_A, 'degree gate spread');
    // imm with its comparison: the heuristics' pick (a) loses to x on the fresh collection under the gate
    const cmp = await findInfluencers(g, { ...base, method: 'imm', activity: 'gate' });
    expect(cmp.seeds[0].id).toBe('x');
    expect(cmp.comparison!.candidates.find((c) => c.method === 'degree')!.estimate).toBeLessThan(cmp.comparison!.candidates.find((c) => c.method === cmp.pickedBy)!.estimate);
  });

  it('without any activity below 1 both readings give the same answer; lt with gate is a 400 naming activity', async () => {
    for (const method of ['imm', 'celf', 'degree'] as const) {
      const o = { ...base, method, runs: 500, gainSamples: 2000, celfRuns: 200 };
      const pa = await findInfluencers(plain, { ...o, activity: 'per-arc' });
      const gt = await findInfluencers(plain, { ...o, activity: 'gate' });
      expect(noTime({ ...gt, activity: 'per-arc' }), method).toEqual(noTime(pa));
    }
    await expect(findInfluencers(g, { ...base, model: 'lt', activity: 'gate' })).rejects.toMatchObject({
      statusCode: 400, details: { errors: [expect.objectContaining({ path: 'activity' })] },
    });
  });
});

describe('scenarios: single, compare and riskiest read the gate', () => {
  const base = { customer: 'a', probability: 'attribute', p: 0, negativityBias: 1, runs: 10_000, seed: 4 } as const;

  it('a complaint from a reaches the hand values under each reading, and assumptions echo it', async () => {
    for (const [activity, want] of [['per-arc', PER_ARC_A], ['gate', GATE_A]] as const) {
      const r = (await runScenarioRequest(g, { ...base, activity })) as ScenarioReport;
      expect(r.assumptions.activity).toBe(activity);
      near(r.reach.mean, r.reach.ci95, want, `scenario ${activity}`);
    }
    // no activity below 1: the same report, digit for digit (but the echo)
    const pa = (await runScenarioRequest(plain, { ...base, runs: 500 })) as ScenarioReport;
    const gt = (await runScenarioRequest(plain, { ...base, runs: 500, activity: 'gate' })) as ScenarioReport;
    expect(noTime({ ...gt, assumptions: { ...gt.assumptions, activity: 'per-arc' } })).toEqual(noTime(pa));
  });

  it('compare: a variant overrides activity; the paired difference is 4.5 − 4.984 within its interval', async () => {
    const r = (await runScenarioRequest(g, { ...base, variants: [{ name: 'per-arc' }, { name: 'gate', activity: 'gate' }] })) as CompareResult;
    expect(r.variants.map((v) => v.assumptions.activity)).toEqual(['per-arc', 'gate']);
    const d = r.differences[0].reach;
    near(d.mean, d.ci95, GATE_A - PER_ARC_A, 'paired difference');
    expect(d.ci95[1]).toBeLessThan(0);
  });

  it('riskiest: the candidate picked by value-weighted reach is a per-arc and x under the gate', async () => {
    for (const [activity, id, want] of [['per-arc', 'a', PER_ARC_A - 1], ['gate', 'x', X - 1]] as const) {
      const { customer: _c, ...rest } = base;
      const r = await riskiestCustomers(g, { ...rest, top: 1, runs: 2000, rrSets: 100_000, activity });
      expect(r.assumptions.activity).toBe(activity);
      expect(r.top[0].id, activity).toBe(id);
      const vwr = r.top[0].valueWeightedReach!;
      near(vwr.mean, vwr.ci95, want, `riskiest ${activity}`);
      expect(r.top[0].network).toEqual(vwr); // the deprecated name
    }
    // the value ranking under the gate says the same: x first
    const v = await rankValues(g, { probability: 'attribute', p: 0, top: 2, rrSets: 100_000, seed: 1, activity: 'gate' });
    expect(v.top.map((t) => t.id)).toEqual(['x', 'a']);
  });
});
