import { describe, expect, it } from 'vitest';
import { CancelledError, InputError, NotFoundError } from '../src/errors.js';
import { indexOf } from '../src/graph/compile.js';
import { arcProbabilities, ltWeights } from '../src/diffusion/probability.js';
import { Rng } from '../src/diffusion/rng.js';
import { simulate, simulateRuns } from '../src/diffusion/simulate.js';
import { countStats, meanCi, nextCheckpoint } from '../src/diffusion/stats.js';
import { simulationRequestSchema, type SimulationRequestInput } from '../src/diffusion/schemas.js';
import { build, exactIc, exactLt, type Tie } from './diffusion-helpers.js';

/** |estimate - exact| within k standard errors (fixed seeds: deterministic, cannot flake). */
function expectNear(r: { mean: number; stderr: number }, exact: number, k = 4) {
  expect(Math.abs(r.mean - exact)).toBeLessThanOrEqual(k * r.stderr + 1e-9);
}

// A small directed graph with a cycle, a diamond and a sink: 6 customers, 9 arcs.
const smallTies: Tie[] = [
  ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e'], ['e', 'b'], ['c', 'f'], ['f', 'e'], ['b', 'f'],
];

describe('rng', () => {
  it('is reproducible per (seed, stream) and streams differ', () => {
    const a = new Rng(7, 3);
    const b = new Rng(7, 3);
    const c = new Rng(7, 4);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xa);
  });
  it('float() is uniform on [0,1) and floatOpen() on (0,1]', () => {
    const r = new Rng(1, 0);
    const bins = new Array(10).fill(0);
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.float();
      bins[Math.floor(x * 10)]++;
      const y = r.floatOpen();
      lo = Math.min(lo, y);
      hi = Math.max(hi, x);
    }
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500); // ~5 sd
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeLessThan(1);
  });
});

describe('IC against exact live-edge enumeration', () => {
  const g = build(true, smallTies);
  const seeds = [indexOf(g, 'a')];

  it('uniform p (geometric skipping path)', async () => {
    const res = await simulate(g, { model: 'ic', seeds: ['a'], p: 0.4, runs: 20_000, seed: 3 });
    expectNear(res.reach, exactIc(g, seeds, new Array(g.m).fill(0.4)));
    expect(res.steps[0]).toEqual({ step: 0, newMean: 1, cumulativeMean: 1, newCi95: [1, 1] }); // the seed, in every run
    expect(res.steps.at(-1)!.cumulativeMean).toBeCloseTo(res.reach.mean, 9);
  });

  it('weighted cascade with tie weights and customer activity', async () => {
    const wt: Tie[] = smallTies.map(([s, t], i) => [s, t, { weight: 1 + (i % 3) }]);
    const g2 = build(true, wt, [{ id: 'a', activity: 0.8 }, { id: 'b', activity: 0.5 }]);
    const probs = new Float64Array(g2.m);
    // p(u,v) = w(u,v) / sum of v's in-weights × activity(u), computed here independently.
    const inW = new Map<string, number>();
    wt.forEach(([, t, a]) => inW.set(t, (inW.get(t) ?? 0) + a!.weight!));
    for (let u = 0; u < g2.n; u++) {
      for (let a = g2.outOffsets[u]; a < g2.outOffsets[u + 1]; a++) {
        const v = g2.ids[g2.outTargets[a]];
        const w = wt.find(([s, t]) => s === g2.ids[u] && t === v)![2]!.weight!;
        const act = g2.ids[u] === 'a' ? 0.8 : g2.ids[u] === 'b' ? 0.5 : 1;
        probs[a] = (w / inW.get(v)!) * act;
      }
    }
    const computed = arcProbabilities(g2, 'weighted-cascade', 0).arcP!;
    for (let a = 0; a < g2.m; a++) expect(computed[a]).toBeCloseTo(probs[a], 6);
    const res = await simulate(g2, { model: 'ic', seeds: ['a'], probability: 'weighted-cascade', runs: 20_000, seed: 5 });
    expectNear(res.reach, exactIc(g2, [indexOf(g2, 'a')], probs));
  });

  it('attribute: the tie p, else the request p; trivalency values are fixed per arc', async () => {
    const at: Tie[] = smallTies.map(([s, t], i) => [s, t, i % 2 === 0 ? { p: 0.1 * (i + 1) } : {}]);
    const g3 = build(true, at);
    const probs = arcProbabilities(g3, 'attribute', 0.35).arcP!;
    const expected = new Float64Array(g3.m);
    for (let u = 0; u < g3.n; u++) {
      for (let a = g3.outOffsets[u]; a < g3.outOffsets[u + 1]; a++) {
        const i = at.findIndex(([s, t]) => s === g3.ids[u] && t === g3.ids[g3.outTargets[a]]);
        expected[a] = i % 2 === 0 ? 0.1 * (i + 1) : 0.35;
        expect(probs[a]).toBeCloseTo(expected[a], 6);
      }
    }
    const res = await simulate(g3, { model: 'ic', seeds: ['a'], probability: 'attribute', p: 0.35, runs: 20_000, seed: 9 });
    expectNear(res.reach, exactIc(g3, [indexOf(g3, 'a')], expected));
    const t1 = arcProbabilities(g3, 'trivalency', 0).arcP!;
    const t2 = arcProbabilities(g3, 'trivalency', 0).arcP!;
    expect(Array.from(t1)).toEqual(Array.from(t2));
    for (const x of t1) expect([0.1, 0.01, 0.001].map(Math.fround)).toContain(x);
  });

  it('several seeds on an undirected graph', async () => {
    const gu = build(false, [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['c', 'e']]);
    const res = await simulate(gu, { model: 'ic', seeds: ['a', 'e', 'a'], p: 0.5, runs: 20_000, seed: 11 });
    expect(res.seeds).toEqual(['a', 'e']);
    expect(res.reach.min).toBeGreaterThanOrEqual(2);
    expectNear(res.reach, exactIc(gu, [indexOf(gu, 'a'), indexOf(gu, 'e')], new Array(gu.m).fill(0.5)));
  });
});

