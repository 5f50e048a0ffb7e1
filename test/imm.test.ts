import { describe, expect, it } from 'vitest';
import { arcProbabilities, ltWeights } from '../src/diffusion/probability.js';
import { InputError } from '../src/errors.js';
import { celf } from '../src/influence/celf.js';
import { imm, immConstants, logBinomial, logGamma } from '../src/influence/imm.js';
import { rrSpec } from '../src/influence/rr.js';
import { bestPair, exactSpreads, makeGraph } from './influence-helpers.js';

// Two overlapping "stars" and a chain: hub h1 reaches a, b, c, d; hub h2 reaches c, d, e; x -> y -> z.
// Greedy's first pick (h1) is part of the best pair, so greedy and brute force must agree.
const EDGES: [string, string, number][] = [
  ['h1', 'a', 0.8], ['h1', 'b', 0.7], ['h1', 'c', 0.6], ['h1', 'd', 0.5],
  ['h2', 'c', 0.9], ['h2', 'd', 0.9], ['h2', 'e', 0.4],
  ['x', 'y', 0.9], ['y', 'z', 0.9], ['a', 'b', 0.3],
];
/** The same shape with LT weights (in-sums <= 1). */
const EDGES_LT: [string, string, number][] = [
  ['h1', 'a', 0.8], ['h1', 'b', 0.6], ['h1', 'c', 0.4], ['h1', 'd', 0.3],
  ['h2', 'c', 0.5], ['h2', 'd', 0.6], ['h2', 'e', 0.4],
  ['x', 'y', 0.9], ['y', 'z', 0.9], ['a', 'b', 0.3],
];

describe('log-gamma and IMM constants', () => {
  it('ln C(n, k) matches direct products and survives huge n', () => {
    expect(logBinomial(10, 3)).toBeCloseTo(Math.log(120), 10);
    expect(logBinomial(52, 5)).toBeCloseTo(Math.log(2598960), 9);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    let direct = 0;
    for (let i = 0; i < 50; i++) direct += Math.log(15233 - i) - Math.log(i + 1);
    expect(logBinomial(15233, 50)).toBeCloseTo(direct, 7);
    expect(Number.isFinite(logBinomial(1e9, 1000))).toBe(true);
  });

  it('λ*, λ\' and the adjusted ℓ follow Tang et al. 2015', () => {
    const n = 1000;
    const k = 10;
    const c = immConstants(n, k, 0.1, 1);
    const l = 1 + Math.LN2 / Math.log(n);
    expect(c.ellAdjusted).toBeCloseTo(l, 12);
    const lnC = logBinomial(n, k);
    const e1 = 1 - 1 / Math.E;
    const alpha = Math.sqrt(l * Math.log(n) + Math.LN2);
    const beta = Math.sqrt(e1 * (lnC + l * Math.log(n) + Math.LN2));
    expect(c.lambdaStar).toBeCloseTo((2 * n * (e1 * alpha + beta) ** 2) / 0.01, 6);
    const ep = Math.SQRT2 * 0.1;
    expect(c.lambdaPrime).toBeCloseTo(((2 + (2 * ep) / 3) * (lnC + l * Math.log(n) + Math.log(Math.log2(n))) * n) / (ep * ep), 6);
  });
});

describe('k = 2 on a tiny graph: IMM and CELF find the brute-force best pair', () => {
  for (const model of ['ic', 'lt'] as const) {
    const g = makeGraph(model === 'lt' ? EDGES_LT : EDGES);
    const arcP = model === 'lt' ? ltWeights(g, 'attribute', 0) : arcProbabilities(g, 'attribute', 0, { perArc: true }).arcP!;
    const exact = exactSpreads(g, model, arcP);
    const { best, spread, second } = bestPair(g.n, exact.pair);

    it(`${model}: the best pair is well separated (sanity of the fixture)`, () => {
      expect(spread - second).toBeGreaterThan(0.05);
    });

    it(`${model}: IMM (ε = 0.05)`, async () => {
      const r = await imm(g, rrSpec(g, { model, probability: 'attribute', p: 0 }), { k: 2, epsilon: 0.05, seed: 1 });
      expect([...r.seeds].sort((x, y) => x - y)).toEqual(best);
      // gains are coverage increments on the final fresh collection; they add up to its estimate, close to exact.
      expect(r.gains[0] + r.gains[1]).toBeCloseTo(r.estimate, 9);
      expect(Math.abs(r.estimate - spread)).toBeLessThan(0.1);
      expect(r.gains[0]).toBeGreaterThanOrEqual(r.gains[1]);
      expect(r.theta).toBeGreaterThan(0);
      expect(r.lowerBound).toBeGreaterThanOrEqual(1);
    });

    it(`${model}: CELF (2000 shared worlds)`, async () => {
      const r = await celf(g, { k: 2, model, arcP, runs: 2000, seed: 1 });
      expect([...r.seeds].sort((x, y) => x - y)).toEqual(best);
      expect(Math.abs(r.estimate - spread)).toBeLessThan(0.15);
      // First gain = σ̂ of the first seed alone, close to its exact spread.
      expect(Math.abs(r.gains[0] - exact.single[r.seeds[0]])).toBeLessThan(0.1);
    });
  }

  it('IMM is reproducible for a seed and changes with it only within noise', async () => {
    const g = makeGraph(EDGES);
    const spec = rrSpec(g, { model: 'ic', probability: 'attribute', p: 0 });
    const a = await imm(g, spec, { k: 3, seed: 5 });
    const b = await imm(g, spec, { k: 3, seed: 5 });
    expect(Array.from(b.seeds)).toEqual(Array.from(a.seeds));
    expect(Array.from(b.gains)).toEqual(Array.from(a.gains));
    expect(b.theta).toBe(a.theta);
  });

  it('edge cases: one customer; k = n; a graph with no ties', async () => {
    const one = makeGraph([], { customers: ['solo'] });
    const r1 = await imm(one, rrSpec(one, { model: 'ic', probability: 'uniform', p: 0.1 }), { k: 1 });
    expect(Array.from(r1.seeds)).toEqual([0]);
    expect(r1.estimate).toBe(1);
    const empty = makeGraph([], { customers: ['a', 'b', 'c', 'd'] });
    const r2 = await imm(empty, rrSpec(empty, { model: 'ic', probability: 'uniform', p: 0.1 }), { k: 4 });
    expect([...r2.seeds].sort()).toEqual([0, 1, 2, 3]);
    expect(r2.estimate).toBeCloseTo(4, 12); // every RR set is its root alone
  });

  it('bad k and ε are InputErrors', async () => {
    const g = makeGraph(EDGES);
    const spec = rrSpec(g, { model: 'ic', probability: 'attribute', p: 0 });
    await expect(imm(g, spec, { k: 0 })).rejects.toBeInstanceOf(InputError);
    await expect(imm(g, spec, { k: g.n + 1 })).rejects.toBeInstanceOf(InputError);
    await expect(imm(g, spec, { k: 2, epsilon: 1 })).rejects.toBeInstanceOf(InputError);
    await expect(imm(g, spec, { k: 2, epsilon: 0 })).rejects.toBeInstanceOf(InputError);
  });
});
