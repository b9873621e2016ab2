import { describe, expect, it } from 'vitest';
import { SeriesChangeDetector, type ChangePoint, type SeriesChangeDetectorOptions } from '../../../../src/operators/phases/series-change-detector.js';
import { gaussian, mulberry32 } from '../../../helpers/test-rng.js';

/** A metric recorded every 10 steps (steps 10, 20, …): level 100, σ 0.5, +2 (4σ) from sample 300 (step 3010). */
function series(seed = 1, n = 600) {
  const next = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({ step: 10 * (i + 1), value: 100 + (i >= 300 ? 2 : 0) + 0.5 * gaussian(next) }));
}

const feed = (d: SeriesChangeDetector, records: readonly { step: number; value: number }[]) => records.flatMap((r) => [...d.update(r.step, r.value)]);

describe('SeriesChangeDetector', () => {
  it('reports a step with steps, confidence, direction and evidence in the series units', () => {
    const found = feed(new SeriesChangeDetector('loss'), series());
    const bocpd = found.filter((c) => c.detector === 'bocpd');
    const ph = found.filter((c) => c.detector === 'page-hinkley');
    expect(bocpd).toHaveLength(1);
    expect(ph).toHaveLength(1);
    for (const cp of found) {
      expect(cp.series).toBe('loss');
      expect(cp.direction).toBe('up');
      expect(cp.detectedAt % 10).toBe(0);
      expect(cp.step % 10).toBe(0);
      expect(cp.detectedAt).toBeGreaterThanOrEqual(3010);
      expect(cp.detectedAt).toBeLessThanOrEqual(3010 + 10 * 15);
      expect(cp.step).toBeLessThanOrEqual(cp.detectedAt);
      expect(cp.detectedAt - cp.step).toBe(10 * cp.evidence.lag);
      expect(cp.confidence).toBeGreaterThan(0);
      expect(cp.confidence).toBeLessThanOrEqual(1);
      expect(Math.abs(cp.evidence.meanBefore - 100)).toBeLessThan(0.15);
    }
    const [b] = bocpd;
    expect(Math.abs(b.step - 3010)).toBeLessThanOrEqual(20);
    expect(b.confidence).toBeGreaterThanOrEqual(0.9);
    expect(b.confidence).toBe(b.evidence.probability);
    expect(Math.abs(b.evidence.sdBefore - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(b.evidence.meanAfter - 102)).toBeLessThan(0.8);
    const [p] = ph;
    expect(Math.abs(p.step - 3010)).toBeLessThanOrEqual(100);
    expect(p.confidence).toBe(Math.min(1, p.evidence.statistic / (2 * p.evidence.lambda)));
    expect(p.evidence.statistic).toBeGreaterThan(p.evidence.lambda);
    // Page–Hinkley's turning point tends to come a few samples early, so its mean after the
    // change mixes in some samples from before it.
    expect(p.evidence.meanAfter).toBeGreaterThan(100.5);
    expect(p.evidence.meanAfter).toBeLessThan(102.8);
  });

  it('reports nothing while warming up and maps warm-up samples to their own steps', () => {
    const d = new SeriesChangeDetector('x', { warmup: 50 });
    const records = series(2).slice(0, 49);
    for (const r of records) expect(d.update(r.step, r.value)).toHaveLength(0);
    expect(d.snapshot().pendingSteps).toEqual(records.map((r) => r.step));
    d.update(500, 100);
    expect(d.snapshot().pendingSteps).toEqual([]);
    expect(d.snapshot().steps).toEqual([...records.map((r) => r.step), 500]);
  });

  it('ignores non-finite values and rejects a non-finite step', () => {
    const records = series(3, 400);
    const a = new SeriesChangeDetector('x');
    const b = new SeriesChangeDetector('x');
    records.forEach((r, i) => {
      a.update(r.step, r.value);
      if (i % 7 === 0) b.update(r.step - 5, NaN);
      b.update(r.step, r.value);
    });
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
    expect(() => a.update(NaN, 1)).toThrow(RangeError);
  });

  it('runs either detector alone', () => {
    const bocpdOnly = feed(new SeriesChangeDetector('x', { pageHinkley: false }), series());
    const phOnly = feed(new SeriesChangeDetector('x', { bocpdEnabled: false }), series());
    expect(bocpdOnly.length).toBeGreaterThan(0);
    expect(bocpdOnly.every((c) => c.detector === 'bocpd')).toBe(true);
    expect(phOnly.length).toBeGreaterThan(0);
    expect(phOnly.every((c) => c.detector === 'page-hinkley')).toBe(true);
    expect(new SeriesChangeDetector('x', { pageHinkley: false }).snapshot().pageHinkley).toBeNull();
  });

  it('passes detector options through and validates its own', () => {
    expect(() => new SeriesChangeDetector('x', { bocpd: { threshold: 2 } })).toThrow(/threshold/);
    expect(() => new SeriesChangeDetector('x', { pageHinkley: { lambda: -1 } })).toThrow(/lambda/);
    expect(() => new SeriesChangeDetector('x', { warmup: 1 })).toThrow(/window/);
    expect(() => new SeriesChangeDetector('x', { history: 0 })).toThrow(/history/);
  });

  it('places a change older than the kept steps at the oldest one', () => {
    const found = feed(new SeriesChangeDetector('x', { history: 1 }), series());
    expect(found.length).toBeGreaterThan(0);
    for (const cp of found) expect(cp.step).toBe(cp.detectedAt);
  });

  it('continues bit-identically after a JSON round trip, in warm-up and after', () => {
    const next = mulberry32(8);
    const records = Array.from({ length: 2000 }, (_, i) => ({ step: 7 * i + (i % 3), value: 5 + 0.2 * Math.floor(i / 250) * (i % 500 < 250 ? 1 : -1) * 3 + (i % 800 < 400 ? 0.1 : 0.3) * gaussian(next) }));
    const options: Partial<SeriesChangeDetectorOptions> = { warmup: 40 };
    for (const cut of [0, 17, 40, 333, 1500]) {
      const a = new SeriesChangeDetector('s', options);
      feed(a, records.slice(0, cut));
      const b = SeriesChangeDetector.restore('s', options, JSON.parse(JSON.stringify(a.snapshot())));
      const outA: ChangePoint[] = [];
      const outB: ChangePoint[] = [];
      for (const r of records.slice(cut)) {
        outA.push(...a.update(r.step, r.value));
        outB.push(...b.update(r.step, r.value));
      }
      if (cut < 1500) expect(outA.length).toBeGreaterThan(2);
      expect(outB).toEqual(outA);
      expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
    }
    const state = new SeriesChangeDetector('s').snapshot();
    expect(() => SeriesChangeDetector.restore('s', { pageHinkley: false }, state)).toThrow(RangeError);
  });
});
