import { meanCi, type MeanCi } from '../diffusion/stats.js';

const Z95 = 1.96;

/** A paired difference `to − from` over common runs, and the relative change to/from − 1. */
export interface PairedDifference extends MeanCi {
  /**
   * mean(to)/mean(from) − 1 with a delta-method 95% CI (null when mean(from) is 0). With R = Ȳ/X̄ the
   * residuals dᵢ = (Yᵢ − R·Xᵢ)/X̄ give se(R) ≈ sd(d)/√n, which accounts for the pairing (the covariance
   * of X and Y over the same random streams).
   */
  relative: { mean: number; ci95: [number, number] } | null;
}

/** Paired statistics of per-run values of two variants run on the same streams (same length, same run order). */
export function pairedDifference(from: Float64Array, to: Float64Array): PairedDifference {
  const n = Math.min(from.length, to.length);
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = to[i] - from[i];
  const d = meanCi(diff);
  const x = meanCi(from, n).mean;
  const y = meanCi(to, n).mean;
  if (n === 0 || x === 0) return { ...d, relative: null };
  const r = y / x;
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) res[i] = (to[i] - r * from[i]) / x;
  const se = meanCi(res).stderr;
  return { ...d, relative: { mean: r - 1, ci95: [r - 1 - Z95 * se, r - 1 + Z95 * se] } };
}
