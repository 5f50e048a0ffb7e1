import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/graph/builder.js';
import { compile, type CompiledGraph } from '../src/graph/compile.js';
import type { CustomerAttributes } from '../src/graph/model.js';
import { simulate } from '../src/diffusion/index.js';
import { isCompare, runScenarioRequest, scenarioFacts, type ScenarioReport, type ScenarioRequestInput } from '../src/scenarios/index.js';

/**
 * Who passes it on (`passers`: the share of runs in which a customer reached someone not reached before) and the
 * 95% intervals of the opinion curves (new and cumulative), against exact values on small graphs.
 */

function build(directed: boolean, ties: [string, string][], customers: [string, CustomerAttributes][] = []) {
  const b = new GraphBuilder({ name: 't', directed, source: 'test', format: 'json' });
  for (const [id, a] of customers) b.addCustomer(id, a);
  for (const [s, t] of ties) b.addTie(s, t, {});
  const data = b.finish().data;
  return { data, graph: compile(data) };
}

async function single(g: CompiledGraph, req: ScenarioRequestInput, ctx = {}): Promise<ScenarioReport> {
  const r = await runScenarioRequest(g, req, ctx);
  if (isCompare(r)) throw new Error('expected a single report');
  return r;
}

// a -> b -> {c, d, e}
const tree = build(true, [['a', 'b'], ['b', 'c'], ['b', 'd'], ['b', 'e']], [['b', { label: 'Bea' }]]);
const social = build(false, [
  ['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['b', 'd'], ['d', 'e'], ['e', 'f'], ['a', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'e'], ['c', 'h'],
]);

describe('passers: who passes it on', () => {
  it('p = 1: b passes it on in every run, the leaves never; the complainant is not listed', async () => {
    const r = await single(tree.graph, { customer: 'a', p: 1, runs: 40 });
    expect(r.passers).toEqual([{ id: 'b', frequency: 1 }]);
    expect(r.amplifiers.map((x) => x.frequency)).toEqual([1, 1, 1, 1]);
  });

  it('matches the exact share: b reached (1/2) and reaching one of its three friends (7/8) = 7/16', async () => {
    // A complaint crosses an arc with min(1, p·negativityBias) = 0.5.
    const runs = 20000;
    const r = await single(tree.graph, { customer: 'a', p: 0.25, runs, seed: 3 });
    expect(r.passers.map((x) => x.id)).toEqual(['b']);
    const se = Math.sqrt((7 / 16) * (9 / 16) / runs);
    expect(Math.abs(r.passers[0].frequency - 7 / 16)).toBeLessThan(4 * se);
    const b = r.amplifiers.find((x) => x.id === 'b')!;
    expect(Math.abs(b.frequency - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / runs));
  });

  it('with the graph facts, passers and amplifiers carry the customers\' labels', async () => {
    const r = await single(tree.graph, { customer: 'a', p: 1, runs: 10 }, scenarioFacts(tree.data));
    expect(r.passers).toEqual([{ id: 'b', frequency: 1, label: 'Bea' }]);
    expect(r.amplifiers.find((x) => x.id === 'b')).toEqual({ id: 'b', frequency: 1, label: 'Bea' });
    expect(r.amplifiers.find((x) => x.id === 'c')).toEqual({ id: 'c', frequency: 1 });
  });

  it('a customer passes it on at most as often as it is reached; a public answer does not count the complainant twice', async () => {
    const r = await single(social.graph, { customer: 'a', p: 0.2, runs: 3000, response: { atStep: 1, effectiveness: 1, public: true } });
    expect(r.passers.length).toBeGreaterThan(3);
    const reached = new Map(r.amplifiers.map((x) => [x.id, x.frequency]));
    for (const p of r.passers) {
      expect(p.frequency).toBeGreaterThan(0);
      expect(p.frequency).toBeLessThanOrEqual(reached.get(p.id)! + 1e-12);
    }
    expect(r.passers.some((x) => x.id === 'a')).toBe(false);
  });

  it('the same numbers for any batch size (integer sums)', async () => {
    const req = { model: 'voice' as const, seeds: ['a'], p: 0.3, runs: 500, seed: 9, top: 8, response: { atStep: 1, effectiveness: 0.5, public: true } };
    const one = await simulate(social.graph, req);
    const other = await simulate(social.graph, req, { batchSize: 7 });
    const pick = (x: typeof one) => ({ passers: (x as { passers?: unknown }).passers, neg: x.negativeSteps, pos: x.positiveSteps });
    expect(pick(other)).toEqual(pick(one));
    expect((one as { passers?: unknown[] }).passers!.length).toBeGreaterThan(0);
  });
});

describe('opinion curves with 95% intervals', () => {
  it('p = 1: every interval has zero width at the exact counts', async () => {
    const r = await single(tree.graph, { customer: 'a', p: 1, runs: 30 });
    expect(r.negativeSteps.map((s) => s.newCi95)).toEqual([[1, 1], [1, 1], [3, 3]]);
    expect(r.negativeSteps.map((s) => s.cumulativeCi95)).toEqual([[1, 1], [2, 2], [5, 5]]);
  });

  it('the cumulative interval at the last step is the interval of the final holders (same per-run values), also with an answer', async () => {
    for (const response of [null, { atStep: 1, effectiveness: 0.6, public: true }, { atStep: 0, effectiveness: 0.5, public: false }]) {
      const r = await single(social.graph, { customer: 'a', p: 0.15, runs: 4000, seed: 5, response });
      for (const [curve, final] of [[r.negativeSteps, r.negative], [r.positiveSteps, r.positive]] as const) {
        const last = curve[curve.length - 1];
        expect(last.cumulativeMean).toBeCloseTo(final.mean, 10);
        if (final.sd > 0) {
          expect(last.cumulativeCi95![0]).toBeCloseTo(Math.max(0, final.ci95[0]), 9);
          expect(last.cumulativeCi95![1]).toBeCloseTo(final.ci95[1], 9);
        }
      }
      // Step 0: the complainant alone (or turned before speaking) — new and cumulative agree.
      expect(r.negativeSteps[0].newCi95).toEqual(r.negativeSteps[0].cumulativeCi95);
      for (const s of r.negativeSteps) {
        expect(s.newCi95![0]).toBeLessThanOrEqual(Math.max(0, s.newMean) + 1e-12);
        expect(s.cumulativeCi95![0]).toBeLessThanOrEqual(s.cumulativeMean + 1e-12);
        expect(s.cumulativeCi95![1]).toBeGreaterThanOrEqual(s.cumulativeMean - 1e-12);
      }
    }
  });
});
