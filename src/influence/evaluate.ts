import { wilson, Z95 } from '../diffusion/proportion.js';
import type { RRCollection } from './rr.js';

/**
 * Seed sets judged on an RR collection they were NOT selected on (issue 19, "honest influencer answers"). A set
 * selected by greedy coverage on a collection covers more of THAT collection than its true expectation (the winner's
 * curse: about 2% for IMM's final pick on NetHEPT); on an independent collection its coverage is unbiased.
 * n·Pr[S meets an RR set] = expected reach of S (Borgs et al. 2014), so every figure below is `scale` (n, or the total
 * value for value-weighted roots) times a share of sets, with a Wilson interval (proportion.ts).
 */

export interface SeedSetEvaluation {
  /** scale · (sets meeting the seeds) / θ. */
  estimate: number;
  ci95: [number, number];
  /** Marginal gain of each seed in order: scale · (sets whose first seed, in order, is this one) / θ. */
  gains: Float64Array;
  gainLo: Float64Array;
  gainHi: Float64Array;
  /** Per set: 1 when the seed set meets it (for paired comparisons). */
  covered: Uint8Array;
  rrSets: number;
}

/** Coverage and marginal gains of `seeds` (in order) on `coll`. O(Σ set sizes). */
export function evaluateSeeds(coll: RRCollection, n: number, scale: number, seeds: ArrayLike<number>): SeedSetEvaluation {
  const k = seeds.length;
  const rank = new Int32Array(n).fill(-1);
  for (let i = 0; i < k; i++) if (rank[seeds[i]] < 0) rank[seeds[i]] = i;
  const firstHit = new Float64Array(k);
  const { members, offsets, count } = coll;
  const covered = new Uint8Array(count);
  let total = 0;
  for (let r = 0; r < count; r++) {
    let best = -1;
    for (let x = offsets[r]; x < offsets[r + 1]; x++) {
      const j = rank[members[x]];
      if (j >= 0 && (best < 0 || j < best)) best = j;
    }
    if (best >= 0) {
      firstHit[best]++;
      covered[r] = 1;
      total++;
    }
  }
  const gains = new Float64Array(k);
  const gainLo = new Float64Array(k);
  const gainHi = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const [lo, hi] = wilson(firstHit[i], count);
    gains[i] = count > 0 ? (scale * firstHit[i]) / count : 0;
    gainLo[i] = scale * lo;
    gainHi[i] = scale * hi;
  }
  const [lo, hi] = wilson(total, count);
  return { estimate: count > 0 ? (scale * total) / count : 0, ci95: [scale * lo, scale * hi], gains, gainLo, gainHi, covered, rrSets: count };
}

/**
 * Paired difference a − b of two evaluations on the same collection: scale·(b10 − b01)/θ, b10 the sets only a meets.
 * Normal interval on the per-set differences; when no set separates them the interval is the Wilson bound on the
 * share of sets that could (so two different seed sets never get a zero-width difference; `sameSet` ones are exactly 0).
 */
export function pairedDifference(a: SeedSetEvaluation, b: SeedSetEvaluation, scale: number, sameSet = false): { mean: number; ci95: [number, number] } {
  if (sameSet) return { mean: 0, ci95: [0, 0] };
  const count = a.covered.length;
  if (count === 0) return { mean: 0, ci95: [-scale, scale] };
  let b10 = 0;
  let b01 = 0;
  for (let r = 0; r < count; r++) {
    const d = a.covered[r] - b.covered[r];
    if (d > 0) b10++;
    else if (d < 0) b01++;
  }
  const d = (b10 - b01) / count;
  let half: number;
  if (b10 + b01 === 0) half = wilson(0, count)[1];
  else half = Z95 * Math.sqrt(Math.max(0, (b10 + b01) / count - d * d) / count);
  return { mean: scale * d, ci95: [scale * (d - half), scale * (d + half)] };
}
