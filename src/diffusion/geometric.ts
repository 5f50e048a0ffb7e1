import type { Rng } from './rng.js';

/**
 * Geometric gaps without a logarithm per draw. Geometric skipping (REFERENCES.md) draws the number of failures
 * before the next success of coins with probability q as G = floor(log(U) / log(1 − q)), U = Rng.floatOpen()
 * = (x + 1)·2^-32 for a 32-bit draw x. G is a decreasing step function of x, constant over long runs of x, so a
 * table indexed by the top TABLE_BITS bits of x holds G wherever the whole run of x's sharing those bits gives the
 * same G, and −1 where G changes inside it (about one bucket in 20 for q = 0.1, one in 400 of the probability). A
 * −1 falls back to the logarithm, so the gaps are **the same numbers** as the formula's, draw for draw (the formula's
 * −0 at U = 1 comes out as 0, the same gap): a kernel that switches to the table keeps its seeded answers bit for bit.
 *
 * The bucket's G is taken only when both ends of the bucket, widened by a relative 1e-12 (far above the few ulps
 * of error of Math.log and the division), fall in the same integer: so a non-monotone rounding inside the bucket
 * cannot change it.
 */

export const TABLE_BITS = 12;
const SHIFT = 32 - TABLE_BITS;
/** A table is indexed by x >>> GAP_SHIFT (the top TABLE_BITS bits of the 32-bit draw x), for loops that inline geometricSkip. */
export const GAP_SHIFT = SHIFT;
const SIZE = 1 << TABLE_BITS;
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
/** Gaps at or above this are left to the formula (they fit an Int32Array either way, and are rare). */
const MAX_TABLED = 1 << 30;
const SLACK = 1e-12;

/** The gap of draw x (what the table caches): floor(log((x + 1)·2^-32) / lq). */
export function geometricGap(x: number, lq: number): number {
  return Math.floor(Math.log((x + 1) * TWO_POW_MINUS_32) / lq);
}

/**
 * A new table of gaps for lq = log(1 − q), 0 < q < 1 (16 KB, not cached: geometricTable caches a few; a caller that
 * needs many keeps its own).
 */
export function buildGeometricTable(lq: number): Int32Array {
  if (!(lq < 0 && lq > -Infinity)) throw new RangeError(`geometricTable: lq must be log(1 - q) for 0 < q < 1, got ${lq}`);
  const tab = new Int32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    // Smallest x of the bucket has the smallest U and the largest gap.
    const hiGap = (Math.log((i * 2 ** SHIFT + 1) * TWO_POW_MINUS_32) / lq) * (1 + SLACK);
    const loGap = (Math.log((i + 1) * 2 ** SHIFT * TWO_POW_MINUS_32) / lq) * (1 - SLACK);
    const k = Math.floor(loGap);
    tab[i] = Math.floor(hiGap) === k && k >= 0 && hiGap < MAX_TABLED ? k : -1;
  }
  return tab;
}

/** A table that holds nothing (every draw takes the formula): for coins that have no table. */
export const NO_TABLE = new Int32Array(SIZE).fill(-1);

/**
 * The next geometric gap from `rng` for coins with lq = log(1 − q): exactly Math.floor(Math.log(rng.floatOpen()) / lq),
 * one 32-bit draw, read from `tab` (geometricTable(lq), or NO_TABLE) where it can be.
 */
export function geometricSkip(rng: Rng, tab: Int32Array, lq: number): number {
  const x = rng.nextUint32();
  const k = tab[x >>> SHIFT];
  return k >= 0 ? k : geometricGap(x, lq);
}

const cache = new Map<number, Int32Array>();
const CACHE_SIZE = 16;

/**
 * The table of gaps for lq = log(1 − q), 0 < q < 1 (cached per thread, a few at a time; 16 KB each), for
 * geometricSkip(rng, tab, lq).
 */
export function geometricTable(lq: number): Int32Array {
  let tab = cache.get(lq);
  if (!tab) {
    tab = buildGeometricTable(lq);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(lq, tab);
  }
  return tab;
}

const common = new WeakMap<Float64Array, number>();

/**
 * The value every entry of `xs` holds, or NaN when they differ (or it is empty): computed once per array and
 * thread. Kernels use it to know that one table serves every customer's coins (uniform p, equal activity).
 */
export function commonValue(xs: Float64Array): number {
  let c = common.get(xs);
  if (c === undefined) {
    c = xs.length > 0 ? xs[0] : NaN;
    for (let i = 1; i < xs.length; i++) {
      if (xs[i] !== c) {
        c = NaN;
        break;
      }
    }
    common.set(xs, c);
  }
  return c;
}