describe('IC closed forms and limits', () => {
  const path: Tie[] = [['0', '1'], ['1', '2'], ['2', '3'], ['3', '4'], ['4', '5']];
  const g = build(true, path);

  it('path: 1 + p + p² + … and newMean(t) = p^t', async () => {
    const p = 0.6;
    for (const probability of ['uniform', 'attribute'] as const) {
      const res = await simulate(g, { model: 'ic', seeds: ['0'], p, probability, runs: 40_000, seed: 2 });
      expectNear(res.reach, (1 - p ** 6) / (1 - p));
      for (const s of res.steps) expect(Math.abs(s.newMean - p ** s.step)).toBeLessThan(0.015);
    }
  });

  it('maxSteps cuts the path', async () => {
    const res = await simulate(g, { model: 'ic', seeds: ['0'], p: 1, runs: 10, maxSteps: 2 });
    expect(res.reach.mean).toBe(3);
    expect(res.steps.map((s) => s.step)).toEqual([0, 1, 2]);
  });

  it('p = 0: seeds only; p = 1: exactly the reachable set, level by level', async () => {
    const g2 = build(true, smallTies);
    const zero = await simulate(g2, { model: 'ic', seeds: ['b', 'c'], p: 0, runs: 500 });
    expect(zero.reach).toMatchObject({ mean: 2, sd: 0, min: 2, max: 2 });
    expect(zero.amplifiers).toEqual([]);
    const one = await simulate(g2, { model: 'ic', seeds: ['c'], p: 1, runs: 300 });
    // c -> d, f ; d -> e ; f -> e ; e -> b ; b -> d, f: reachable {c, d, f, e, b}, levels 1, 2, 1, 1
    expect(one.reach).toMatchObject({ mean: 5, sd: 0, min: 5, max: 5 });
    expect(one.steps.map((s) => s.newMean)).toEqual([1, 2, 1, 1]);
    expect(one.amplifiers.map((a) => a.id).sort()).toEqual(['b', 'd', 'e', 'f']);
    expect(one.amplifiers.every((a) => a.frequency === 1)).toBe(true);
    for (const s of ['sir', 'voice'] as const) {
      const r = await simulate(g2, { model: s, seeds: ['c'], p: 1, probability: 'uniform', runs: 50, ...(s === 'sir' ? { beta: 1, gamma: 1 } : {}) } as SimulationRequestInput);
      expect(r.reach).toMatchObject({ mean: 5, sd: 0 });
    }
    // LT with b = 1 on a path (one in-arc each): every threshold is met
    const lt = await simulate(build(true, [['0', '1'], ['1', '2'], ['2', '3']]), { model: 'lt', seeds: ['0'], probability: 'uniform', p: 1, runs: 50 });
    expect(lt.reach).toMatchObject({ mean: 4, sd: 0 });
  });

  it('activity 0 silences a customer', async () => {
    const g3 = build(true, path, [{ id: '2', activity: 0 }]);
    const res = await simulate(g3, { model: 'ic', seeds: ['0'], p: 1, runs: 20 });
    expect(res.reach.mean).toBe(3);
  });
});

