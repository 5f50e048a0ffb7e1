import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool, workerUrl } from '../src/workers/pool.js';
import { simulate, type SimulationResult } from '../src/diffusion/simulate.js';
import { MODELS, modelOf } from '../src/diffusion/models/registry.js';
import { InputError, NotFoundError } from '../src/errors.js';
import { build, exactIc, type Tie } from './diffusion-helpers.js';

/** The catalogue through the public door (simulate): every model declared, run, summarised, traced. */

const CATALOGUE = ['si', 'sis', 'seir', 'seis', 'swir', 'threshold', 'kertesz', 'profile', 'profile-threshold', 'voter', 'qvoter', 'majority', 'sznajd', 'hk', 'ctic'] as const;

function randomGraph(n: number, deg: number) {
  const ties: Tie[] = [];
  let x = 777;
  for (let u = 0; u < n; u++) {
    for (let k = 0; k < deg; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const v = x % n;
      if (v !== u) ties.push([`c${u}`, `c${v}`, { weight: 1 + (x % 3) }]);
    }
  }
  return build(false, ties);
}

const g = randomGraph(300, 3);
const base = { seeds: ['c0', 'c7', 'c9'], runs: 60, seed: 11 };
const params: Record<(typeof CATALOGUE)[number], Record<string, unknown>> = {
  si: { beta: 0.2, maxSteps: 8 },
  sis: { beta: 0.2, lambda: 0.3, maxSteps: 20 },
  seir: { beta: 0.3 },
  seis: { beta: 0.3, maxSteps: 20 },
  swir: { kappa: 0.3 },
  threshold: { threshold: 0.2 },
  kertesz: { threshold: 0.2, blocked: 0.1, adopterRate: 0.01, maxSteps: 20 },
  profile: { profile: 0.3, blocked: 0.1 },
  'profile-threshold': { profile: 0.5, threshold: 0.2, thresholds: 'uniform' },
  voter: { forShare: 0.3, maxSteps: 10 },
  qvoter: { q: 3, forShare: 0.3, maxSteps: 10 },
  majority: { q: 5, forShare: 0.4, maxSteps: 10 },
  sznajd: { forShare: 0.3, maxSteps: 10 },
  hk: { epsilon: 0.4, maxSteps: 30 },
  ctic: { p: 0.3, delay: 'weibull', shape: 0.8, scale: 2, horizon: 'PT12H', timeBins: 6, reachTarget: 10 },
};
const strip = (r: SimulationResult) => JSON.stringify({ ...r, elapsedMs: 0 });
const req = (m: (typeof CATALOGUE)[number], extra: Record<string, unknown> = {}) => ({ model: m, ...base, ...params[m], ...extra }) as never;

