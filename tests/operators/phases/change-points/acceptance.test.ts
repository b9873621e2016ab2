/**
 * The acceptance targets, on seeded synthetic suites (seed 101 here; the benchmark uses
 * another, so the figures are not tuned to one draw): a change counts as detected when an alarm
 * comes within 50 samples after it and before the next; ≥ 95 % detected, median delay ≤ 20
 * samples, ≤ 1 false alarm per 10,000 samples of stationary noise over 100,000 samples.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { families, median, runDefaultDetector, scoreFamily, type Family, type Score } from './signals.js';

const rate = (s: Score) => s.detected / s.changes;
const perTenThousand = (s: Score) => (1e4 * s.falseAlarms) / s.samples;

describe('change-point acceptance targets (seed 101)', () => {
  const results = new Map<string, Record<string, Score>>();
  let suite: Family[];
  beforeAll(() => {
    suite = families(101, { count: 10, length: 5000, steps: 50, quietSamples: 100_000 });
    for (const family of suite) results.set(family.name, scoreFamily(family, runDefaultDetector));
  });

  const changeFamilies = ['mean shifts', 'variance shifts', 'step SNR 2', 'step SNR 3', 'step SNR 5', 'step SNR 10'];

  it('suites are the size the targets ask for', () => {
    expect(results.get('mean shifts')!.either.changes).toBeGreaterThan(150);
    expect(results.get('variance shifts')!.either.changes).toBeGreaterThan(150);
    expect(results.get('step SNR 2')!.either.changes).toBe(50);
    expect(results.get('stationary')!.either.samples).toBeGreaterThanOrEqual(100_000);
  });

  for (const name of changeFamilies) {
    it(`${name}: ≥ 95 % detected with median delay ≤ 20, by either detector and by bocpd alone`, () => {
      for (const source of ['either', 'bocpd']) {
        const s = results.get(name)![source];
        expect(rate(s), `${source} detection rate`).toBeGreaterThanOrEqual(0.95);
        expect(median(s.delays), `${source} median delay`).toBeLessThanOrEqual(20);
      }
    });
  }

  it('Page–Hinkley alone meets the targets on mean shifts and steps (it is not meant for variance)', () => {
    for (const name of changeFamilies.filter((n) => n !== 'variance shifts')) {
      const s = results.get(name)!['page-hinkley'];
      expect(rate(s), name).toBeGreaterThanOrEqual(0.95);
      expect(median(s.delays), name).toBeLessThanOrEqual(20);
    }
  });

  it('stationary noise: ≤ 1 false alarm per 10,000 samples, both detectors together', () => {
    const s = results.get('stationary')!;
    expect(perTenThousand(s.either)).toBeLessThanOrEqual(1);
    expect(perTenThousand(s.bocpd) + perTenThousand(s['page-hinkley'])).toBe(perTenThousand(s.either));
  });

  it('trending noise (a decaying curve, no change points) stays under 3 false alarms per 10,000 samples', () => {
    // Not a target of the issue: a guard. Most of these fire in the steep first fifth of the curve.
    expect(perTenThousand(results.get('trending')!.either)).toBeLessThanOrEqual(3);
  });

  it('places changes precisely and reads their direction', () => {
    const mean = results.get('mean shifts')!;
    expect(median(mean.bocpd.locationErrors)).toBeLessThanOrEqual(1);
    expect(median(mean['page-hinkley'].locationErrors)).toBeLessThanOrEqual(3);
    for (const source of ['bocpd', 'page-hinkley']) expect(mean[source].directionsRight / mean[source].directions, source).toBeGreaterThanOrEqual(0.9);
    const variance = results.get('variance shifts')!.bocpd;
    expect(variance.directionsRight / variance.directions).toBeGreaterThanOrEqual(0.75);
  });
});
