import { describe, expect, it } from 'vitest';
import { auc, averagePrecisionAt, ksDistance, logBins, SizeDistribution } from '../src/studies/calibration.js';

/** Issue 19.7: the statistics of the calibration study, against hand-computed values. */
describe('calibration statistics', () => {
  it('log bins cover [min, max] without gaps', () => {
    expect(logBins(6, 40, 1)).toEqual([6, 12, 24, 41]);
    expect(logBins(2, 5, 4)).toEqual([2, 3, 4, 5, 6]);
  });

  it('a size distribution conditions on S >= min, smooths, and sums to 1', () => {
    // Samples below the minimum (the selection) are dropped: 1, 1 go; 6, 7, 13 stay.
    const d = new SizeDistribution([1, 1, 6, 7, 13], 6, 40, 1, 0);
    expect(d.kept).toBe(3);
    expect(d.pmf(6)).toBeCloseTo(2 / 3 / 6, 12); // bin 6..11 holds 2 of 3, uniform over 6 sizes
    expect(d.pmf(5)).toBe(0);
    let total = 0;
    for (let s = 6; s <= 40; s++) total += d.pmf(s);
    expect(total).toBeCloseTo(1, 12);
    expect(d.cdf(40)).toBe(1);
    expect(d.cdf(11)).toBeCloseTo(2 / 3, 12);
    // With a pseudo-count every size in the support has positive probability; no sample >= min: the prior alone.
    const s = new SizeDistribution([1, 2], 6, 40, 1, 1);
    expect(s.kept).toBe(0);
    expect(s.pmf(30)).toBeCloseTo(1 / 3 / 17, 12);
    expect(Number.isFinite(s.logPmf(30))).toBe(true);
  });

  it('KS distance is 0 for the same distribution and the sup of the CDF gap otherwise', () => {
    const obs = [6, 6, 7, 12];
    const emp = (x: number) => obs.filter((v) => v <= x).length / obs.length;
    expect(ksDistance(emp, obs, 6, 20)).toBe(0);
    expect(ksDistance((x) => (x >= 12 ? 1 : 0), obs, 6, 20)).toBeCloseTo(0.75, 12);
  });

  it('AUC: 1 for a perfect ranking, 0.5 for a constant score, ties averaged', () => {
    const pos = (i: number) => i < 2;
    expect(auc([3, 2, 1, 0], pos)).toBe(1);
    expect(auc([0, 0, 0, 0], pos)).toBe(0.5);
    expect(auc([0, 1, 2, 3], pos)).toBe(0);
    expect(auc([1, 0, 1, 0], pos)).toBe(0.5); // pairs (pos, neg): tie, win, lose, tie -> 2 of 4
    expect(auc([2, 0, 1, 0], pos)).toBe(0.625); // win, win, lose, tie -> 2.5 of 4
    expect(Number.isNaN(auc([1, 2], () => false))).toBe(true);
  });

  it('average precision at 10', () => {
    const pos = (i: number) => i === 0 || i === 2;
    // Ranking 0, 1, 2, ...: hits at ranks 1 and 3 -> (1/1 + 2/3) / 2.
    expect(averagePrecisionAt([9, 8, 7, 6, 5], pos, 2)).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(averagePrecisionAt([0, 9, 0, 8, 7], pos, 2, 2)).toBe(0);
    expect(Number.isNaN(averagePrecisionAt([1], () => false, 0))).toBe(true);
  });
});
