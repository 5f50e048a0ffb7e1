import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arcProbabilities, ltWeights } from '../src/diffusion/probability.js';
import { simulate } from '../src/diffusion/simulate.js';
import { indexOf } from '../src/graph/compile.js';
import { aliasTables, coverage, growRR, maxCoverage, memberCounts, RRCollection, RRMemoryLimitError, rrSpec, RR_BATCH } from '../src/influence/rr.js';
import { spreadRequest } from '../src/influence/influencers.js';
import { customerValue, rankValues, valueScores } from '../src/influence/value.js';
import { exactSpreads, karate, makeGraph } from './influence-helpers.js';

// a -> b .5, a -> c .4, b -> d .6, c -> d .3, d -> e .7, e -> a .2, b -> f .5, f -> e .25 (LT in-sums <= 1)
const EDGES: [string, string, number][] = [
  ['a', 'b', 0.5], ['a', 'c', 0.4], ['b', 'd', 0.6], ['c', 'd', 0.3], ['d', 'e', 0.7], ['e', 'a', 0.2], ['b', 'f', 0.5], ['f', 'e', 0.25],
];
const VALUES: [string, number][] = [['a', 1], ['b', 5], ['c', 0], ['d', 2], ['e', 10], ['f', 3]];

async function rrEstimates(model: 'ic' | 'lt', valueWeighted: boolean, sets: number, seed = 3) {
  const g = makeGraph(EDGES, { values: VALUES });
  const spec = rrSpec(g, { model, probability: 'attribute', p: 0, valueWeighted });
  const coll = new RRCollection();
  await growRR(g, spec, seed, 0, coll, sets);
  return { g, spec, coll, counts: memberCounts(coll, g.n) };
}

describe('RR sets on a tiny graph match exact live-edge expectations', () => {
  for (const model of ['ic', 'lt'] as const) {
    for (const valueWeighted of [false, true]) {
      it(`${model}, ${valueWeighted ? 'value-weighted roots (expected value reached)' : 'uniform roots (expected reach)'}`, async () => {
        const { g, spec, coll, counts } = await rrEstimates(model, valueWeighted, 200_000);
        expect(coll.count).toBe(Math.ceil(200_000 / RR_BATCH) * RR_BATCH);
        const arcP = model === 'lt' ? ltWeights(g, 'attribute', 0) : arcProbabilities(g, 'attribute', 0, { perArc: true }).arcP!;
        const exact = exactSpreads(g, model, arcP, valueWeighted ? g.value : undefined);
        for (let v = 0; v < g.n; v++) {
          const f = counts[v] / coll.count;
          const est = spec.scale * f;
          const se = spec.scale * Math.sqrt((f * (1 - f)) / coll.count);
          expect(Math.abs(est - exact.single[v]), `${g.ids[v]}: RR ${est} vs exact ${exact.single[v]}`).toBeLessThan(5 * se + 1e-9);
        }
        // A pair: coverage of {a, d}.
        const a = indexOf(g, 'a');
        const d = indexOf(g, 'd');
        const f = coverage(coll, g.n, [a, d]);
        expect(Math.abs(spec.scale * f - exact.pair(a, d))).toBeLessThan(5 * spec.scale * Math.sqrt((f * (1 - f)) / coll.count));
      });
    }
  }

  it('network value of every customer (value-weighted RR sets, roots excluded) matches exact value − own value', async () => {
    const g = makeGraph(EDGES, { values: VALUES });
    const s = await valueScores(g, { model: 'ic', probability: 'attribute', p: 0, rrSets: 200_000, seed: 5 });
    const arcP = arcProbabilities(g, 'attribute', 0, { perArc: true }).arcP!;
    const exact = exactSpreads(g, 'ic', arcP, g.value);
    for (let v = 0; v < g.n; v++) {
      const want = exact.single[v] - g.value[v];
      expect(Math.abs(s.network[v] - want), g.ids[v]).toBeLessThan(5 * s.stderr[v] + 1e-9);
    }
    // c has value 0 but reaches d (2) and e (10): its network value is far from 0.
    expect(s.network[indexOf(g, 'c')]).toBeGreaterThan(1);
  });

  it('rankValues lists customers by own + network value with CIs; customerValue agrees (Monte Carlo)', async () => {
    const g = makeGraph(EDGES, { values: VALUES });
    const arcP = arcProbabilities(g, 'attribute', 0, { perArc: true }).arcP!;
    const exact = exactSpreads(g, 'ic', arcP, g.value);
    const ranked = await rankValues(g, { model: 'ic', probability: 'attribute', p: 0, top: 6, rrSets: 100_000, seed: 2 });
    const order = Array.from({ length: g.n }, (_, i) => i).sort((x, y) => exact.single[y] - exact.single[x]);
    expect(ranked.top[0].id).toBe(g.ids[order[0]]);
    expect(ranked.top.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of ranked.top) {
      const v = indexOf(g, r.id);
      expect(r.totalValue).toBeCloseTo(r.ownValue + r.networkValue, 12);
      expect(r.networkCi95[0]).toBeLessThanOrEqual(r.networkValue);
      expect(Math.abs(r.totalValue - exact.single[v])).toBeLessThan(0.15);
    }
    const one = await customerValue(g, 'b', { model: 'ic', probability: 'attribute', p: 0, runs: 40_000, seed: 4 });
    const b = indexOf(g, 'b');
    expect(one.ownValue).toBe(5);
    expect(Math.abs(one.totalValue.mean - exact.single[b])).toBeLessThan(5 * one.totalValue.stderr);
    expect(one.networkValue.mean).toBeCloseTo(one.totalValue.mean - 5, 12);
    await expect(customerValue(g, 'nobody', {})).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a graph whose customers are all worth 0 has network value 0 everywhere (an answer, not an error)', async () => {
    const g = makeGraph([['a', 'b', 0.5]], { values: [['a', 0], ['b', 0]] });
    const r = await rankValues(g, { model: 'ic', probability: 'attribute', p: 0, top: 2 });
    expect(r.top.map((x) => x.totalValue)).toEqual([0, 0]);
  });
});

