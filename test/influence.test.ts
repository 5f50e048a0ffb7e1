import { describe, expect, it } from 'vitest';
import { InputError, UnprocessableError } from '../src/errors.js';
import { indexOf } from '../src/graph/compile.js';
import { degreeDiscountSeeds, degreeSeeds, pagerankSeeds, reversed } from '../src/influence/baselines.js';
import { celf, CELF_LIMITS } from '../src/influence/celf.js';
import { findInfluencers } from '../src/influence/influencers.js';
import { karate, makeGraph } from './influence-helpers.js';

// Undirected: star 0 - {1,2,3,4}, and 4 - 5, 5 - 6, 5 - 7.
const DD_EDGES: [string, string][] = [['0', '1'], ['0', '2'], ['0', '3'], ['0', '4'], ['4', '5'], ['5', '6'], ['5', '7']];

describe('baselines', () => {
  const g = makeGraph(DD_EDGES, { directed: false, customers: ['0', '1', '2', '3', '4', '5', '6', '7'] });

  it('degree discount (Chen, Wang, Yang 2009) on a worked example, p = 0.1', () => {
    // d = [4,1,1,1,2,3,1,1]. Pick 0 (4): t_1..t_4 = 1, dd_4 = 2 − 2 − (2 − 1)·1·0.1 = −0.1, dd_1..3 = −1.
    // Pick 5 (3): t_4 = 2 -> dd_4 = 2 − 4 − 0 = −2; t_6 = t_7 = 1 -> dd = 1 − 2 − 0 = −1.
    // Pick the lowest index among dd = −1: 1.
    const r = degreeDiscountSeeds(g, 3, 0.1);
    expect(Array.from(r.seeds, (v) => g.ids[v])).toEqual(['0', '5', '1']);
    expect(Array.from(r.scores)).toEqual([4, 3, -1]);
    const after1 = degreeDiscountSeeds(g, 2, 0.1);
    expect(after1.scores[1]).toBe(3);
    // Plain degree would take 4 (degree 2) third.
    expect(Array.from(degreeSeeds(g, 3).seeds, (v) => g.ids[v])).toEqual(['0', '5', '4']);
  });

  it('dd_v − 2t_v − (d_v − t_v)·t_v·p with a non-integer discount', () => {
    // b has degree 5 (a, d, e, f, i); a has degree 4 (b, c, g, h). Pick b (5); a gets t = 1:
    // dd_a = 4 − 2 − (4 − 1)·1·0.1 = 1.7 > 1 (the leaves), so a is second with score 1.7.
    const h = makeGraph([['b', 'a'], ['b', 'd'], ['b', 'e'], ['b', 'f'], ['b', 'i'], ['a', 'c'], ['a', 'g'], ['a', 'h']], { directed: false });
    const r = degreeDiscountSeeds(h, 3, 0.1);
    expect(Array.from(r.seeds, (v) => h.ids[v])).toEqual(['b', 'a', 'd']);
    expect(r.scores[0]).toBe(5);
    expect(r.scores[1]).toBeCloseTo(1.7, 12);
    // d: t_d = 1 -> 1 − 2 − 0 = −1; c: t_c = 1 after a -> −1 as well; lower index wins (d was interned first).
    expect(r.scores[2]).toBe(-1);
    // With p = 0.5 the discount is larger: dd_a = 4 − 2 − 1.5 = 0.5 < 1, so a leaf comes second.
    expect(h.ids[degreeDiscountSeeds(h, 2, 0.5).seeds[1]]).not.toBe('a');
  });

  it('pagerank seeds use the direction of influence (reversed arcs) on directed graphs', () => {
    // Everyone listens to s (s -> a, s -> b, s -> c): s's voice reaches most, though nobody points at it.
    const d = makeGraph([['s', 'a'], ['s', 'b'], ['s', 'c'], ['a', 'b']], { directed: true });
    expect(d.ids[pagerankSeeds(d, 1).seeds[0]]).toBe('s');
    const r = reversed(d);
    expect(r.outOffsets[indexOf(d, 'b') + 1] - r.outOffsets[indexOf(d, 'b')]).toBe(2); // b -> s, b -> a in reverse
    expect(reversed(g)).toBe(g); // undirected: itself
  });

  it('k outside [1, n] is an InputError', () => {
    expect(() => degreeSeeds(g, 0)).toThrow(InputError);
    expect(() => degreeDiscountSeeds(g, 9, 0.1)).toThrow(InputError);
  });
});

