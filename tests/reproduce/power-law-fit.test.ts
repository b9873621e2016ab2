import { describe, expect, it } from 'vitest';
import { fitPowerLaw } from '../../src/reproduce/power-law-fit.js';

describe('fitPowerLaw', () => {
  it('recovers an exact power law', () => {
    const fit = fitPowerLaw([16, 32, 64, 128], [16 ** 2 * 0.15, 32 ** 2 * 0.15, 64 ** 2 * 0.15, 128 ** 2 * 0.15]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.scale).toBeCloseTo(0.15, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.slopeError).toBeLessThan(1e-12);
  });

  it('matches a least-squares fit worked by hand', () => {
    // In units of ln 2: log x = 0, 1, 2 and log y = 0, 2, 1, so Sxx = 2, Sxy = 1, Syy = 2: slope ½, intercept ½,
    // residuals −½, 1, −½ (SSE 1.5), s.e. = √(SSE / (n − 2) / Sxx), R² = 1 − SSE/Syy = ¼ (the units cancel).
    const fit = fitPowerLaw([1, 2, 4], [1, 4, 2]);
    expect(fit.slope).toBeCloseTo(0.5, 12);
    expect(fit.slopeError).toBeCloseTo(Math.sqrt(1.5 / 2), 12);
    expect(fit.r2).toBeCloseTo(0.25, 12);
  });

  it('ignores non-positive points and refuses fewer than two', () => {
    expect(fitPowerLaw([1, 2, 0, 3], [1, 2, 5, -1]).points).toBe(2);
    expect(() => fitPowerLaw([1, 2], [0, 0])).toThrow(/at least two positive points, got 0/);
  });
});