describe('RR sets on the karate club match direct Monte Carlo (simulate)', () => {
  const g = karate();
  it.skipIf(!g)('IC and LT, weighted cascade: single-customer reach for customers 0, 33, 16', async () => {
    for (const model of ['ic', 'lt'] as const) {
      const spec = rrSpec(g!, { model, probability: 'weighted-cascade', p: 0 });
      const coll = new RRCollection();
      await growRR(g!, spec, 11, 0, coll, 100_000);
      const counts = memberCounts(coll, g!.n);
      for (const id of ['0', '33', '16']) {
        const v = indexOf(g!, id);
        const f = counts[v] / coll.count;
        const rr = g!.n * f;
        const seRr = g!.n * Math.sqrt((f * (1 - f)) / coll.count);
        const mc = await simulate(g!, spreadRequest(model, { seeds: [id], runs: 20_000, seed: 9, probability: 'weighted-cascade', p: 0 }));
        const tol = 5 * Math.hypot(seRr, mc.reach.stderr);
        expect(Math.abs(rr - mc.reach.mean), `${model} ${id}: RR ${rr} vs MC ${mc.reach.mean}`).toBeLessThan(tol);
      }
    }
  });
});

describe('RR collections', () => {
  it('are reproducible from (seed, salt) and differ across salts; grow in whole batches', async () => {
    const g = makeGraph(EDGES);
    const spec = rrSpec(g, { model: 'ic', probability: 'attribute', p: 0 });
    const a = new RRCollection();
    const b = new RRCollection();
    const c = new RRCollection();
    await growRR(g, spec, 7, 1, a, 5000);
    await growRR(g, spec, 7, 1, b, 2000);
    await growRR(g, spec, 7, 1, b, 5000); // grown in two steps: the same sets
    await growRR(g, spec, 7, 2, c, 5000);
    expect(b.count).toBe(a.count);
    expect(Array.from(b.offsets.subarray(0, b.count + 1))).toEqual(Array.from(a.offsets.subarray(0, a.count + 1)));
    expect(Array.from(b.members.subarray(0, b.size))).toEqual(Array.from(a.members.subarray(0, a.size)));
    expect(Array.from(c.members.subarray(0, 200))).not.toEqual(Array.from(a.members.subarray(0, 200)));
  });

  it('are identical on a worker pool of 2 and in this thread', async () => {
    const worker = fileURLToPath(new URL('../dist/src/workers/worker.js', import.meta.url));
    if (!existsSync(worker)) {
      console.log('skipped: pool test needs the built worker (npm run build)');
      return;
    }
    const { WorkerPool } = await import('../src/workers/pool.js');
    const g = makeGraph(EDGES);
    const spec = rrSpec(g, { model: 'lt', probability: 'attribute', p: 0 });
    const pool = new WorkerPool({ workers: 2 });
    try {
      const a = new RRCollection();
      const b = new RRCollection();
      await growRR(g, spec, 3, 0, a, 40 * RR_BATCH);
      await growRR(g, spec, 3, 0, b, 40 * RR_BATCH, { pool });
      expect(b.count).toBe(a.count);
      expect(Array.from(b.members.subarray(0, b.size))).toEqual(Array.from(a.members.subarray(0, a.size)));
    } finally {
      await pool.close();
    }
  });

  it('greedy max coverage picks the customer in most sets, then the best complement', () => {
    const coll = new RRCollection();
    // sets: {0,1} {0,2} {0} {3} {3,1} {3,2} {4}
    const sets = [[0, 1], [0, 2], [0], [3], [3, 1], [3, 2], [4]];
    const members = Int32Array.from(sets.flat());
    const offsets = new Int32Array(sets.length + 1);
    sets.forEach((s, i) => (offsets[i + 1] = offsets[i] + s.length));
    coll.append(members, offsets);
    const r = maxCoverage(coll, 6, 4);
    expect(Array.from(r.seeds)).toEqual([0, 3, 4, 1]); // 0 and 3 tie at 3: lower index first; 1 covers nothing new (gain 0)
    expect(Array.from(r.covered)).toEqual([3, 3, 1, 0]);
    expect(r.total).toBe(7);
  });

  it('alias tables draw in proportion to weight', () => {
    const w = Float64Array.of(1, 0, 3, 6);
    const { aliasProb, aliasIdx } = aliasTables(w);
    // Exact probability of each outcome: (1/n) Σ_i [prob_i if i = j] + [(1 - prob_i) if alias_i = j].
    const p = new Float64Array(4);
    for (let i = 0; i < 4; i++) {
      p[i] += aliasProb[i] / 4;
      p[aliasIdx[i]] += (1 - aliasProb[i]) / 4;
    }
    expect(Array.from(p).map((x) => +x.toFixed(12))).toEqual([0.1, 0, 0.3, 0.6]);
  });
});

