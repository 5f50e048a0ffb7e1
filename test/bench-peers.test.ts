import { describe, expect, it } from 'vitest';
import { maxScaledDiff, mcZ, PIP_PACKAGES } from '../bench/peers.js';

/**
 * `npm run bench:peers`'s checks (pure functions). The peers themselves run in CI's .ci/suites.d/peers.sh (PyPI, a
 * scratch virtual environment); here only what decides "equal".
 */
describe('bench:peers checks', () => {
  it('mcZ: the difference of means in standard errors, with the larger sd of the two', () => {
    const a = { mean: 100, sd: 10, runs: 100, msPerRun: 1 };
    expect(mcZ(a, { ...a, mean: 102 })).toBeCloseTo(2 / (10 * Math.sqrt(0.02)), 10);
    // a peer with 3 runs and a small sd is judged with Ripple's sd (the same model has the same variance)
    expect(mcZ(a, { mean: 103, sd: 1, runs: 3, msPerRun: 1 })).toBeCloseTo(3 / (10 * Math.sqrt(1 / 100 + 1 / 3)), 10);
    expect(mcZ({ ...a, sd: 0 }, { ...a, sd: 0 })).toBe(0);
    expect(mcZ({ ...a, sd: 0 }, { ...a, sd: 0, mean: 101 })).toBe(Infinity);
  });

  it('maxScaledDiff: the largest difference relative to the largest score; a NaN or a length mismatch is a difference', () => {
    expect(maxScaledDiff([1, 2, 4], [1, 2, 4])).toBe(0);
    expect(maxScaledDiff([1, 2, 4.004], [1, 2, 4])).toBeCloseTo(0.001, 12);
    expect(maxScaledDiff([1e-20, 2], [2e-20, 2])).toBeLessThan(1e-19); // a tiny score's relative error does not count
    expect(maxScaledDiff([Number.NaN, 2], [1, 2])).toBe(Infinity);
    expect(maxScaledDiff([1, 2], [1, 2, 3])).toBe(Infinity);
  });

  it('pins every PyPI peer version it installs', () => {
    for (const peer of ['networkx', 'ndlib', 'igraph', 'cynetdiff']) expect(PIP_PACKAGES.some((p) => p.startsWith(`${peer}==`))).toBe(true);
  });
});
