import { describe, expect, it } from 'vitest';
import { PageHinkley, type PageHinkleyAlarm, type PageHinkleyOptions } from '../../../../src/operators/phases/page-hinkley.js';
import { gaussian, mulberry32 } from '../../../helpers/test-rng.js';

const alarmsOf = (options: Partial<PageHinkleyOptions>, xs: readonly number[]) => {
  const ph = new PageHinkley(options);
  return xs.flatMap((x, i) => {
    const a = ph.update(x);
    return a ? [{ at: i, ...a }] : [];
  });
};
const noise = (seed: number, n: number, f: (i: number, g: number) => number) => {
  const next = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => f(i, gaussian(next)));
};

describe('PageHinkley', () => {
  // δ 0.5, λ 3, fixed unit scale. Samples 1–4 are 0: the reference is 0, U falls by δ each step to
  // −2 (its minimum, at sample 4) and D rises to 2. Sample 5 = 3 deviates by 3: U = 0.5, U − min
  // = 2.5 ≤ λ; the mean becomes 3/5. Sample 6 = 3 deviates by 2.4: U = 2.4, U − min = 4.4 > λ.
  // The turning point is sample 4, so the change is at sample 5 (lag 1), the mean before it 0 and
  // the mean of the samples since 3.
  const hand: Partial<PageHinkleyOptions> = { delta: 0.5, lambda: 3, memory: 1000, scaleMemory: 0 };

  it('raises an upward alarm where a hand computation does', () => {
    const ph = new PageHinkley(hand);
    const out: (PageHinkleyAlarm | null)[] = [0, 0, 0, 0, 3, 3].map((x) => ph.update(x));
    expect(out.slice(0, 5)).toEqual([null, null, null, null, null]);
    const a = out[5]!;
    expect(a.direction).toBe('up');
    expect(a.lag).toBe(1);
    expect(a.statistic).toBeCloseTo(4.4, 12);
    expect(a.meanBefore).toBe(0);
    expect(a.meanAfter).toBe(3);
  });

  it('and the mirror image downwards', () => {
    const ph = new PageHinkley(hand);
    const out = [0, 0, 0, 0, -3, -3].map((x) => ph.update(x));
    expect(out[4]).toBeNull();
    expect(out[5]).toMatchObject({ direction: 'down', lag: 1, meanBefore: 0, meanAfter: -3 });
    expect(out[5]!.statistic).toBeCloseTo(4.4, 12);
  });

  it('restarts after an alarm: one step gives one alarm, placed near the step', () => {
    for (let seed = 0; seed < 20; seed++) {
      const sign = seed % 2 ? 1 : -1;
      const alarms = alarmsOf({}, noise(seed, 800, (i, g) => (i >= 400 ? 3 * sign : 0) + g));
      expect(alarms).toHaveLength(1);
      expect(alarms[0].direction).toBe(sign > 0 ? 'up' : 'down');
      expect(alarms[0].at).toBeGreaterThanOrEqual(400);
      expect(alarms[0].at).toBeLessThan(415);
      expect(Math.abs(alarms[0].at - alarms[0].lag - 400)).toBeLessThanOrEqual(10);
      expect(alarms[0].statistic).toBeGreaterThan(12);
    }
  });

  it('tracks the noise scale, so a noisier segment is not read as a shift', () => {
    const xs = noise(7, 20_000, (i, g) => (i >= 1000 ? 3 : 1) * g);
    expect(alarmsOf({}, xs).length).toBeLessThanOrEqual(2);
    expect(alarmsOf({ scaleMemory: 0 }, xs).length).toBeGreaterThan(100);
    const ph = new PageHinkley();
    xs.forEach((x) => ph.update(x));
    // σ = 3 after sample 1000, estimated from |x_t − x_{t−1}|·√π/2 over about 50 samples.
    expect(ph.snapshot().scale).toBeGreaterThan(3 * 0.7);
    expect(ph.snapshot().scale).toBeLessThan(3 * 1.3);
  });

  it('follows a slow trend (0.001 σ per sample) with under 1 alarm per 10,000 samples', () => {
    let alarms = 0;
    for (let seed = 0; seed < 5; seed++) alarms += alarmsOf({}, noise(50 + seed, 20_000, (i, g) => 0.001 * i + g)).length;
    expect(alarms).toBeLessThan(10);
  });

  it('ignores non-finite samples', () => {
    const ph = new PageHinkley();
    ph.update(1);
    const before = JSON.stringify(ph.snapshot());
    expect(ph.update(NaN)).toBeNull();
    expect(ph.update(-Infinity)).toBeNull();
    expect(JSON.stringify(ph.snapshot())).toBe(before);
  });

  it('validates options loudly, naming the field', () => {
    expect(() => new PageHinkley({ delta: -1 })).toThrow(/delta/);
    expect(() => new PageHinkley({ lambda: 0 })).toThrow(/lambda/);
    expect(() => new PageHinkley({ memory: 0.5 })).toThrow(/memory/);
    expect(() => new PageHinkley({ scaleMemory: 0.5 })).toThrow(/scaleMemory/);
  });

  it('continues bit-identically after a JSON round trip', () => {
    const xs = noise(3, 4000, (i, g) => 3 * Math.floor(i / 350) * (i % 700 < 350 ? 1 : -1) + (i % 1000 < 500 ? 1 : 2) * g);
    for (const cut of [0, 1, 777, 2500]) {
      const a = new PageHinkley();
      xs.slice(0, cut).forEach((x) => a.update(x));
      const b = PageHinkley.restore({}, JSON.parse(JSON.stringify(a.snapshot())));
      const outA = xs.slice(cut).map((x) => a.update(x));
      const outB = xs.slice(cut).map((x) => b.update(x));
      expect(outA.filter(Boolean).length).toBeGreaterThan(1);
      expect(outB).toEqual(outA);
      expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
    }
    expect(() => PageHinkley.restore({}, { ...new PageHinkley().snapshot(), scale: 0 })).toThrow(/scale/);
  });
});
