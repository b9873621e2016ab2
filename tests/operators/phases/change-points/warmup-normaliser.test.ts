import { describe, expect, it } from 'vitest';
import { WarmupNormaliser, warmupCentreScale } from '../../../../src/operators/phases/warmup-normaliser.js';
import { gaussian, mulberry32 } from '../../../helpers/test-rng.js';

describe('WarmupNormaliser', () => {
  it('returns nothing while warming up, the whole window when it fills, then one value per sample', () => {
    const n = new WarmupNormaliser(5);
    // [0, 2, 1, 5, 3]: median 2; diffs [2, −1, 4, −2], their median 0.5, absolute deviations
    // [1.5, 1.5, 3.5, 2.5] with median 2; scale = 1.4826·2/√2.
    const scale = (1.4826 * 2) / Math.SQRT2;
    expect(n.push(0)).toEqual([]);
    expect(n.push(2)).toEqual([]);
    expect(n.push(1)).toEqual([]);
    expect(n.push(5)).toEqual([]);
    expect(n.ready).toBe(false);
    const first = n.push(3);
    expect(n.ready).toBe(true);
    expect(n.centre).toBe(2);
    expect(n.scale).toBeCloseTo(scale, 12);
    expect(first).toHaveLength(5);
    [0, 2, 1, 5, 3].forEach((x, i) => expect(first[i]).toBeCloseTo((x - 2) / scale, 12));
    const next = n.push(9);
    expect(next).toHaveLength(1);
    expect(next[0]).toBeCloseTo(7 / scale, 12);
    expect(n.denormalise(next[0])).toBeCloseTo(9, 12);
  });

  it('ignores non-finite samples', () => {
    const n = new WarmupNormaliser(3);
    expect(n.push(NaN)).toEqual([]);
    expect(n.push(Infinity)).toEqual([]);
    n.push(1);
    n.push(2);
    expect(n.push(-Infinity)).toEqual([]);
    expect(n.push(4)).toHaveLength(3);
    expect(n.push(NaN)).toEqual([]);
  });

  it('measures the noise, not the trend: the scale does not depend on the slope', () => {
    // i·slope + (−1)^i over 51 samples: 25 differences of slope + 2 and 25 of slope − 2, so
    // their median is the slope and MAD(diffs) = 2 whatever the slope.
    const series = (slope: number) => Array.from({ length: 51 }, (_, i) => i * slope + (i % 2 ? -1 : 1));
    const expected = (1.4826 * 2) / Math.SQRT2;
    for (const slope of [0, 0.3, 10, -250]) expect(warmupCentreScale(series(slope)).scale).toBeCloseTo(expected, 12);
  });

  it('estimates σ of Gaussian noise on a steep trend', () => {
    const next = mulberry32(42);
    const values = Array.from({ length: 4000 }, (_, i) => 1000 - 5 * i + 3 * gaussian(next));
    expect(warmupCentreScale(values).scale).toBeGreaterThan(3 * 0.95);
    expect(warmupCentreScale(values).scale).toBeLessThan(3 * 1.05);
  });

  it('falls back to the standard deviation, then to a floor relative to the level, then to 1', () => {
    // diffs [0, 0, 0, 1]: MAD 0. Sample sd of [0, 0, 0, 0, 1] = √(0.8/4).
    expect(warmupCentreScale([0, 0, 0, 0, 1]).scale).toBeCloseTo(Math.sqrt(0.2), 12);
    expect(warmupCentreScale([0, 0, 0, 0, 1]).centre).toBe(0);
    expect(warmupCentreScale([-250, -250, -250]).scale).toBeCloseTo(250e-6, 15);
    expect(warmupCentreScale([0, 0, 0]).scale).toBe(1);
  });

  it('validates the window', () => {
    expect(() => new WarmupNormaliser(2)).toThrow(/window/);
    expect(() => new WarmupNormaliser(10.5)).toThrow(/window/);
  });

  it('restores from JSON and continues identically, during and after warm-up', () => {
    const next = mulberry32(3);
    const xs = Array.from({ length: 30 }, () => 5 + gaussian(next));
    for (const cut of [4, 10, 20]) {
      const a = new WarmupNormaliser(10);
      xs.slice(0, cut).forEach((x) => a.push(x));
      const b = WarmupNormaliser.restore(10, JSON.parse(JSON.stringify(a.snapshot())));
      for (const x of xs.slice(cut)) expect(b.push(x)).toEqual(a.push(x));
      expect(b.snapshot()).toEqual(a.snapshot());
    }
    expect(() => WarmupNormaliser.restore(10, { buffer: [], centre: 1, scale: 0 })).toThrow(/scale/);
    expect(() => WarmupNormaliser.restore(3, { buffer: [1, 2, 3], centre: null, scale: null })).toThrow(/buffer/);
  });
});
