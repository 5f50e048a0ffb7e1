import { describe, expect, it } from 'vitest';
import { barabasiAlbert } from '../bench/generators.js';
import { simulate } from '../src/diffusion/simulate.js';
import { countStats } from '../src/diffusion/stats.js';
import { betweenness, computeCentrality } from '../src/influence/centrality/index.js';
import { buildTestApp } from './helper.js';
import { makeGraph } from './influence-helpers.js';

/** Issue 19 point 2: histograms take fixed bins or explicit edges; simulations return per-run samples; sampled betweenness's error. */

describe('reach histograms: equal-width bins, fixed width, explicit edges', () => {
  const values = Int32Array.from([0, 1, 1, 2, 5, 9]);

  it('explicit edges: every bin listed (empty ones too), half-open on integers, the rest counted outside', () => {
    const s = countStats(values, { edges: [1, 3, 6, 8] });
    expect(s.histogram).toEqual([{ from: 1, to: 2, count: 3 }, { from: 3, to: 5, count: 1 }, { from: 6, to: 7, count: 0 }]);
    expect(s.histogramOutside).toEqual({ below: 1, above: 1 }); // 0 is below 1; 9 is at/above 8
    // the statistics do not depend on the binning
    expect(s.mean).toBe(3);
    expect(s.quantiles).toEqual(countStats(values, 20).quantiles);
  });

  it('fixed width: bins [start + jW, start + (j+1)W − 1] whatever the runs, from the one holding min to the one holding max', () => {
    expect(countStats(values, { width: 4 }).histogram).toEqual([{ from: 0, to: 3, count: 4 }, { from: 4, to: 7, count: 1 }, { from: 8, to: 11, count: 1 }]);
    const shifted = countStats(Int32Array.from([5, 6, 13]), { width: 4, start: 2 });
    expect(shifted.histogram).toEqual([{ from: 2, to: 5, count: 1 }, { from: 6, to: 9, count: 1 }, { from: 10, to: 13, count: 1 }]);
    expect(shifted.histogramOutside).toEqual({ below: 0, above: 0 });
    const below = countStats(values, { width: 5, start: 1 });
    expect(below.histogram).toEqual([{ from: 1, to: 5, count: 4 }, { from: 6, to: 10, count: 1 }]);
    expect(below.histogramOutside).toEqual({ below: 1, above: 0 });
  });

  it('a number is {bins: N} (as before): at most N equal-width bins over [min, max], no outside counts', () => {
    expect(countStats(values, 5)).toEqual(countStats(values, { bins: 5 }));
    expect(countStats(values, 5).histogram).toEqual([{ from: 0, to: 1, count: 3 }, { from: 2, to: 3, count: 1 }, { from: 4, to: 5, count: 1 }, { from: 6, to: 7, count: 0 }, { from: 8, to: 9, count: 1 }]);
    expect(countStats(values, 5).histogramOutside).toBeUndefined();
    // no runs: explicit edges still list their (empty) bins
    expect(countStats(new Int32Array(0), { edges: [0, 2, 4] }).histogram).toEqual([{ from: 0, to: 1, count: 0 }, { from: 2, to: 3, count: 0 }]);
  });
});

