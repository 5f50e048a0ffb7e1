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
 * Full statistics of integer per-run counts (reach): mean/sd/CI, min/max, quantiles p5..p95 by linear
 * interpolation between order statistics (numpy's default, "type 7") read from a count histogram, and
 * `bins` equal-width histogram bins over [min, max] with inclusive integer bounds.
 */
export function countStats(values: Int32Array, bins: number, count = values.length): ReachStats {
  if (count === 0) {
    return { mean: 0, sd: 0, stderr: 0, ci95: [0, 0], min: 0, max: 0, quantiles: { p5: 0, p25: 0, p50: 0, p75: 0, p95: 0 }, histogram: [] };
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
  const width = Math.max(1, Math.ceil((max - min + 1) / bins));
  const histogram: HistogramBin[] = [];
  for (let from = min; from <= max; from += width) {
    const to = Math.min(max, from + width - 1);
    let c = 0;
    for (let x = from; x <= to; x++) c += hist[x - min];
    histogram.push({ from, to, count: c });
  }
  return {
    mean, sd, stderr, ci95: [mean - Z95 * stderr, mean + Z95 * stderr], min, max,
    quantiles: { p5: qv[0], p25: qv[1], p50: qv[2], p75: qv[3], p95: qv[4] },
    histogram,
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