describe('findInfluencers', () => {
  const g = makeGraph(DD_EDGES, { directed: false, customers: ['0', '1', '2', '3', '4', '5', '6', '7'] });

  it('answers DESIGN §8: method, model, k, seeds [{id, gain}], spread re-estimated by the engine, elapsedMs', async () => {
    const r = await findInfluencers(g, { k: 2, p: 0.3, runs: 4000, epsilon: 0.2 });
    expect(r.method).toBe('imm');
    expect(r.model).toBe('ic');
    expect(r.k).toBe(2);
    expect(r.seeds.map((s) => s.id)).toEqual(['0', '5']);
    expect(r.spread.mean).toBeGreaterThan(2);
    expect(r.spread.ci95[0]).toBeLessThan(r.spread.mean);
    expect(r.runs).toBe(4000);
    // The method's estimate agrees with the engine's Monte Carlo.
    expect(Math.abs(r.estimatedSpread - r.spread.mean)).toBeLessThan(5 * r.spread.stderr + 0.05);
    expect(r.imm!.theta).toBeGreaterThan(0);
    expect(r.elapsedMs).toBeGreaterThan(0);
  });

  it('every method runs, gains are marginal reach estimates, LT works', async () => {
    for (const method of ['celf', 'degree', 'pagerank', 'degree-discount'] as const) {
      const r = await findInfluencers(g, { k: 2, method, p: 0.3, runs: 4000 });
      expect(r.seeds).toHaveLength(2);
      expect(r.seeds[0].gain).toBeGreaterThanOrEqual(1);
      expect(Math.abs(r.estimatedSpread - r.spread.mean), method).toBeLessThan(5 * r.spread.stderr + 0.1);
    }
    const lt = await findInfluencers(g, { k: 1, model: 'lt', runs: 2000 });
    expect(lt.probability).toBe('weighted-cascade');
    expect(lt.seeds[0].id).toBe('0');
  });

  it('bad inputs are clear InputErrors', async () => {
    const bad = [{ k: 9 }, { k: 0 }, { k: 2, epsilon: 0 }, { k: 2, epsilon: 1 }, { k: 2, epsilon: 1.5 }, { k: 2, method: 'magic' }, { k: 2, model: 'sir' }, { k: 2, typo: 1 }, {}];
    for (const req of bad) {
      const e = await findInfluencers(g, req).catch((x: unknown) => x);
      expect(e, JSON.stringify(req)).toBeInstanceOf(InputError);
      expect((e as InputError).statusCode).toBe(400);
    }
    const e = (await findInfluencers(g, { k: 9 }).catch((x: unknown) => x)) as InputError;
    expect(e.message).toMatch(/k: must be at most the number of customers \(8\)/);
    const m = (await findInfluencers(g, { k: 2, method: 'magic' }).catch((x: unknown) => x)) as InputError;
    expect(m.message).toMatch(/method/);
  });

  it('CELF refuses graphs above its documented size, suggesting IMM', async () => {
    const n = CELF_LIMITS.customers + 1;
    const edges: [string, string][] = [];
    for (let i = 1; i < n; i++) edges.push([String(i - 1), String(i)]);
    const big = makeGraph(edges, { directed: true });
    const e = await celf(big, { k: 1, model: 'ic', arcP: new Float32Array(big.m) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnprocessableError);
    expect((e as Error).message).toMatch(/use method "imm"/);
  });

  it('karate club: IMM beats or matches the degree baseline (engine re-estimate)', async () => {
    const k = karate();
    if (!k) return;
    const a = await findInfluencers(k, { k: 3, probability: 'weighted-cascade', runs: 5000, seed: 2 });
    const b = await findInfluencers(k, { k: 3, method: 'degree', probability: 'weighted-cascade', runs: 5000, seed: 2 });
    expect(a.spread.mean).toBeGreaterThan(b.spread.mean - 3 * Math.hypot(a.spread.stderr, b.spread.stderr));
  });
});