describe('LT against exact live-edge enumeration', () => {
  it('weighted cascade (default) with weights', async () => {
    const wt: Tie[] = smallTies.map(([s, t], i) => [s, t, { weight: 1 + (i % 4) }]);
    const g = build(true, wt);
    const b = ltWeights(g, 'weighted-cascade', 0);
    const res = await simulate(g, { model: 'lt', seeds: ['a'], runs: 20_000, seed: 4 });
    expect(res.probability).toBe('weighted-cascade');
    expectNear(res.reach, exactLt(g, [indexOf(g, 'a')], b));
  });

  it('uniform b = p below 1/indeg, on an undirected graph with two seeds', async () => {
    const g = build(false, [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['b', 'd'], ['d', 'e']]);
    const res = await simulate(g, { model: 'lt', seeds: ['a', 'e'], probability: 'uniform', p: 0.25, runs: 20_000, seed: 8 });
    expectNear(res.reach, exactLt(g, [indexOf(g, 'a'), indexOf(g, 'e')], new Array(g.m).fill(0.25)));
  });

  it('in-weights summing above 1 are a 400 naming the customer (DESIGN §3)', async () => {
    const g = build(true, [['a', 'c'], ['b', 'c'], ['c', 'd']]);
    const err = await simulate(g, { model: 'lt', seeds: ['a'], probability: 'uniform', p: 0.6 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('"c"');
    expect((err as InputError).statusCode).toBe(400);
  });
});

describe('SIR', () => {
  const g = build(false, [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['b', 'd'], ['d', 'e'], ['e', 'f']]);

  it('gamma = 1 is IC with p·beta (exact)', async () => {
    const sir = await simulate(g, { model: 'sir', seeds: ['a'], beta: 0.4, gamma: 1, p: 1, runs: 20_000, seed: 6 });
    const exact = exactIc(g, [indexOf(g, 'a')], new Array(g.m).fill(0.4));
    expectNear(sir.reach, exact);
    const ic = await simulate(g, { model: 'ic', seeds: ['a'], p: 0.4, runs: 20_000, seed: 6 });
    expect(Math.abs(sir.reach.mean - ic.reach.mean)).toBeLessThan(4 * Math.hypot(sir.reach.stderr, ic.reach.stderr));
  });

  it('S + I + R = n at every step, R grows, I ends at 0', async () => {
    const res = await simulate(g, { model: 'sir', seeds: ['a'], beta: 0.5, gamma: 0.3, runs: 2000, seed: 1 });
    const comps = res.compartments!;
    expect(comps[0]).toEqual({ step: 0, susceptible: g.n - 1, infected: 1, recovered: 0 });
    for (const c of comps) expect(c.susceptible + c.infected + c.recovered).toBeCloseTo(g.n, 9);
    for (let i = 1; i < comps.length; i++) expect(comps[i].recovered).toBeGreaterThanOrEqual(comps[i - 1].recovered - 1e-12);
    expect(comps.at(-1)!.infected).toBe(0);
    expect(comps.at(-1)!.recovered).toBeCloseTo(res.reach.mean, 9);
    // more recovery -> fewer reached, in expectation
    const fast = await simulate(g, { model: 'sir', seeds: ['a'], beta: 0.5, gamma: 0.9, runs: 2000, seed: 1 });
    expect(fast.reach.mean).toBeLessThan(res.reach.mean);
  });
});

describe('voice', () => {
  const g = build(false, [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'a'], ['b', 'd'], ['d', 'e'], ['e', 'f'], ['a', 'f']]);
  const base = { model: 'voice' as const, seeds: ['a'], p: 0.3, runs: 20_000, seed: 12 };

  it('a negative cascade with bias b is IC with min(1, p·b); positive is IC with p (exact)', async () => {
    const neg = await simulate(g, { ...base, negativityBias: 2 });
    expectNear(neg.negative!, exactIc(g, [indexOf(g, 'a')], new Array(g.m).fill(0.6)));
    expect(neg.positive!.max).toBe(0);
    const pos = await simulate(g, { ...base, experience: 'positive' });
    expectNear(pos.positive!, exactIc(g, [indexOf(g, 'a')], new Array(g.m).fill(0.3)));
    expect(pos.negative!.max).toBe(0);
  });

  it('effectiveness 0 changes nothing; negative + positive = reach in every run', async () => {
    const none = await simulate(g, { ...base, runs: 3000 });
    const zero = await simulate(g, { ...base, runs: 3000, response: { atStep: 1, effectiveness: 0, public: true } });
    expect({ ...zero, elapsedMs: 0 }).toEqual({ ...none, elapsedMs: 0 });
    const { perRun } = await simulateRuns(g, { ...base, runs: 3000, response: { atStep: 2, effectiveness: 0.7, public: true } });
    for (let r = 0; r < 3000; r++) expect(perRun!.negative![r] + perRun!.positive![r]).toBe(perRun!.reach[r]);
  });

  it('bias never lowers negative reach; a public, effective response lowers it and raises positive reach', async () => {
    let prev = -Infinity;
    for (const negativityBias of [1, 1.5, 2, 3]) {
      const r = await simulate(g, { ...base, runs: 5000, negativityBias });
      expect(r.negative!.mean).toBeGreaterThanOrEqual(prev - 3 * r.negative!.stderr);
      prev = r.negative!.mean;
    }
    const none = await simulate(g, { ...base, runs: 5000 });
    const answered = await simulate(g, { ...base, runs: 5000, response: { atStep: 1, effectiveness: 1, public: true } });
    expect(answered.negative!.mean).toBeLessThan(none.negative!.mean - 1);
    expect(answered.positive!.mean).toBeGreaterThan(1);
    // with effectiveness 1 the complainant always turns: at step 1 the negative curve drops by exactly 1
    expect(answered.negativeSteps![1].newMean).toBeCloseTo(none.negativeSteps![1].newMean - 1, 1);
    const privately = await simulate(g, { ...base, runs: 5000, response: { atStep: 1, effectiveness: 1, public: false } });
    expect(privately.positive!.mean).toBe(1);
    expect(privately.reach.mean).toBeCloseTo(none.reach.mean, 9);
  });

  it('a response after the cascade died out still turns the complainant', async () => {
    const r = await simulate(g, { ...base, p: 0, runs: 200, response: { atStep: 5, effectiveness: 1, public: false } });
    expect(r.negative!.mean).toBe(0);
    expect(r.positive!.mean).toBe(1);
  });
});

describe('Monte Carlo driver and statistics', () => {
  const g = build(true, smallTies);

  it('the same request and seed give identical JSON for any batch size', async () => {
    const req: SimulationRequestInput = { model: 'ic', seeds: ['a'], p: 0.3, runs: 1234, seed: 99 };
    const a = await simulate(g, req, { batchSize: 1234 });
    const b = await simulate(g, req, { batchSize: 7 });
    const c = await simulate(g, req);
    expect(JSON.stringify({ ...b, elapsedMs: 0 })).toBe(JSON.stringify({ ...a, elapsedMs: 0 }));
    expect(JSON.stringify({ ...c, elapsedMs: 0 })).toBe(JSON.stringify({ ...a, elapsedMs: 0 }));
    const other = await simulate(g, { ...req, seed: 100 });
    expect(other.reach.mean).not.toBe(a.reach.mean);
  });

  it('precision mode stops at a checkpoint once the CI is narrow enough', async () => {
    const res = await simulate(g, { model: 'ic', seeds: ['a'], p: 0.3, precision: 0.02, seed: 1 });
    expect(res.stoppedBy).toBe('precision');
    let c = 100;
    const checkpoints = new Set<number>();
    while (c <= res.runs) {
      checkpoints.add(c);
      c = nextCheckpoint(c);
    }
    expect(checkpoints.has(res.runs)).toBe(true);
    expect(1.96 * res.reach.stderr).toBeLessThanOrEqual(0.02 * res.reach.mean);
    const capped = await simulate(g, { model: 'ic', seeds: ['a'], p: 0.3, precision: 0.0001, maxRuns: 500, seed: 1 });
    expect(capped).toMatchObject({ runs: 500, stoppedBy: 'maxRuns' });
    const batched = await simulate(g, { model: 'ic', seeds: ['a'], p: 0.3, precision: 0.02, seed: 1 }, { batchSize: 33 });
    expect({ ...batched, elapsedMs: 0 }).toEqual({ ...res, elapsedMs: 0 });
  });

  it('reach statistics: quantiles (type 7), histogram and CI from integer counts', () => {
    const v = Int32Array.from([1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 10]);
    const s = countStats(v, 3);
    expect(s.mean).toBeCloseTo(40 / 11, 12);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10);
    // numpy.percentile([1,2,2,3,3,3,4,4,4,4,10], [5,25,50,75,95]) = [1.5, 2.5, 3, 4, 7]
    expect(s.quantiles).toEqual({ p5: 1.5, p25: 2.5, p50: 3, p75: 4, p95: 7 });
    expect(s.histogram).toEqual([{ from: 1, to: 4, count: 10 }, { from: 5, to: 8, count: 0 }, { from: 9, to: 10, count: 1 }]);
    const m = meanCi(Array.from(v));
    expect(s.sd).toBeCloseTo(m.sd, 12);
    expect(s.ci95[1] - s.mean).toBeCloseTo((1.96 * m.sd) / Math.sqrt(11), 12);
  });

  it('reach quantiles are type 7 for few runs too (order statistics shared between quantiles)', () => {
    // numpy.percentile([1, 5], [5,25,50,75,95]) = [1.2, 2, 3, 4, 4.8]
    expect(countStats(Int32Array.from([1, 5]), 5).quantiles).toEqual({ p5: 1.2, p25: 2, p50: 3, p75: 4, p95: 4.8 });
    const type7 = (xs: number[], q: number) => {
      const s = [...xs].sort((a, b) => a - b);
      const h = (s.length - 1) * q;
      const lo = Math.floor(h);
      return s[lo] + (h - lo) * ((s[lo + 1] ?? s[lo]) - s[lo]);
    };
    for (let len = 1; len <= 12; len++) {
      const xs = Array.from({ length: len }, (_, i) => ((i * 7919) % 13) + (i % 3) * 5);
      const q = countStats(Int32Array.from(xs), 4).quantiles;
      const want = [0.05, 0.25, 0.5, 0.75, 0.95].map((x) => type7(xs, x));
      [q.p5, q.p25, q.p50, q.p75, q.p95].forEach((got, i) => expect(got).toBeCloseTo(want[i], 12));
    }
  });

  it('a batch size that cannot advance is a clear error, not a hang', async () => {
    for (const batchSize of [0, 0.5, -3, Number.NaN]) {
      await expect(simulate(g, { model: 'ic', seeds: ['a'], runs: 10 }, { batchSize })).rejects.toThrow(/batchSize must be an integer >= 1/);
    }
  });

  it('progress reaches the total; an aborted signal cancels', async () => {
    const seen: number[] = [];
    await simulate(g, { model: 'ic', seeds: ['a'], runs: 500 }, { onProgress: (d, t) => seen.push(d / t) });
    expect(seen.at(-1)).toBe(1);
    const ac = new AbortController();
    ac.abort();
    await expect(simulate(g, { model: 'ic', seeds: ['a'], runs: 500 }, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    const ac2 = new AbortController();
    const p = simulate(g, { model: 'ic', seeds: ['a'], runs: 5_000_000 }, { signal: ac2.signal, batchSize: 1000 });
    setTimeout(() => ac2.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('bad input', () => {
  const g = build(true, smallTies);
  it('unknown seed -> 404 naming it; empty seeds, p = 1.5, runs with precision, unknown fields -> 400', async () => {
    const nf = await simulate(g, { model: 'ic', seeds: ['a', 'zz'] }).catch((e: unknown) => e);
    expect(nf).toBeInstanceOf(NotFoundError);
    expect((nf as Error).message).toContain('"zz"');
    for (const bad of [
      { model: 'ic', seeds: [] },
      { model: 'ic', seeds: ['a'], p: 1.5 },
      { model: 'ic', seeds: ['a'], runs: 10, precision: 0.1 },
      { model: 'ic', seeds: ['a'], run: 10 },
      { model: 'sir', seeds: ['a'], beta: -1 },
      { model: 'voice', seeds: ['a'], negativityBias: 0.5 },
      { model: 'nope', seeds: ['a'] },
      { model: 'ic', seeds: ['a'], runs: 0 },
    ]) {
      const e = await simulate(g, bad as SimulationRequestInput).catch((x: unknown) => x);
      expect(e, JSON.stringify(bad)).toBeInstanceOf(InputError);
      expect((e as InputError).details?.errors).toBeDefined();
    }
  });
  it('every parameter has a description and the schema has per-model defaults', () => {
    const parsed = simulationRequestSchema.parse({ model: 'lt', seeds: ['a'] });
    expect(parsed).toMatchObject({ probability: 'weighted-cascade', seed: 1, maxSteps: 1000, top: 10, bins: 20 });
    expect(simulationRequestSchema.parse({ model: 'sir', seeds: ['a'] })).toMatchObject({ p: 1, beta: 0.1, gamma: 0.5 });
    for (const opt of simulationRequestSchema.options) {
      for (const [k, f] of Object.entries(opt.shape)) expect((f as { description?: string }).description, k).toBeTruthy();
    }
  });
});
