/**
 * Statistics of Monte Carlo results (DESIGN §4). Everything is computed from per-run values in run order
 * (or from integer count histograms), so a result does not depend on how runs were split among workers.
 */

import type { z } from 'zod';
import type { meanCiSchema, reachStatsSchema } from './result-schema.js';

/** Distribution of per-run counts (reach): the result schema's type (./result-schema.ts). */
export type ReachStats = z.output<typeof reachStatsSchema>;
/** Quantiles p5..p95 (numpy's default interpolation). */
export type Quantiles = ReachStats['quantiles'];
/** Inclusive integer range of reach values and the runs in it. */
export type HistogramBin = ReachStats['histogram'][number];
/** Mean, sample standard deviation (n − 1; 0 for one run), stderr and mean ± 1.96·sd/√runs. */
export type MeanCi = z.output<typeof meanCiSchema>;

export const Z95 = 1.96;

/** Mean, sd, stderr and normal 95% CI of any per-run values (two-pass, in index order). */
export function meanCi(values: ArrayLike<number>, count = values.length): MeanCi {
  if (count === 0) return { mean: 0, sd: 0, stderr: 0, ci95: [0, 0] };
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i];
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < count; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  const sd = count > 1 ? Math.sqrt(ss / (count - 1)) : 0;
  const stderr = sd / Math.sqrt(count);
  return { mean, sd, stderr, ci95: [mean - Z95 * stderr, mean + Z95 * stderr] };
}

/**
 * How the histogram of a reach distribution is binned (request field `histogram`; a number is `{ bins: N }`):
 * - `{ bins: N }`: equal-width bins over the runs' own [min, max] (width ⌈(max − min + 1)/N⌉, so at most N bins);
 * - `{ width: W, start: S }`: fixed bins [S + jW, S + (j+1)W − 1] that do not depend on the runs (two answers' bins
 *   line up), listed from the one holding the smallest reach to the one holding the largest;
 * - `{ edges: [e0, …, ek] }`: explicit bins [e_i, e_(i+1) − 1] (half-open [e_i, e_(i+1)) on integers), all listed,
 *   empty ones too.
 * With `width` or `edges`, runs outside the bins (below S or e0, at or above ek) are counted in `histogramOutside`, so
 * the counts in the bins plus those outside always sum to the runs.
 */
export type HistogramSpec = { bins: number } | { width: number; start?: number } | { edges: readonly number[] };

/** The bins of `hist` (hist[k] = runs with reach k + min) under a spec; with width/edges also the runs outside them. */
function binned(hist: Float64Array, min: number, max: number, spec: HistogramSpec): { histogram: HistogramBin[]; outside?: { below: number; above: number } } {
  const runsIn = (from: number, to: number) => {
    let c = 0;
    for (let x = Math.max(from, min); x <= Math.min(to, max); x++) c += hist[x - min];
    return c;
  };
  const histogram: HistogramBin[] = [];
  if ('edges' in spec) {
    const e = spec.edges;
    for (let i = 0; i + 1 < e.length; i++) histogram.push({ from: e[i], to: e[i + 1] - 1, count: runsIn(e[i], e[i + 1] - 1) });
    return { histogram, outside: { below: runsIn(min, e[0] - 1), above: runsIn(e[e.length - 1], max) } };
  }
  if ('width' in spec) {
    const w = spec.width;
    const start = spec.start ?? 0;
    if (max >= start) {
      for (let from = start + Math.floor(Math.max(0, min - start) / w) * w; from <= max; from += w) {
        histogram.push({ from, to: from + w - 1, count: runsIn(from, from + w - 1) });
      }
    }
    return { histogram, outside: { below: runsIn(min, start - 1), above: 0 } };
  }
  const width = Math.max(1, Math.ceil((max - min + 1) / spec.bins));
  for (let from = min; from <= max; from += width) {
    const to = Math.min(max, from + width - 1);
    histogram.push({ from, to, count: runsIn(from, to) });
  }
  return { histogram };
}

