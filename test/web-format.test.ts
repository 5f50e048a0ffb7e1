import { describe, expect, it } from 'vitest';
import { money, num, pct, range } from '../web/src/format.js';
import { scenarioSummary } from '../src/scenarios/readable.js';

/** The page's number formatting (web/src/format.ts) writes a loss as the scenario summary does (issue 17). */
describe('page figures', () => {
  it('a negative figure has the summary\'s minus sign (U+2212), not a hyphen; a figure that rounds to 0 has none', () => {
    expect(money(-13.1, 'EUR', false)).toBe('−€13.10');
    expect(money(-423.13, 'EUR', false)).toBe('−€423');
    expect(money(423.13, 'EUR', false)).toBe('€423');
    expect(money(-2.5, 'EUR', true)).toBe('−2.5 per-customer units');
    expect(num(-1234.5)).toBe('−1,235');
    expect(num(-0.001)).toBe('0');
    expect(money(-0.001, 'EUR', false)).toBe('€0.00');
    expect(pct(-0.25)).toBe('−25%');
    expect(range([-436.79, -409.48], (x) => money(x, 'EUR', false))).toBe('−€437 – −€409');
    // The summary writes the same loss with the same sign.
    const mc = (mean: number) => ({ mean, ci95: [mean, mean] as [number, number] });
    const summary = scenarioSummary({
      customers: ['c1'], experience: 'negative', reach: mc(2), negative: mc(2), positive: mc(0), impressions: mc(2),
      money: { currency: 'EUR', atRisk: mc(13.1), earned: mc(0), net: mc(-13.1) }, valuesAreDefaults: false, truncatedByHorizon: false,
      lastStep: { step: 20, newMean: 0, shareOfReach: 0 }, peaks: { negative: null, positive: null }, runs: 10, stepSeconds: null, horizon: 20, response: null,
    });
    expect(summary).toContain('net −€13.');
    expect(`${summary}${money(-13.1, 'EUR', false)}`).not.toMatch(/-€/);
  });
});
