import { describe, expect, it } from 'vitest';
import { KernelScratch, Recorder } from '../src/diffusion/kernel.js';
import { runCompartmental } from '../src/diffusion/kernels/compartmental.js';
import { runCtic, runSi } from '../src/diffusion/kernels/delay.js';
import { OpinionRule, runBinaryOpinion, runHk } from '../src/diffusion/kernels/opinion.js';
import { runSwir } from '../src/diffusion/kernels/swir.js';
import { Rule, runThresholdFamily } from '../src/diffusion/kernels/threshold.js';
import { Rng } from '../src/diffusion/rng.js';
import { Scratch } from '../src/diffusion/scratch.js';
import type { CompiledGraph } from '../src/graph/compile.js';
import { exactChain, expectedCount, plan, sample, traced, within4se, type KernelFn } from './catalogue-helpers.js';
import { build, exactIc, type Tie } from './diffusion-helpers.js';

const si: KernelFn = runSi;
const sis: KernelFn = (g, p, s, ks, rng, rec) => runCompartmental(g, p, s, ks, rng, rec, false);
const seir: KernelFn = (g, p, s, ks, rng, rec) => runCompartmental(g, p, s, ks, rng, rec, true);
const swir: KernelFn = runSwir;
const ctic: KernelFn = runCtic;
const thr = (rule: Rule): KernelFn => (g, p, s, ks, rng, rec) => runThresholdFamily(g, p, s, ks, rng, rec, rule);
const opinion = (rule: OpinionRule): KernelFn => (g, p, s, ks, rng, rec) => runBinaryOpinion(g, p, s, ks, rng, rec, rule);

const path = (k: number, directed: boolean) => build(directed, Array.from({ length: k }, (_, i): Tie => [String(i), String(i + 1)]));
const star = (leaves: number) => build(true, Array.from({ length: leaves }, (_, i): Tie => ['c', `l${i}`]));
const idx = (g: CompiledGraph, id: string) => g.ids.indexOf(id);

function binomTail(t: number, q: number, k: number): number {
  // P(Bin(t, q) >= k)
  let p = 0;
  for (let j = k; j <= t; j++) {
    let c = 1;
    for (let i = 0; i < j; i++) c = (c * (t - i)) / (i + 1);
    p += c * q ** j * (1 - q) ** (t - j);
  }
  return p;
}

