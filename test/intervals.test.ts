import { describe, expect, it } from 'vitest';
import { barabasiAlbert } from '../bench/generators.js';
import { wilson } from '../src/diffusion/proportion.js';
import { betweenness, computeCentrality } from '../src/influence/centrality/index.js';
import { rankValues, valueScores } from '../src/influence/value.js';
import { makeGraph } from './influence-helpers.js';

/** Issue 19, "honest intervals": proportions get intervals valid at 0 and 1; sampled betweenness reports its error. */

describe('Wilson score interval', () => {
  it('matches the closed form and published values', () => {
    // Brown, Cai & DasGupta (2001), and R's prop.test(correct = FALSE): 0 of 10 -> [0, 0.2775], 5 of 10 -> [0.2366, 0.7634]
    const [a, b] = wilson(0, 10);
    expect(a).toBe(0);
    expect(b).toBeCloseTo(0.27753, 4);
    const [c, d] = wilson(5, 10);
    expect(c).toBeCloseTo(0.23659, 4);
    expect(d).toBeCloseTo(0.76341, 4);
    expect(wilson(10, 10)[1]).toBe(1);
    expect(wilson(10, 10)[0]).toBeCloseTo(1 - 0.27753, 4);
    // never zero-width at the ends: 0 of n has upper bound z²/(n + z²)
    const z2 = 1.959963984540054 ** 2;
    expect(wilson(0, 1000)[1]).toBeCloseTo(z2 / (1000 + z2), 12);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });

  it('covers the true proportion about 95% of the time, also for small p', () => {
    // exact coverage by summing the binomial pmf over x whose interval contains p
    for (const [n, p] of [[50, 0.02], [200, 0.005], [1000, 0.3]] as const) {
      let cover = 0;
      let pmf = (1 - p) ** n;
      for (let x = 0; x <= n; x++) {
        const [lo, hi] = wilson(x, n);
        if (lo <= p && p <= hi) cover += pmf;
        pmf *= ((n - x) / (x + 1)) * (p / (1 - p));
      }
      expect(cover, `n=${n} p=${p}`).toBeGreaterThan(0.9);
    }
  });
});

describe('network value intervals (value-weighted RR sets)', () => {
  // a -> b -> c with p 0.5; d is alone: no RR set rooted elsewhere contains d, so its network value is 0 — but a finite
  // sample cannot prove that the share is 0, and before issue 19 the interval was [0, 0].
  const g = makeGraph([['a', 'b', 0.5], ['b', 'c', 0.5]], { values: [['a', 1], ['b', 2], ['c', 3], ['d', 4]] });

  it('a customer that no RR set contains gets [0, total·3.84/(θ + 3.84)], not [0, 0]', async () => {
    const r = await rankValues(g, { model: 'ic', probability: 'attribute', p: 0, top: 4, rrSets: 10_000, seed: 3 });
    const d = r.top.find((x) => x.id === 'd')!;
    expect(d.networkValue).toBe(0);
    expect(d.networkCi95[0]).toBe(0);
    expect(d.networkCi95[1]).toBeGreaterThan(0);
    const z2 = 1.959963984540054 ** 2;
    expect(d.networkCi95[1]).toBeCloseTo((r.graphValue * z2) / (r.rrSets + z2), 9);
    // the others: Wilson around the estimate
    for (const x of r.top) {
      expect(x.networkCi95[0]).toBeLessThanOrEqual(x.networkValue);
      expect(x.networkCi95[1]).toBeGreaterThan(x.networkValue);
    }
  });

  it('the intervals cover the exact network value (a: 0.5·2 + 0.25·3 = 1.75, b: 1.5)', async () => {
    const s = await valueScores(g, { model: 'ic', probability: 'attribute', p: 0, rrSets: 50_000, seed: 9 });
    const exact = [1.75, 1.5, 0, 0];
    for (let v = 0; v < 4; v++) {
      expect(s.ci95Lo[v], g.ids[v]).toBeLessThanOrEqual(exact[v]);
      expect(s.ci95Hi[v], g.ids[v]).toBeGreaterThanOrEqual(exact[v]);
    }
  });
});

describe('sampled betweenness reports k, seed and a standard error that is right', () => {
  const g = barabasiAlbert(300, 3, 7);
  const exact = betweenness(g).scores;

  it('the standard error matches the spread of the estimate over many samples', () => {
    const k = 30;
    const top = [0, 1, 2, 3, 10]; // early BA customers: high betweenness
    const sum = new Float64Array(top.length);
    const sumSq = new Float64Array(top.length);
    const seSum = new Float64Array(top.length);
    const notSource = new Float64Array(top.length);
    for (let seed = 1; seed <= 150; seed++) {
      const r = betweenness(g, { k, seed });
      expect(r.sample).toMatchObject({ k, seed });
      const src = new Set(r.sample!.sources);
      top.forEach((v, j) => {
        if (src.has(v)) return; // condition on v not drawn (its own scale differs)
        sum[j] += r.scores[v];
        sumSq[j] += r.scores[v] ** 2;
        seSum[j] += r.stderr![v] ** 2;
        notSource[j]++;
      });
    }
    top.forEach((v, j) => {
      const m = notSource[j];
      const mean = sum[j] / m;
      const sd = Math.sqrt((sumSq[j] - m * mean * mean) / (m - 1));
      const se = Math.sqrt(seSum[j] / m); // root mean square: E[SE²] = Var, the sd itself is biased low when skewed
      expect(Math.abs(mean - exact[v]), `customer ${v}: unbiased`).toBeLessThan(4 * sd / Math.sqrt(m));
      expect(se / sd, `customer ${v}: reported SE ${se} vs spread ${sd}`).toBeGreaterThan(0.75);
      expect(se / sd, `customer ${v}: reported SE ${se} vs spread ${sd}`).toBeLessThan(1.3);
    });
  });

  it('exact betweenness has no standard error; computeCentrality reports the same as betweenness()', async () => {
    expect(betweenness(g).stderr).toBeUndefined();
    const one = betweenness(g, { k: 40, seed: 5 });
    const viaCompute = await computeCentrality(g, 'betweenness', { k: 40, seed: 5, cache: false });
    expect(Array.from(viaCompute.stderr!)).toEqual(Array.from(one.stderr!));
    // sampling everyone is exact: the finite-population correction makes the error 0 as k -> n - 1
    const almost = betweenness(g, { k: g.n - 1, seed: 5 });
    const src = new Set(almost.sample!.sources);
    for (let v = 0; v < g.n; v++) if (!src.has(v)) expect(almost.stderr![v]).toBe(0);
  });
});