describe('simulations: histogram spec and per-run samples', () => {
  // a -> b -> c, each arc 0.5: reach is 1 (1/2), 2 (1/4) or 3 (1/4).
  const g = makeGraph([['a', 'b', 0.5], ['b', 'c', 0.5]]);
  const base = { model: 'ic' as const, seeds: ['a'], probability: 'attribute' as const, p: 0, runs: 4000, seed: 11 };

  it('edges are respected, counts plus outside sum to the runs, and the shares are the exact 1/2, 1/4, 1/4', async () => {
    const r = await simulate(g, { ...base, histogram: { edges: [2, 3, 10] } });
    expect(r.reach.histogram.map((b) => [b.from, b.to])).toEqual([[2, 2], [3, 9]]);
    const inBins = r.reach.histogram.reduce((s, b) => s + b.count, 0);
    expect(inBins + r.reach.histogramOutside!.below + r.reach.histogramOutside!.above).toBe(r.runs);
    const se = Math.sqrt(0.25 * 0.75 / r.runs);
    expect(Math.abs(r.reach.histogramOutside!.below / r.runs - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / r.runs));
    expect(Math.abs(r.reach.histogram[0].count / r.runs - 0.25)).toBeLessThan(4 * se);
    expect(Math.abs(r.reach.histogram[1].count / r.runs - 0.25)).toBeLessThan(4 * se);
    expect(r.reach.histogramOutside!.above).toBe(0);
    // default binning: every bin's counts sum to the runs
    const plain = await simulate(g, base);
    expect(plain.reach.histogram.reduce((s, b) => s + b.count, 0)).toBe(plain.runs);
    expect(plain.reach.histogramOutside).toBeUndefined();
    // `histogram` wins over `bins`; the binning changes nothing else
    const both = await simulate(g, { ...base, bins: 1, histogram: { edges: [2, 3, 10] } });
    expect(both.reach.histogram).toEqual(r.reach.histogram);
    expect({ ...plain, elapsedMs: 0, reach: { ...plain.reach, histogram: [] } }).toEqual({ ...r, elapsedMs: 0, reach: { ...r.reach, histogram: [], histogramOutside: undefined } });
  });

  it('samples: one reach per run in run order, their mean is the reported mean, their histogram is the reported one; same runs without samples', async () => {
    const r = await simulate(g, { ...base, samples: true });
    const reach = r.samples!.reach;
    expect(reach).toHaveLength(r.runs);
    expect(reach.reduce((s, x) => s + x, 0) / r.runs).toBe(r.reach.mean);
    expect(Math.min(...reach)).toBe(r.reach.min);
    expect(Math.max(...reach)).toBe(r.reach.max);
    for (const b of r.reach.histogram) expect(reach.filter((x) => x >= b.from && x <= b.to).length).toBe(b.count);
    const without = await simulate(g, base);
    expect(without.samples).toBeUndefined();
    expect(without.reach).toEqual(r.reach);
    // a shorter request is a prefix of the same runs (run r draws from its own stream)
    const short = await simulate(g, { ...base, runs: 50, samples: true });
    expect(short.samples!.reach).toEqual(reach.slice(0, 50));
  });

  it('a model with per-run outputs returns them too (voice: negative per run, whose mean is negative.mean)', async () => {
    const r = await simulate(g, { model: 'voice', seeds: ['a'], probability: 'attribute', p: 0, runs: 500, seed: 3, samples: true });
    const neg = r.samples!.negative as number[];
    expect(neg).toHaveLength(500);
    expect(neg.reduce((s, x) => s + x, 0) / 500).toBeCloseTo(r.negative!.mean, 12);
    expect(r.samples!.reach).toHaveLength(500);
  });

  it('API: bad edges are a 400 naming histogram; samples over RIPPLE_MAX_RESULT_BYTES are a 422 naming samples and runs', async () => {
    const { app } = await buildTestApp({ RIPPLE_MAX_RESULT_BYTES: '200kb' });
    const created = await app.inject({ method: 'POST', url: '/graphs', payload: { name: 'path', directed: true, ties: [{ source: 'a', target: 'b', p: 0.5 }, { source: 'b', target: 'c', p: 0.5 }] } });
    const id = created.json().id as string;
    const url = `/graphs/${id}/simulations`;
    const bad = await app.inject({ method: 'POST', url, payload: { model: 'ic', seeds: ['a'], histogram: { edges: [3, 2] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/histogram/);
    const ok = await app.inject({ method: 'POST', url, payload: { model: 'ic', seeds: ['a'], probability: 'attribute', runs: 300, seed: 2, histogram: { width: 2 }, samples: true } });
    expect(ok.statusCode).toBe(200);
    const body = ok.json();
    expect(body.samples.reach).toHaveLength(300);
    expect(body.reach.histogram.map((b: { from: number }) => b.from)).toEqual([0, 2]);
    const big = await app.inject({ method: 'POST', url, payload: { model: 'ic', seeds: ['a'], runs: 200_000, samples: true } });
    expect(big.statusCode).toBe(422);
    const paths = (big.json().errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.runs', 'body.samples']));
    // without samples the same runs fit
    expect((await app.inject({ method: 'POST', url, payload: { model: 'ic', seeds: ['a'], runs: 200_000 } })).statusCode).toBe(200);
  });
});

describe('sampled betweenness: the standard error shrinks like 1/√sources and is 0 with every source', () => {
  const g = barabasiAlbert(300, 3, 7);
  const N = g.n - 1;

  it('the mean reported standard error at k = 25 is √(100/25)·√((N − 25)/(N − 100)) times that at k = 100 (within 15%)', () => {
    const top = [0, 1, 2, 3, 10];
    const meanSe = (k: number) => {
      let sum = 0;
      let count = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const r = betweenness(g, { k, seed });
        const src = new Set(r.sample!.sources);
        for (const v of top) {
          if (src.has(v)) continue;
          sum += r.stderr![v] ** 2;
          count++;
        }
      }
      return Math.sqrt(sum / count);
    };
    const ratio = meanSe(25) / meanSe(100);
    const expected = Math.sqrt(100 / 25) * Math.sqrt((N - 25) / (N - 100));
    expect(ratio / expected).toBeGreaterThan(0.85);
    expect(ratio / expected).toBeLessThan(1.15);
  });

  it('k = n: every customer a source, the exact scores, the sample reported (k = n) and a standard error of exactly 0', async () => {
    const exact = betweenness(g);
    for (const r of [betweenness(g, { k: g.n, seed: 4 }), await computeCentrality(g, 'betweenness', { k: g.n + 5, seed: 4, cache: false })]) {
      expect(Array.from(r.scores)).toEqual(Array.from(exact.scores));
      expect(r.sample!.k).toBe(g.n);
      expect(r.sample!.seed).toBe(4);
      expect(r.stderr!.every((x) => x === 0)).toBe(true);
    }
    expect(exact.sample).toBeUndefined();
  });
});
