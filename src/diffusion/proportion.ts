/**
 * Intervals for proportions: a share of runs (amplifier frequencies, exceedance probabilities) or of RR sets (network
 * value, influence). The normal interval p ± 1.96·√(p(1 − p)/n) collapses to [0, 0] when nothing was seen and to
 * [1, 1] when everything was — "certain" after any number of draws. The Wilson score interval (Wilson 1927; Brown, Cai
 * & DasGupta 2001 recommend it) stays valid at 0 and 1: x = 0 of n gives [0, z²/(n + z²)], about 3.84/n.
 */

export const Z95 = 1.959963984540054;

/** Wilson score interval of x successes in n trials (95% unless z is given); [0, 1] for n = 0. */
export function wilson(x: number, n: number, z = Z95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [x <= 0 ? 0 : Math.max(0, centre - half), x >= n ? 1 : Math.min(1, centre + half)];
}

/** A proportion with its Wilson interval: `{ estimate, ci95 }` of x of n, both multiplied by `scale`. */
export function proportion(x: number, n: number, scale = 1): { estimate: number; ci95: [number, number] } {
  const [lo, hi] = wilson(x, n);
  return { estimate: n > 0 ? (scale * x) / n : 0, ci95: [scale * lo, scale * hi] };
}