describe('model catalogue through simulate()', () => {
  it('every catalogue model is in the registry', () => {
    for (const m of CATALOGUE) expect(MODELS).toContain(m);
  });

  it('each model answers with its compartments (curves sum to n where they partition the customers) and the same JSON for any batch size', async () => {
    for (const m of CATALOGUE) {
      const r = await simulate(g, req(m));
      expect(r.model).toBe(m);
      expect(r.runs).toBe(60);
      expect(strip(await simulate(g, req(m), { batchSize: 7 })), m).toBe(strip(r));
      const rows = (r as unknown as { compartments?: Record<string, number>[] }).compartments;
      if (m === 'ctic') {
        expect(rows).toBeUndefined();
        continue;
      }
      expect(rows!.length).toBe(r.steps.length);
      if (m !== 'hk') {
        for (const row of rows!) {
          const total = Object.entries(row).filter(([k]) => k !== 'step').reduce((a, [, v]) => a + v, 0);
          expect(total, `${m} step ${row.step}`).toBeCloseTo(g.n, 9);
        }
      }
    }
  });

  it('opinion models report consensus and final shares; HK the mean opinion', async () => {
    const r = (await simulate(g, req('voter'))) as unknown as { consensus: { share: { mean: number } }; finalShares: { for: { mean: number }; against: { mean: number } }; reach: { mean: number } };
    expect(r.finalShares.for.mean + r.finalShares.against.mean).toBeCloseTo(1, 12);
    expect(r.finalShares.for.mean).toBeCloseTo(r.reach.mean / g.n, 12);
    const h = (await simulate(g, req('hk'))) as unknown as { finalMeanOpinion: { mean: number }; consensus: { share: { mean: number } } };
    expect(h.finalMeanOpinion.mean).toBeGreaterThan(-1);
    expect(h.finalMeanOpinion.mean).toBeLessThan(1);
  });

  it('CTIC: reach by time in units and durations, within the horizon, time to reach N; reach at ∞ = IC exactly on a tiny graph', async () => {
    const r = (await simulate(g, req('ctic', { exceedance: [5, 20] }))) as unknown as {
      reachByTime: { time: number; duration: string; mean: number }[]; withinHorizon: { mean: number }; reach: { mean: number };
      timeToReach: { target: number; share: { mean: number } }; exceedanceWithinHorizon: { atLeast: number; probability: number }[]; horizon: { units: number };
    };
    expect(r.horizon.units).toBe(12);
    expect(r.reachByTime.map((x) => x.duration)).toEqual(['PT0S', 'PT2H', 'PT4H', 'PT6H', 'PT8H', 'PT10H', 'PT12H']);
    expect(r.reachByTime.at(-1)!.mean).toBeCloseTo(r.withinHorizon.mean, 9);
    expect(r.withinHorizon.mean).toBeLessThanOrEqual(r.reach.mean);
    expect(r.timeToReach.target).toBe(10);
    expect(r.exceedanceWithinHorizon.map((e) => e.atLeast)).toEqual([5, 20]);
    const tiny = build(true, [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e']]);
    const exact = exactIc(tiny, [0], new Float32Array(tiny.m).fill(0.5));
    const t = await simulate(tiny, { model: 'ctic', seeds: ['a'], p: 0.5, runs: 20000, seed: 3 } as never);
    expect(Math.abs(t.reach.mean - exact)).toBeLessThan(4 * t.reach.stderr);
  });

  it('exceedance: P(reach >= N) with a Wilson interval, for any model', async () => {
    const r = await simulate(g, req('si', { exceedance: [0, 1, 1_000_000] }));
    const ex = r.exceedance!;
    expect(ex[0].probability).toBe(1);
    expect(ex[0].ci95[0]).toBeGreaterThan(0.9);
    expect(ex[0].ci95[1]).toBeCloseTo(1, 12);
    expect(ex[2].probability).toBe(0);
    expect(ex[2].ci95[0]).toBe(0);
    expect(ex[2].ci95[1]).toBeGreaterThan(0); // Wilson: not the degenerate [0, 0]
    const ic = await simulate(g, { model: 'ic', ...base, p: 0.1, exceedance: [4] });
    expect(ic.exceedance![0].probability).toBeGreaterThan(0);
  });

  it('SI per-step intervals: newCi95 at step 1 on a star is 1.96·sd/√runs of Bin(leaves, β)', async () => {
    const starG = build(true, Array.from({ length: 6 }, (_, i): Tie => ['c', `l${i}`]));
    const runs = 4000;
    const beta = 0.3;
    const r = await simulate(starG, { model: 'si', seeds: ['c'], beta, runs, seed: 5, maxSteps: 1 } as never);
    const s1 = r.steps[1] as { newMean: number; newCi95: [number, number] };
    const half = (s1.newCi95[1] - s1.newCi95[0]) / 2;
    const want = (1.96 * Math.sqrt(6 * beta * (1 - beta))) / Math.sqrt(runs);
    expect(Math.abs(s1.newMean - 6 * beta)).toBeLessThan(4 * (want / 1.96));
    expect(Math.abs(half - want) / want).toBeLessThan(0.1);
  });

  it('CTIC per-bin intervals: newCi95 of the first time bin on a star is 1.96·sd/√runs of Bin(leaves, 1 − e^(−rate·dt))', async () => {
    const starG = build(true, Array.from({ length: 6 }, (_, i): Tie => ['c', `l${i}`]));
    const runs = 4000;
    const r = await simulate(starG, { model: 'ctic', seeds: ['c'], p: 1, rate: 1, horizon: 4, timeBins: 4, runs, seed: 5 } as never);
    const s1 = r.steps[1] as { newMean: number; newCi95: [number, number] };
    const q = 1 - Math.exp(-1);
    const half = (s1.newCi95[1] - s1.newCi95[0]) / 2;
    const want = (1.96 * Math.sqrt(6 * q * (1 - q))) / Math.sqrt(runs);
    expect(Math.abs(s1.newMean - 6 * q)).toBeLessThan(4 * (want / 1.96));
    expect(Math.abs(half - want) / want).toBeLessThan(0.1);
  });

  it('trace: run 0, who reached whom; the traced run is run 0 of the Monte Carlo (same stream)', async () => {
    const one = await simulate(g, req('si', { runs: 1, trace: true }));
    const tr = one.trace!;
    expect(tr.run).toBe(0);
    expect(tr.reach).toBe(one.reach.mean);
    expect(tr.events.filter((e) => e.state === 'infected').length).toBe(tr.reach);
    for (const e of tr.events.slice(3)) expect(e.from).not.toBeNull();
    const ct = await simulate(g, req('ctic', { runs: 1, trace: true }));
    expect(ct.trace!.reach).toBe(ct.reach.mean);
    // CTIC's one compartment is `reached` (its kernel once logged compartment 1, which CTIC does not have).
    expect(ct.trace!.events.length).toBe(ct.reach.mean);
    expect(ct.trace!.events.every((e) => e.state === 'reached')).toBe(true);
    // IC, LT, SIR and voice trace too (test/trace.test.ts): no model refuses `trace`.
    for (const model of MODELS) expect(typeof modelOf(model).trace, model).toBe('function');
  });

  it('bad input is a clear error naming the field', async () => {
    await expect(simulate(g, req('threshold', { customerThresholds: [{ id: 'nobody', value: 0.5 }] }))).rejects.toThrow(InputError);
    await expect(simulate(g, req('threshold', { threshold: 0 }))).rejects.toThrow(/threshold/);
    await expect(simulate(g, req('majority', { q: 1000 }))).rejects.toThrow(/q = 1000/);
    await expect(simulate(g, req('hk', { opinionLow: 0.5, opinionHigh: -0.5 }))).rejects.toThrow(/opinionLow/);
    await expect(simulate(g, req('ctic', { horizon: 'P1M' }))).rejects.toThrow(/ISO 8601/);
    await expect(simulate(g, req('sis', { seeds: ['ghost'] }))).rejects.toThrow(NotFoundError);
  });
});

const built = existsSync(workerUrl());
if (!built) console.log(`catalogue pool test needs ${workerUrl().pathname}: run \`npm run build\` first`);

describe.skipIf(!built)('model catalogue on the worker pool', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = new WorkerPool({ workers: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });
  it('bit-identical JSON in-thread and on 2 workers, every model', async () => {
    for (const m of CATALOGUE) {
      const ref = strip(await simulate(g, req(m)));
      expect(strip(await simulate(g, req(m), { pool, batchSize: 13 })), m).toBe(ref);
    }
  });
});

describe('model catalogue over HTTP and the CLI', () => {
  it('POST /graphs/:id/simulations answers every catalogue field (the response schema keeps them), 400 on a bad parameter', async () => {
    const { buildTestApp } = await import('./helper.js');
    const t = await buildTestApp({ RIPPLE_WORKERS: '1' });
    const ties = Array.from({ length: 12 }, (_, i) => ({ source: `c${i}`, target: `c${(i + 1) % 12}` }));
    const created = await t.app.inject({ method: 'POST', url: '/graphs', payload: { name: 'ring', directed: false, ties } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const post = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/graphs/${id}/simulations`, payload });
    const voter = await post({ model: 'voter', seeds: ['c0', 'c1', 'c2'], runs: 50, trace: true, exceedance: [6], maxSteps: 500 });
    expect(voter.statusCode, voter.body).toBe(200);
    const v = voter.json();
    expect(v.consensus.forWins.mean).toBeGreaterThanOrEqual(0);
    expect(v.finalShares.for.mean).toBeCloseTo(v.reach.mean / 12, 9);
    expect(v.compartments[0]).toEqual({ step: 0, against: 9, for: 3 });
    expect(v.exceedance[0].atLeast).toBe(6);
    expect(v.trace.events[0]).toEqual({ from: null, to: 'c0', time: 0, state: 'for' });
    const ct = (await post({ model: 'ctic', seeds: ['c0'], runs: 50, p: 0.5, horizon: 'PT6H', timeBins: 3, exceedance: [2] })).json();
    expect(ct.reachByTime.map((x: { duration: string }) => x.duration)).toEqual(['PT0S', 'PT2H', 'PT4H', 'PT6H']);
    expect(ct.exceedanceWithinHorizon[0].atLeast).toBe(2);
    expect(ct.withinHorizon.mean).toBeLessThanOrEqual(ct.reach.mean);
    const hk = (await post({ model: 'hk', seeds: ['c0'], runs: 20, epsilon: 0.5 })).json();
    expect(hk.finalMeanOpinion.mean).toBeGreaterThan(-1);
    expect(hk.compartments[0]).toHaveProperty('meanOpinion');
    const bad = await post({ model: 'kertesz', seeds: ['c0'], blocked: 2 });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('body.blocked');
  });

  it('ripple simulate --model swir / ctic with --horizon and --trace, --json', async () => {
    const { ripple } = await import('./cli-helper.js');
    const { dataDir } = await import('./influence-helpers.js');
    const file = `${dataDir}/karate/karate_club.edgelist`;
    if (!existsSync(file)) {
      console.log(`skipped: karate club data not found at ${file}`);
      return;
    }
    const r = await ripple(['simulate', '--file', file, '--model', 'ctic', '--seeds', '0', '--p', '0.3', '--horizon', 'PT3H', '--time-unit', 'PT30M', '--runs', '40', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.horizon).toEqual({ units: 6, duration: 'PT3H' });
    const n = await ripple(['simulate', '--file', file, '--model', 'ctic', '--seeds', '0', '--horizon', '12', '--runs', '10', '--json']);
    expect(JSON.parse(n.stdout).horizon.units).toBe(12);
    const s = await ripple(['simulate', '--file', file, '--model', 'swir', '--seeds', '0,33', '--kappa', '0.5', '--runs', '30', '--trace', '--exceedance', '5,20']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/after step \d+: susceptible/);
    expect(s.stdout).toMatch(/P\(reach >= 20\)/);
    expect(s.stdout).toMatch(/trace of run 0: \d+ events/);
    const bad = await ripple(['simulate', '--file', file, '--model', 'hk', '--seeds', '0', '--epsilon', '5']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/epsilon/);
  });
});

describe('the word-of-mouth study', () => {
  it('simulations/word-of-mouth.yaml is a valid study of catalogue models', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseStudy } = await import('../src/studies/schema.js');
    const study = parseStudy(readFileSync(new URL('../simulations/word-of-mouth.yaml', import.meta.url), 'utf8'), 'word-of-mouth.yaml') as unknown as { models: { model: string }[] };
    expect(study.models.map((m) => m.model)).toEqual(['sis', 'seir', 'threshold', 'voter', 'hk', 'ctic']);
  });
});
