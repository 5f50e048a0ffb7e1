import { describe, expect, it } from 'vitest';
import { commonValue, geometricGap, geometricSkip, geometricTable, NO_TABLE, TABLE_BITS } from '../src/diffusion/geometric.js';
import { Rng } from '../src/diffusion/rng.js';
import { StepBuckets } from '../src/diffusion/step-buckets.js';

/** The gap the kernels used to draw: Math.floor(Math.log(rng.floatOpen()) / lq) (+ 0: the table's 0 where U = 1 gives −0, the same gap). */
const formula = (rng: Rng, lq: number) => Math.floor(Math.log(rng.floatOpen()) / lq) + 0;

describe('geometric gaps by table (src/diffusion/geometric.ts)', () => {
  const qs = [0.999, 0.5, 0.2, 0.1, 0.05, 0.01, 1e-3, 1e-6, 1e-12];

  it('gives the formula’s gap at both ends and inside every bucket of 32-bit draws', () => {
    const shift = 32 - TABLE_BITS;
    for (const q of qs) {
      const lq = Math.log1p(-q);
      const tab = geometricTable(lq);
      let tabled = 0;
      const wrong: string[] = [];
      for (let i = 0; i < 1 << TABLE_BITS; i++) {
        const lo = i * 2 ** shift;
        const hi = lo + 2 ** shift - 1;
        if (tab[i] >= 0) tabled++;
        for (const x of [lo, lo + 1, Math.floor((lo + hi) / 2), hi - 1, hi]) {
          const want = geometricGap(x, lq) + 0;
          if (tab[i] >= 0 && tab[i] !== want) wrong.push(`q ${q} x ${x}: table ${tab[i]}, formula ${want}`);
        }
      }
      expect(wrong).toEqual([]);
      // The table holds most buckets where gaps are short (the point of it); none is wrong where it holds one.
      if (q >= 0.01) expect(tabled, `q ${q}`).toBeGreaterThan((1 << TABLE_BITS) * 0.5);
    }
  });

  it('draws the same numbers as Math.floor(Math.log(rng.floatOpen()) / lq), draw for draw, and NO_TABLE too', () => {
    for (const q of qs) {
      const lq = Math.log1p(-q);
      const tab = geometricTable(lq);
      const a = new Rng(7, 3);
      const b = new Rng(7, 3);
      const c = new Rng(7, 3);
      let wrong = 0;
      for (let k = 0; k < 100_000; k++) {
        const want = formula(a, lq);
        if (geometricSkip(b, tab, lq) !== want) wrong++;
        if (geometricSkip(c, NO_TABLE, lq) !== want) wrong++;
      }
      expect(wrong, `q ${q}`).toBe(0);
    }
  });

  it('has the geometric law: P(G >= k) = (1 − q)^k', () => {
    const q = 0.1;
    const lq = Math.log1p(-q);
    const tab = geometricTable(lq);
    const rng = new Rng(1, 1);
    const N = 200_000;
    const atLeast = [0, 1, 5, 20];
    const hits = atLeast.map(() => 0);
    for (let i = 0; i < N; i++) {
      const g = geometricSkip(rng, tab, lq);
      atLeast.forEach((k, j) => (hits[j] += g >= k ? 1 : 0));
    }
    atLeast.forEach((k, j) => {
      const p = (1 - q) ** k;
      expect(Math.abs(hits[j] / N - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / N) + 1e-12);
    });
  });

  it('refuses q outside (0, 1); commonValue says whether all entries agree', () => {
    expect(() => geometricTable(0)).toThrow(/lq/);
    expect(() => geometricTable(-Infinity)).toThrow(/lq/);
    expect(commonValue(new Float64Array([0.3, 0.3, 0.3]))).toBe(0.3);
    expect(commonValue(new Float64Array([0.3, 0.3, 0.2]))).toBeNaN();
    expect(commonValue(new Float64Array(0))).toBeNaN();
  });
});

describe('StepBuckets (Dial’s bucket queue of whole steps)', () => {
  it('pops what was added at a step, moves a customer to an earlier step, finds the next non-empty step across words', () => {
    const b = new StepBuckets(10);
    b.reserve(100);
    expect(b.nextStep(0)).toBe(-1);
    b.add(1, 5);
    b.add(2, 5);
    b.add(3, 31);
    b.add(4, 64);
    b.add(5, 100);
    expect(b.nextStep(0)).toBe(5);
    expect(b.nextStep(6)).toBe(31);
    expect(b.nextStep(32)).toBe(64);
    // Move 4 from step 64 to step 40: step 64 is empty again.
    b.remove(4, 64);
    b.add(4, 40);
    expect(b.nextStep(32)).toBe(40);
    expect(b.nextStep(41)).toBe(100);
    // Take 2 out of the middle of step 5's list.
    b.add(6, 5);
    b.remove(2, 5);
    const at5: number[] = [];
    for (let v = b.pop(5); v >= 0; v = b.pop(5)) at5.push(v);
    expect(at5.sort()).toEqual([1, 6]);
    expect(b.nextStep(0)).toBe(31);
    expect(b.pop(31)).toBe(3);
    expect(b.pop(31)).toBe(-1);
    expect(b.pop(40)).toBe(4);
    // Growing keeps what is queued.
    b.reserve(1000);
    b.add(7, 999);
    expect(b.nextStep(0)).toBe(100);
    expect(b.pop(100)).toBe(5);
    expect(b.nextStep(101)).toBe(999);
    expect(b.pop(999)).toBe(7);
    expect(b.nextStep(0)).toBe(-1);
  });
});
