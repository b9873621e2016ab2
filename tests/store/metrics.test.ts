import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, type MetricPoint } from '../../src/store/index.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function setup(): { store: Store; runId: number } {
  const store = Store.open(path.join(tempDir(), 'metrics.db'));
  open.push(store);
  const runId = store.createRun({ name: 'm', preset: null, config: {}, seed: 1, backend: 'cpu', targetSteps: 10 }).id;
  return { store, runId };
}

describe('metrics', () => {
  it('readSeries returns exactly the values written, steps ascending, non-finite as null', () => {
    const { store, runId } = setup();
    // Written out of order on purpose: reads must come back sorted by step.
    store.appendPoints(runId, [
      { step: 3, values: { loss: 0.125, acc: 0.75 } },
      { step: 0, values: { loss: 2.5, acc: 0.1 } },
      { step: 1, values: { loss: Number.NaN, acc: 0.2 } },
      { step: 2, values: { loss: Number.POSITIVE_INFINITY, acc: Number.NEGATIVE_INFINITY } },
      { step: 4, values: { loss: -1e-300, acc: 1 / 3 } },
    ]);

    expect(store.readSeries(runId, 'loss')).toEqual({ steps: [0, 1, 2, 3, 4], values: [2.5, null, null, 0.125, -1e-300] });
    expect(store.readSeries(runId, 'acc')).toEqual({ steps: [0, 1, 2, 3, 4], values: [0.1, 0.2, null, 0.75, 1 / 3] });
    expect(store.readSeries(runId, 'nope')).toEqual({ steps: [], values: [] });
    expect(store.seriesNames(runId)).toEqual(['loss', 'acc']);
    expect(store.lastStep(runId)).toBe(4);
  });

  it('readSeries honours inclusive and open-ended ranges', () => {
    const { store, runId } = setup();
    const points: MetricPoint[] = [];
    for (let step = 0; step < 20; step++) points.push({ step, values: { x: step * 10 } });
    store.appendPoints(runId, points);

    expect(store.readSeries(runId, 'x', { from: 5, to: 8 })).toEqual({ steps: [5, 6, 7, 8], values: [50, 60, 70, 80] });
    expect(store.readSeries(runId, 'x', { from: 17 })).toEqual({ steps: [17, 18, 19], values: [170, 180, 190] });
    expect(store.readSeries(runId, 'x', { to: 1 })).toEqual({ steps: [0, 1], values: [0, 10] });
    expect(store.readSeries(runId, 'x', { from: 9, to: 3 })).toEqual({ steps: [], values: [] });
    expect(store.readSeries(runId, 'x', { from: -Infinity, to: Infinity }).steps).toEqual(points.map((p) => p.step));
  });

  it('keeps series of different runs apart', () => {
    const { store, runId } = setup();
    const other = store.createRun({ name: 'o', preset: null, config: {}, seed: 2, backend: 'cpu', targetSteps: 10 }).id;
    store.appendPoints(runId, [{ step: 0, values: { loss: 1 } }]);
    store.appendPoints(other, [{ step: 5, values: { acc: 0.5, loss: 9 } }]);

    expect(store.readSeries(runId, 'loss')).toEqual({ steps: [0], values: [1] });
    expect(store.readSeries(other, 'loss')).toEqual({ steps: [5], values: [9] });
    expect(store.seriesNames(runId)).toEqual(['loss']);
    expect(store.seriesNames(other)).toEqual(['acc', 'loss']);
    expect(store.lastStep(runId)).toBe(0);
    expect(store.lastStep(other)).toBe(5);
  });

  it('readPoints pivots one row per step aligned with seriesNames, null where missing', () => {
    const { store, runId } = setup();
    store.appendPoints(runId, [
      { step: 0, values: { loss: 1, acc: 0.5 } },
      { step: 1, values: { loss: 0.8 } }, // acc missing
    ]);
    store.appendPoints(runId, [
      { step: 2, values: { acc: 0.7, lr: 0.01 } }, // loss missing, lr appears late
      { step: 3, values: { loss: Number.NaN, acc: 0.9, lr: 0.005 } },
    ]);

    expect(store.seriesNames(runId)).toEqual(['loss', 'acc', 'lr']);
    const expected = [
      { step: 0, values: [1, 0.5, null] },
      { step: 1, values: [0.8, null, null] },
      { step: 2, values: [null, 0.7, 0.01] },
      { step: 3, values: [null, 0.9, 0.005] },
    ];
    expect([...store.readPoints(runId)]).toEqual(expected);
    expect([...store.readPoints(runId, { from: 1, to: 2 })]).toEqual(expected.slice(1, 3));
    expect([...store.readPoints(runId + 1)]).toEqual([]);
  });

  it('readPoints is lazy and releases the connection when iteration is abandoned', () => {
    const { store, runId } = setup();
    const points: MetricPoint[] = [];
    for (let step = 0; step < 100; step++) points.push({ step, values: { a: step, b: -step - 0.5 } });
    store.appendPoints(runId, points);

    const rows = store.readPoints(runId);
    // Creating the iterable must not occupy the connection.
    expect(store.lastStep(runId)).toBe(99);
    let seen = 0;
    for (const row of rows) {
      expect(row).toEqual({ step: seen, values: [seen, -seen - 0.5] });
      if (++seen === 3) break;
    }
    // After break the connection is free again.
    store.appendPoints(runId, [{ step: 100, values: { a: 100 } }]);
    expect(store.lastStep(runId)).toBe(100);
  });

  it('close() ends a suspended readPoints iteration, which then throws E_STORE_CLOSED', () => {
    const { store, runId } = setup();
    store.appendPoints(runId, [0, 1, 2, 3].map((step) => ({ step, values: { a: step } })));
    const it = store.readPoints(runId)[Symbol.iterator]();
    expect(it.next().value).toEqual({ step: 0, values: [0] });
    store.close();
    expect(() => it.next()).toThrowError(expect.objectContaining({ code: 'E_STORE_CLOSED' }));
  });

  it('re-appending a step overwrites its value (INSERT OR REPLACE)', () => {
    const { store, runId } = setup();
    store.appendPoints(runId, [
      { step: 0, values: { loss: 1 } },
      { step: 1, values: { loss: 2 } },
    ]);
    store.appendPoints(runId, [{ step: 1, values: { loss: 5 } }]);
    expect(store.readSeries(runId, 'loss')).toEqual({ steps: [0, 1], values: [1, 5] });
  });

  it('deletePointsAfter removes only later steps of that run', () => {
    const { store, runId } = setup();
    const other = store.createRun({ name: 'o', preset: null, config: {}, seed: 2, backend: 'cpu', targetSteps: 10 }).id;
    const points: MetricPoint[] = [];
    for (let step = 0; step < 10; step++) points.push({ step, values: { a: step, b: step * 2 } });
    store.appendPoints(runId, points);
    store.appendPoints(other, points);

    expect(store.deletePointsAfter(runId, 6)).toBe(6); // steps 7,8,9 × 2 series
    expect(store.readSeries(runId, 'a')).toEqual({ steps: [0, 1, 2, 3, 4, 5, 6], values: [0, 1, 2, 3, 4, 5, 6] });
    expect(store.readSeries(runId, 'b').steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(store.lastStep(runId)).toBe(6);
    expect(store.seriesNames(runId)).toEqual(['a', 'b']);
    expect(store.lastStep(other)).toBe(9);
  });

  it('two stores on one file see each other\'s writes and keep series order consistent', () => {
    const { store, runId } = setup();
    const other = Store.open(store.path);
    open.push(other);
    store.appendPoints(runId, [{ step: 0, values: { a: 1 } }]);
    other.appendPoints(runId, [{ step: 1, values: { a: 2, b: 20 } }]);
    store.appendPoints(runId, [{ step: 2, values: { c: 300, b: 30 } }]);

    expect(other.seriesNames(runId)).toEqual(['a', 'b', 'c']);
    expect([...store.readPoints(runId)]).toEqual([
      { step: 0, values: [1, null, null] },
      { step: 1, values: [2, 20, null] },
      { step: 2, values: [null, 30, 300] },
    ]);
  });

  it('lastStep is null for a run without points', () => {
    const { store, runId } = setup();
    expect(store.lastStep(runId)).toBeNull();
  });

  it('rejects bad input atomically and keeps working afterwards', () => {
    const { store, runId } = setup();
    expect(() =>
      store.appendPoints(runId, [
        { step: 0, values: { fresh: 1 } },
        { step: 1.5, values: { fresh: 2 } },
      ]),
    ).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(store.seriesNames(runId)).toEqual([]);
    expect(store.readSeries(runId, 'fresh')).toEqual({ steps: [], values: [] });

    // The series row was rolled back; appending the same name again must recreate it.
    store.appendPoints(runId, [{ step: 0, values: { fresh: 3 } }]);
    expect(store.readSeries(runId, 'fresh')).toEqual({ steps: [0], values: [3] });

    expect(() => store.appendPoints(runId + 99, [{ step: 0, values: { x: 1 } }])).toThrowError(
      expect.objectContaining({ code: 'E_RUN_NOT_FOUND' }),
    );
  });

  it('recovers when an enclosing transaction rolls back newly created series', () => {
    const { store, runId } = setup();
    expect(() =>
      store.transaction(() => {
        store.appendPoints(runId, [{ step: 0, values: { late: 1 } }]);
        throw new Error('abort');
      }),
    ).toThrow('abort');
    store.appendPoints(runId, [{ step: 0, values: { late: 2 } }]);
    expect(store.readSeries(runId, 'late')).toEqual({ steps: [0], values: [2] });
  });

  // Speed is measured by `npm run bench`, not asserted here (shared machines are noisy).
  it('appends 3,000 steps × 30 series in one call and reads them all back', () => {
    const { store, runId } = setup();
    const names = Array.from({ length: 30 }, (_, i) => `m${i}`);
    const points: MetricPoint[] = [];
    for (let step = 0; step < 3000; step++) {
      const values: Record<string, number> = {};
      for (let i = 0; i < names.length; i++) values[names[i]] = step + i / 100;
      points.push({ step, values });
    }

    store.appendPoints(runId, points);
    expect(store.seriesNames(runId)).toEqual(names);
    const m7 = store.readSeries(runId, 'm7');
    expect(m7.steps.length).toBe(3000);
    expect(m7.values[2999]).toBe(2999 + 7 / 100);
    let rows = 0;
    for (const row of store.readPoints(runId)) {
      if (row.step === 1234) expect(row.values).toEqual(names.map((_, i) => 1234 + i / 100));
      rows++;
    }
    expect(rows).toBe(3000);
  });
});
