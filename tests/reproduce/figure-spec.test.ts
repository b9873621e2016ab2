import { describe, expect, it } from 'vitest';
import { MAX_FIGURE_POINTS, thinSeries } from '../../src/reproduce/figure-spec.js';

describe('thinSeries', () => {
  it('keeps short series as they are', () => {
    expect(thinSeries([1, 2, 3], [4, null, 6])).toEqual({ x: [1, 2, 3], y: [4, null, 6] });
  });

  it('thins a long series to the limit and keeps its spikes, in step order', () => {
    const n = 10_000;
    const x = Array.from({ length: n }, (_, i) => i);
    // A flat line at 1 with one spike up (at 4321) and one down (at 7777).
    const y = x.map((i) => (i === 4321 ? 50 : i === 7777 ? -50 : 1));
    const thin = thinSeries(x, y);
    expect(thin.x.length).toBeLessThanOrEqual(MAX_FIGURE_POINTS);
    expect(thin.x).toContain(4321);
    expect(thin.x).toContain(7777);
    expect(Math.max(...(thin.y as number[]))).toBe(50);
    expect(Math.min(...(thin.y as number[]))).toBe(-50);
    expect([...thin.x].sort((a, b) => a - b)).toEqual(thin.x);
  });
});
