import { meanCi, type MeanCi } from '../diffusion/stats.js';

const Z95 = 1.96;

/** A paired difference `to − from` over common runs, and the relative change (to − from)/|from|. */
export interface PairedDifference extends MeanCi {
  /**
   * (mean(to) − mean(from)) / |mean(from)| with a delta-method 95% CI (null when mean(from) is 0): +0.2 is 20%
   * more than the baseline, −0.6 is 60% less. Dividing by |mean(from)| keeps the sign of the change when the
   * baseline is negative: a net of −423 that becomes −139 is +0.67 (up by 67% of the loss), not the −0.67 that
   * to/from − 1 would say. With R = Ȳ/X̄ the residuals dᵢ = (Yᵢ − R·Xᵢ)/X̄ give se(R) ≈ sd(d)/√n, which accounts
   * for the pairing (the covariance of X and Y over the same random streams); the relative change is ±(R − 1).
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
  const rel = x < 0 ? 1 - r : r - 1; // not sign(x)·(r − 1): that gives −0 for no change
  return { ...d, relative: { mean: rel, ci95: [rel - Z95 * se, rel + Z95 * se] } };
}