describe('RR collection memory limit', () => {
  it('grows by doubling, then only to what fits, and stops with RRMemoryLimitError before it holds more than the limit', () => {
    const limit = { maxBytes: 1 << 20, name: 'RIPPLE_MAX_REQUEST_MEMORY', lower: [{ path: 'body.epsilon', advice: 'raise it' }] };
    const coll = new RRCollection(16, 16, limit);
    const set = new Int32Array(100).fill(7);
    const offsets = Int32Array.of(0, 100);
    let err: unknown;
    let peak = 0;
    try {
      for (let i = 0; i < 10_000; i++) {
        coll.append(set, offsets);
        peak = Math.max(peak, (coll.members.length + coll.offsets.length) * 4);
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RRMemoryLimitError);
    expect((err as RRMemoryLimitError).statusCode).toBe(422);
    expect((err as Error).message).toMatch(/above the 1\.0 MB one request may hold \(RIPPLE_MAX_REQUEST_MEMORY\); stopped before it grew: raise epsilon$/);
    expect(peak).toBeLessThanOrEqual(1 << 20);
    // It stopped at the growth that would have needed both copies past the bound: half the limit held in members.
    expect(coll.members.length * 4).toBeGreaterThanOrEqual(1 << 19);
    expect(coll.size).toBe(coll.count * 100);
    // No limit: the same appends all fit.
    const free = new RRCollection(16, 16);
    for (let i = 0; i < 10_000; i++) free.append(set, offsets);
    expect(free.count).toBe(10_000);
  });
});