/** An empty run set's histogram under a spec (explicit edges keep their empty bins). */
function emptyHistogram(spec: HistogramSpec): Pick<ReachStats, 'histogram' | 'histogramOutside'> {
  if ('edges' in spec) return { histogram: spec.edges.slice(1).map((to, i) => ({ from: spec.edges[i], to: to - 1, count: 0 })), histogramOutside: { below: 0, above: 0 } };
  if ('width' in spec) return { histogram: [], histogramOutside: { below: 0, above: 0 } };
  return { histogram: [] };
}

/**
 * Full statistics of integer per-run counts (reach): mean/sd/CI, min/max, quantiles p5..p95 by linear
 * interpolation between order statistics (numpy's default, "type 7") read from a count histogram, and
 * the histogram binned as `bins` says (a number N: N equal-width bins over [min, max] with inclusive integer bounds;
 * see HistogramSpec).
 */
export function countStats(values: Int32Array, bins: number | HistogramSpec, count = values.length): ReachStats {
  const spec: HistogramSpec = typeof bins === 'number' ? { bins } : bins;
  if (count === 0) {
    return { mean: 0, sd: 0, stderr: 0, ci95: [0, 0], min: 0, max: 0, quantiles: { p5: 0, p25: 0, p50: 0, p75: 0, p95: 0 }, ...emptyHistogram(spec) };
  }
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < count; i++) {
    const x = values[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const hist = new Float64Array(max - min + 1);
  for (let i = 0; i < count; i++) hist[values[i] - min]++;
  let sum = 0;
  for (let k = 0; k < hist.length; k++) sum += hist[k] * (k + min);
  const mean = sum / count;
  let ss = 0;
  for (let k = 0; k < hist.length; k++) {
    if (hist[k] === 0) continue;
    const d = k + min - mean;
    ss += hist[k] * d * d;
  }
  const sd = count > 1 ? Math.sqrt(ss / (count - 1)) : 0;
  const stderr = sd / Math.sqrt(count);
  // Order statistic i (0-based) from the cumulative histogram.
  const orderStat = (() => {
    let k = 0;
    let below = 0; // runs with value < k + min
    return (i: number): number => {
      // Mostly non-decreasing i; with few runs two quantiles share an order statistic (p25 reads i = 0 after
      // p5 read i = 1 when count = 2), so step back to the start when i is below the current position.
      if (i < below) {
        k = 0;
        below = 0;
      }
      while (below + hist[k] <= i) {
        below += hist[k];
        k++;
      }
      return k + min;
    };
  })();
  const qs = [0.05, 0.25, 0.5, 0.75, 0.95];
  const qv: number[] = [];
  for (const q of qs) {
    const h = (count - 1) * q;
    const lo = Math.floor(h);
    const a = orderStat(lo);
    const b = lo + 1 < count ? orderStat(lo + 1) : a;
    qv.push(a + (h - lo) * (b - a));
  }
  const { histogram, outside } = binned(hist, min, max, spec);
  return {
    mean, sd, stderr, ci95: [mean - Z95 * stderr, mean + Z95 * stderr], min, max,
    quantiles: { p5: qv[0], p25: qv[1], p50: qv[2], p75: qv[3], p95: qv[4] },
    histogram,
    ...(outside ? { histogramOutside: outside } : {}),
  };
}

/** Precision stop rule (DESIGN §4): 95% CI half-width <= precision · mean. */
export function precisionReached(values: Int32Array, count: number, precision: number): boolean {
  const { mean, stderr } = meanCi(values, count);
  return Z95 * stderr <= precision * mean;
}

/** Run counts at which `precision` mode checks its stop rule: 100, 200, … then about +10% each, multiples of 100. */
export function nextCheckpoint(done: number): number {
  if (done < 100) return 100;
  return Math.max(done + 100, Math.ceil((done * 1.1) / 100) * 100);
}