describe('SI (first-passage percolation with geometric delays)', () => {
  it('on a directed path: E[infected by t] = Σ_k P(Bin(t, β) >= k)', () => {
    const g = path(5, true);
    const beta = 0.3;
    const res = sample(si, g, plan(g, [idx(g, '0')], { beta }), 4000);
    for (const t of [1, 3, 6, 10]) {
      let exact = 0;
      for (let k = 0; k <= 5; k++) exact += binomTail(t, beta, k);
      const c = within4se(Array.from({ length: 4000 }, (_, r) => res.steps(r, t)), exact);
      expect(c.ok, `t=${t}: ${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
    }
  });

  it('on a star from the centre: 1 + L(1 − (1 − β)^t), and maxSteps cuts the run', () => {
    const g = star(6);
    const beta = 0.2;
    for (const t of [1, 2, 5]) {
      const res = sample(si, g, plan(g, [idx(g, 'c')], { beta }, { maxSteps: t }), 3000);
      const exact = 1 + 6 * (1 - (1 - beta) ** t);
      const c = within4se(res.reach, exact);
      expect(c.ok, `t=${t}: ${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
    }
  });

  it('with per-arc probabilities (no common q, no table): on a star, 1 + Σ_a (1 − (1 − β·p_a)^t)', () => {
    const g = star(4);
    const beta = 0.5;
    const arcP = Float32Array.from([1, 0.5, 0.2, 0]);
    for (const t of [1, 3]) {
      const res = sample(si, g, plan(g, [idx(g, 'c')], { beta }, { maxSteps: t, arcP }), 4000);
      const exact = 1 + Array.from(arcP).reduce((acc, p) => acc + 1 - (1 - beta * p) ** t, 0);
      const c = within4se(res.reach, exact);
      expect(c.ok, `t=${t}: ${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
    }
  });

  it('two paths to one customer: it is infected at the earlier arrival (1 − (1 − P(Bin(t, β) ≥ 2))² by t)', () => {
    // a→b→d and a→c→d: d waits in the bucket of its first arrival and moves when the other path is earlier.
    const g = build(true, [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']]);
    const beta = 0.35;
    const res = sample(si, g, plan(g, [idx(g, 'a')], { beta }, { maxSteps: 12 }), 6000);
    for (const t of [2, 3, 5, 9]) {
      const exact = 1 + 2 * (1 - (1 - beta) ** t) + 1 - (1 - binomTail(t, beta, 2)) ** 2;
      const c = within4se(Array.from({ length: 6000 }, (_, r) => res.steps(r, t)), exact);
      expect(c.ok, `t=${t}: ${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
    }
  });

  it('β = 1 infects the path one customer per step; β = 0 nobody; the trace names who infected whom', () => {
    const g = path(4, true);
    const one = sample(si, g, plan(g, [0], { beta: 1 }), 3);
    expect(one.reach).toEqual([5, 5, 5]);
    expect([0, 1, 2, 3, 4].map((t) => one.steps(0, t))).toEqual([1, 2, 3, 4, 5]);
    expect(sample(si, g, plan(g, [0], { beta: 0 }), 3).reach).toEqual([1, 1, 1]);
    const { tracer } = traced(si, g, plan(g, [0], { beta: 1 }));
    const ev = Array.from({ length: tracer.length }, (_, i) => [tracer.from[i], tracer.to[i], tracer.time[i]]);
    expect(ev).toEqual([[-1, 0, 0], [0, 1, 1], [1, 2, 2], [2, 3, 3], [3, 4, 4]]);
  });
});

describe('SIS / SEIR / SEIS / SWIR against the exact Markov chain on tiny graphs', () => {
  // Undirected path 0-1-2-3: in-neighbours = neighbours.
  const g = path(3, false);
  const n = g.n;
  const inNb = (v: number) => Array.from(g.inSources.subarray(g.inOffsets[v], g.inOffsets[v + 1]));
  const runs = 6000;

  function check(fn: KernelFn, kp: Parameters<typeof plan>[2], K: number, next: (v: number, st: number[]) => number[], comps: [number, number][], steps: number[]) {
    const start = Array.from({ length: n }, (_, v) => (v === 0 ? 1 : 0));
    const exact = exactChain(n, K, start, next, Math.max(...steps));
    const res = sample(fn, g, plan(g, [0], kp), runs);
    for (const t of steps) {
      for (const [curve, local] of comps) {
        const e = expectedCount(exact[t], n, K, local);
        const c = within4se(Array.from({ length: runs }, (_, r) => res.curve(r, curve, t)), e);
        expect(c.ok, `step ${t} compartment ${curve}: ${c.mean} ± ${c.se} vs exact ${e}`).toBe(true);
      }
    }
  }
  const infected = (st: number[], v: number) => inNb(v).filter((u) => st[u] === 1).length;

  it('SIS: mean S and I per step (absorbing all-S reached with the chain’s probability)', () => {
    const beta = 0.4;
    const lambda = 0.3;
    check(sis, { beta, lambda, compartments: 4 }, 2, (v, st) => {
      if (st[v] === 1) return [lambda, 1 - lambda];
      const pi = 1 - (1 - beta) ** infected(st, v);
      return [1 - pi, pi];
    }, [[0, 0], [1, 1]], [1, 2, 4, 8]);
    // Extinction: P(all S by step 8) vs the share of runs over by then.
    const start = [1, 0, 0, 0];
    const exact = exactChain(n, 2, start, (v, st) => (st[v] === 1 ? [lambda, 1 - lambda] : [(1 - beta) ** infected(st, v), 1 - (1 - beta) ** infected(st, v)]), 8);
    const pExtinct = exact[8].get(0) ?? 0;
    const res = sample(sis, g, plan(g, [0], { beta, lambda, compartments: 4 }), runs);
    const c = within4se(Array.from({ length: runs }, (_, r) => (res.curve(r, 1, 8) === 0 ? 1 : 0)), pExtinct);
    expect(c.ok, `${c.mean} ± ${c.se} vs ${pExtinct}`).toBe(true);
  });

  it('SEIR: mean S, I, E, R per step', () => {
    const [beta, alpha, gamma] = [0.5, 0.4, 0.3];
    check(seir, { beta, alpha, gamma, compartments: 4 }, 4, (v, st) => {
      switch (st[v]) {
        case 0: {
          const pi = 1 - (1 - beta) ** infected(st, v);
          return [1 - pi, 0, pi, 0];
        }
        case 2:
          return [0, alpha, 1 - alpha, 0];
        case 1:
          return [0, 1 - gamma, 0, gamma];
        default:
          return [0, 0, 0, 1];
      }
    }, [[0, 0], [1, 1], [2, 2], [3, 3]], [1, 3, 6]);
  });

  it('SEIS: mean S, I, E per step', () => {
    const [beta, alpha, lambda] = [0.5, 0.5, 0.25];
    check(seir, { beta, alpha, lambda, compartments: 4 }, 4, (v, st) => {
      switch (st[v]) {
        case 0: {
          const pi = 1 - (1 - beta) ** infected(st, v);
          return [1 - pi, 0, pi, 0];
        }
        case 2:
          return [0, alpha, 1 - alpha, 0];
        default:
          return [lambda, 1 - lambda, 0, 0];
      }
    }, [[0, 0], [1, 1], [2, 2]], [1, 3, 7]);
  });

  it('SWIR: mean S, W, I, R per step', () => {
    const [kappa, mu, nu] = [0.4, 0.5, 0.6];
    // local codes S0 I1 W2 R3; curves S0 W1 I2 R3
    check(swir, { kappa, mu, nu, compartments: 4 }, 4, (v, st) => {
      const k = infected(st, v);
      switch (st[v]) {
        case 0: {
          const notI = (1 - kappa) ** k;
          return [notI * (1 - mu) ** k, 1 - notI, notI * (1 - (1 - mu) ** k), 0];
        }
        case 2: {
          const pi = 1 - (1 - nu) ** k;
          return [0, pi, 1 - pi, 0];
        }
        default:
          return [0, 0, 0, 1];
      }
    }, [[0, 0], [1, 2], [2, 1], [3, 3]], [1, 2, 4]);
  });

  it('SWIR with mu = 0 is IC with kappa·p (one step of contacts)', () => {
    const h = build(true, [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e']]);
    const kappa = 0.6;
    const exact = exactIc(h, [0], new Float32Array(h.m).fill(kappa));
    const c = within4se(sample(swir, h, plan(h, [0], { kappa, mu: 0, nu: 1, compartments: 4 }), 6000).reach, exact);
    expect(c.ok, `${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
  });
});

describe('threshold family', () => {
  it('Granovetter on a path: deterministic cascade at θ = 0.5, none at θ = 0.51', () => {
    const g = path(4, false);
    const r = sample(thr(Rule.Threshold), g, plan(g, [0], { threshold: 0.5, compartments: 3 }), 2);
    expect(r.reach).toEqual([5, 5]);
    expect([0, 1, 2, 3, 4].map((t) => r.steps(0, t))).toEqual([1, 2, 3, 4, 5]);
    expect(sample(thr(Rule.Threshold), g, plan(g, [0], { threshold: 0.51, compartments: 3 }), 2).reach).toEqual([1, 1]);
  });

  it('needs the share of in-neighbours: two of two adopt c at θ = 1, one of two does not', () => {
    const g = build(true, [['a', 'c'], ['b', 'c'], ['c', 'd']]);
    const kp = { threshold: 1, compartments: 3 };
    const [a, b] = [idx(g, 'a'), idx(g, 'b')];
    expect(sample(thr(Rule.Threshold), g, plan(g, [a, b], kp), 1).reach).toEqual([4]);
    expect(sample(thr(Rule.Threshold), g, plan(g, [0], kp), 1).reach).toEqual([1]);
    // per-customer threshold overrides the default
    const own = new Float64Array(g.n).fill(NaN);
    own[idx(g, 'c')] = 0.5;
    expect(sample(thr(Rule.Threshold), g, plan(g, [0], { ...kp, nodeThreshold: own }), 1).reach).toEqual([3]);
  });

  it('drawn thresholds θ ~ U(0,1]: a customer with one of two in-neighbours adopting adopts w.p. 1/2', () => {
    const g = build(true, [['a', 'c'], ['b', 'c']]);
    const c = within4se(sample(thr(Rule.Threshold), g, plan(g, [0], { drawThreshold: true, compartments: 3 }), 4000).reach, 1.5);
    expect(c.ok, `${c.mean} ± ${c.se}`).toBe(true);
  });

  it('Kertész: exactly floor(n·blocked) non-seed customers blocked; spontaneous adoption 1 + (n−1)(1 − (1−a)^t)', () => {
    const g = path(9, false); // 10 customers
    const r = sample(thr(Rule.Kertesz), g, plan(g, [0], { blocked: 0.35, threshold: 0.5, compartments: 3 }), 50);
    for (let run = 0; run < 50; run++) expect(r.curve(run, 2, 0)).toBe(3);
    // isolated customers (and one tie whose head never reaches its threshold): only spontaneous adoption
    const iso = build(true, [['x0', 'x1']], Array.from({ length: 12 }, (_, i) => ({ id: `i${i}` })));
    const never = new Float64Array(iso.n).fill(NaN);
    never[idx(iso, 'x1')] = 2;
    const a = 0.15;
    for (const t of [1, 3]) {
      const kp = { blocked: 0, adopterRate: a, threshold: 1, nodeThreshold: never, compartments: 3 };
      const s = sample(thr(Rule.Kertesz), iso, plan(iso, [idx(iso, 'i0')], kp, { maxSteps: t }), 3000);
      const exact = 1 + (iso.n - 1) * (1 - (1 - a) ** t);
      const c = within4se(s.reach, exact);
      expect(c.ok, `t=${t}: ${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
    }
  });

  it('Profile on a star: P(leaf adopted by t) = Σ_s ((1−π)(1−b))^(s−1) π', () => {
    const g = star(5);
    const [pi, b] = [0.3, 0.2];
    for (const t of [1, 2, 6]) {
      let pt = 0;
      for (let s = 1; s <= t; s++) pt += ((1 - pi) * (1 - b)) ** (s - 1) * pi;
      const res = sample(thr(Rule.Profile), g, plan(g, [idx(g, 'c')], { profile: pi, blocked: b, compartments: 3 }, { maxSteps: t }), 3000);
      const c = within4se(res.reach, 1 + 5 * pt);
      expect(c.ok, `t=${t}: ${c.mean} ± ${c.se} vs ${1 + 5 * pt}`).toBe(true);
    }
  });

  it('Profile-threshold: exposure needs the share; with profile 1 it is Granovetter', () => {
    const g = build(true, [['a', 'c'], ['b', 'c'], ['c', 'd']]);
    const kp = { threshold: 0.6, profile: 1, compartments: 3 };
    expect(sample(thr(Rule.ProfileThreshold), g, plan(g, [0], kp), 5).reach).toEqual([1, 1, 1, 1, 1]);
    expect(sample(thr(Rule.ProfileThreshold), g, plan(g, [idx(g, 'a'), idx(g, 'b')], kp), 5).reach).toEqual([4, 4, 4, 4, 4]);
    expect(sample(thr(Rule.Profile), g, plan(g, [0], kp), 5).reach).toEqual([3, 3, 3, 3, 3]);
  });
});

describe('opinion models', () => {
  const cycle = (k: number) => build(false, Array.from({ length: k }, (_, i): Tie => [String(i), String((i + 1) % k)]));
  const complete = (k: number) => {
    const t: Tie[] = [];
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) t.push([String(i), String(j)]);
    return build(false, t);
  };

  it('voter exit probability on regular graphs = initial share "for" (cycle C6, complete K5)', () => {
    for (const [g, seeds, exact] of [[cycle(6), [0, 1], 2 / 6], [complete(5), [0], 1 / 5]] as const) {
      const res = sample(opinion(OpinionRule.Voter), g, plan(g, [...seeds], { compartments: 2 }, { maxSteps: 100_000 }), 3000);
      expect(res.extra1.every((x) => Number.isFinite(x))).toBe(true);
      const c = within4se(res.extra2, exact);
      expect(c.ok, `${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
      // at consensus the "for" reach is all or nothing
      res.reach.forEach((r, i) => expect(r).toBe(res.extra2[i] * g.n));
    }
  });

  it('forShare draws exactly floor(share·n) extra holders; q-voter, majority and Sznajd end in consensus', () => {
    const g = complete(8);
    for (const rule of [OpinionRule.QVoter, OpinionRule.Majority, OpinionRule.Sznajd]) {
      const res = sample(opinion(rule), g, plan(g, [0], { compartments: 2, forShare: 0.25, q: 3 }, { maxSteps: 100_000 }), 200);
      for (let r = 0; r < 200; r++) {
        expect(res.curve(r, 1, 0)).toBe(3);
        expect(res.reach[r]).toBe(res.extra2[r] * g.n);
      }
    }
  });

  it('majority rule with q = 3 on K3 ends in one group discussion', () => {
    const g = complete(3);
    const res = sample(opinion(OpinionRule.Majority), g, plan(g, [0], { compartments: 2, q: 3 }), 200);
    // with repetition the group may miss someone; consensus needs all three in it or agreement anyway
    expect(res.extra1.every((x) => x >= 1)).toBe(true);
  });
});

describe('Hegselmann–Krause on a line', () => {
  function hk(g: CompiledGraph, opinions: number[], eps: number, maxSteps = 1000) {
    const nodeOpinion = Float64Array.from(opinions);
    const last = opinions.length - 1;
    const p = plan(g, [last], { compartments: 3, epsilon: eps, seedOpinion: opinions[last], nodeOpinion }, { maxSteps });
    const ks = new KernelScratch(g.n, g.m);
    const rec = new Recorder(3);
    const reach = runHk(g, p, new Scratch(g.n), ks, new Rng(1, 0), rec);
    return { reach, x: Array.from(ks.x), rec };
  }

  it('one synchronous step: each moves to the mean of itself and its neighbours within ε', () => {
    const r = hk(path(2, false), [-1, 0, 1], 1, 1);
    expect(r.x).toEqual([-0.5, 0, 0.5]);
  });

  it('two clusters are a fixed point after one step; no consensus', () => {
    const r = hk(path(3, false), [-1, -0.9, 0.9, 1], 0.5);
    expect(r.x.map((v) => Math.round(v * 1e12) / 1e12)).toEqual([-0.95, -0.95, 0.95, 0.95]);
    expect(r.reach).toBe(2);
    expect(Number.isNaN(r.rec.extra1)).toBe(true);
    expect(r.rec.extra2).toBeCloseTo(0, 12);
  });

  it('within ε everyone converges to the common value (consensus step reported)', () => {
    const r = hk(path(2, false), [-0.2, 0, 0.2], 0.5);
    for (const v of r.x) expect(Math.abs(v)).toBeLessThan(1e-6);
    expect(Number.isFinite(r.rec.extra1)).toBe(true);
  });
});

describe('continuous-time IC', () => {
  const g = build(true, [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e'], ['b', 'c']]);
  const p = 0.5;
  const arcP = new Float32Array(g.m).fill(p);

  it('reach at t = ∞ equals IC with the same p (exact live-edge value), exponential and Weibull', () => {
    const exact = exactIc(g, [0], arcP);
    for (const k of [{ delayLaw: 0, rate: 2 }, { delayLaw: 1, shape: 0.7, scale: 3 }]) {
      const c = within4se(sample(ctic, g, plan(g, [0], { compartments: 1, ...k, horizon: 1, dt: 0.1 }, { arcP }), 6000).reach, exact);
      expect(c.ok, `${JSON.stringify(k)}: ${c.mean} ± ${c.se} vs ${exact}`).toBe(true);
    }
  });

  it('one arc: P(reached within T) = p(1 − e^(−rate·T)); Weibull p(1 − e^(−(T/scale)^shape)); time to reach 2', () => {
    const h = build(true, [['a', 'b']]);
    const ap = new Float32Array(1).fill(0.8);
    const T = 0.7;
    const expo = sample(ctic, h, plan(h, [0], { compartments: 1, delayLaw: 0, rate: 1.5, horizon: T, dt: T / 7, reachTarget: 2 }, { arcP: ap }), 6000);
    const c1 = within4se(expo.extra1.map((x) => x - 1), 0.8 * (1 - Math.exp(-1.5 * T)));
    expect(c1.ok, `${c1.mean} ± ${c1.se}`).toBe(true);
    // the reach-by-time curve at the horizon equals reach within the horizon, run by run
    for (let r = 0; r < 100; r++) expect(expo.curve(r, 0, 7)).toBe(expo.extra1[r]);
    const times = expo.extra2.filter((x) => Number.isFinite(x));
    expect(within4se(times, 1 / 1.5).ok).toBe(true); // mean of Exp(1.5)
    const wb = sample(ctic, h, plan(h, [0], { compartments: 1, delayLaw: 1, shape: 2, scale: 0.5, horizon: T, dt: T }, { arcP: ap }), 6000);
    const c2 = within4se(wb.extra1.map((x) => x - 1), 0.8 * (1 - Math.exp(-((T / 0.5) ** 2))));
    expect(c2.ok, `${c2.mean} ± ${c2.se}`).toBe(true);
  });

  it('the trace gives each reached customer its parent and an increasing arrival time', () => {
    const { reach, tracer } = traced(ctic, g, plan(g, [0], { compartments: 1, rate: 1, horizon: 10, dt: 1 }, { arcP: new Float32Array(g.m).fill(1) }));
    expect(reach).toBe(5);
    expect(tracer.length).toBe(5);
    for (let i = 1; i < tracer.length; i++) {
      expect(tracer.time[i]).toBeGreaterThanOrEqual(tracer.time[i - 1]);
      const parent = tracer.from[i];
      const a0 = g.outOffsets[parent];
      expect(Array.from(g.outTargets.subarray(a0, g.outOffsets[parent + 1]))).toContain(tracer.to[i]);
    }
  });
});
