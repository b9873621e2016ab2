import { describe, expect, it } from 'vitest';
import { RunSeries } from '../../src/dashboard/shared/run-series.js';

/** Which rows of a run's held history are exact (each series' own value at the row's step). */

const steps = (n: number, from = 1) => Array.from({ length: n }, (_, i) => (from + i) * 10);

describe('RunSeries.exactFrom', () => {
  it('is 0 for a full-resolution snapshot and its frames', () => {
    const s = new RunSeries();
    s.replace(['step', 'loss'], [steps(3), [3, 2, 1]], 3, false);
    expect(s.exactFrom).toBe(0);
    s.append(['step', 'loss'], [[40], [0.5]], 4);
    expect(s.exactFrom).toBe(0);
  });

  it('starts after a decimated snapshot: only the frames that follow it are exact', () => {
    const s = new RunSeries();
    s.replace(['step', 'loss'], [[10, 50, 60, 100], [3, 2, 2, 1]], 10, true);
    expect(s.exactFrom).toBe(4);
    s.append(['step', 'loss'], [[110, 120], [0.9, 0.8]], 12);
    expect(s.exactFrom).toBe(4);
    expect(s.rows).toBe(6);
  });

  it('moves to the end when the history compacts itself', () => {
    const s = new RunSeries(100);
    s.replace(['step', 'loss'], [steps(100), steps(100).map((x) => 1 / x)], 100, false);
    expect(s.exactFrom).toBe(0);
    s.append(['step', 'loss'], [[1010], [0]], 101);
    expect(s.decimated).toBe(true);
    expect(s.exactFrom).toBe(s.rows);
    s.append(['step', 'loss'], [[1020], [0]], 102);
    expect(s.exactFrom).toBe(s.rows - 1);
  });
});
