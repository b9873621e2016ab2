import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../../src/operators/frames.js';
import { detectChangePoints } from '../../../src/operators/phases/detect-change-points.js';
import { gaussian, mulberry32 } from '../../helpers/test-rng.js';

/** `loss`: N(0, 0.1²) noise whose mean jumps from 1 to 2 at record 300 (step 3000); `other` is plain noise. */
function records(): MetricRecord[] {
  const next = mulberry32(7);
  return Array.from({ length: 600 }, (_, i) => ({
    step: (i + 1) * 10,
    values: { loss: (i + 1 >= 300 ? 2 : 1) + 0.1 * gaussian(next), other: gaussian(next) },
  }));
}

describe('detectChangePoints', () => {
  it('attaches a change point on the watched series to the record that raised it, near the true change', async () => {
    const out = await firstValueFrom(from(records()).pipe(detectChangePoints(['loss']), toArray()));
    expect(out).toHaveLength(600);
    const events = out.flatMap((r) => (r.events ?? []).map((e) => ({ ...e, at: r.step })));
    expect(events.length).toBeGreaterThanOrEqual(1);
    for (const e of events) {
      expect(e).toMatchObject({ kind: 'change-point', series: 'loss', label: 'up' });
      expect(e.detectedAt).toBe(e.at);
      // The jump is at step 3000; every alarm belongs to it (10σ: detected within 20 records).
      expect(e.step).toBeGreaterThanOrEqual(2900);
      expect(e.step).toBeLessThanOrEqual(3100);
      expect(e.detectedAt - 3000).toBeLessThanOrEqual(200);
    }
    // Records pass through unchanged apart from the events.
    expect(out.map((r) => r.values)).toEqual(records().map((r) => r.values));
  });

  it('keeps detectors per subscription: two subscribers see the same events', async () => {
    const op = detectChangePoints(['loss', 'missing']);
    const source = from(records());
    const a = await firstValueFrom(source.pipe(op, toArray()));
    const b = await firstValueFrom(source.pipe(op, toArray()));
    expect(b.map((r) => r.events ?? [])).toEqual(a.map((r) => r.events ?? []));
  });

  it('rejects bad options when the operator is made', () => {
    expect(() => detectChangePoints(['loss'], { warmup: 0 })).toThrow(/warm/i);
  });
});
