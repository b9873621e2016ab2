import { describe, expect, it } from 'vitest';
import { overlayColumns } from '../../src/dashboard/chart/local-data.js';
import type { SeriesDef } from '../../src/dashboard/shared/chart-specs.js';
import { alignColumns } from '../../src/dashboard/shared/overlay-series.js';
import { RunSeries } from '../../src/dashboard/shared/run-series.js';

/**
 * Several runs on one chart: the selected run's columns and related runs' columns merged on the
 * union of their steps, with `undefined` where a run has no row (uPlot's alignment gap) and real
 * nulls kept — every expected table written out by hand.
 */

describe('alignColumns', () => {
  it('merges on the union of the steps, sharing rows at equal steps', () => {
    const main = [
      [0, 10, 20, 30],
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ];
    const parent = [
      [20, 25, 30, 40],
      [30, 35, 40, 50],
      [70, 75, 80, 90],
    ];
    const { data, last } = alignColumns(main, [parent]);
    expect(data).toEqual([
      [0, 10, 20, 25, 30, 40],
      [1, 2, 3, undefined, 4, undefined],
      [5, 6, 7, undefined, 8, undefined],
      [undefined, undefined, 30, 35, 40, 50],
      [undefined, undefined, 70, 75, 80, 90],
    ]);
    // The readout of the latest values: each source's own last row (main: step 30, parent: step 40).
    expect(last).toEqual([4, 4, 4, 5, 5]);
  });

  it('keeps real nulls, and repeated steps inside one source as rows of their own', () => {
    const main = [
      [0, 5, 5],
      [1, null, 3],
    ];
    const a = [[5], [9]];
    const b = [
      [2, 7],
      [null, 8],
    ];
    const { data, last } = alignColumns(main, [a, b]);
    expect(data).toEqual([
      [0, 2, 5, 5, 7],
      [1, undefined, null, 3, undefined],
      [undefined, undefined, 9, undefined, undefined],
      [undefined, null, undefined, undefined, 8],
    ]);
    expect(last).toEqual([3, 3, 2, 4]);
  });

  it('gives the main columns back untouched without related runs, and handles empty sources', () => {
    const main = [
      [1, 2],
      [3, 4],
    ];
    const alone = alignColumns(main, []);
    expect(alone.data).toBe(main);
    expect(alone.last).toEqual([1, 1]);
    const empty = alignColumns([[], []], [[[], []]]);
    expect(empty.data).toEqual([[], [], []]);
    expect(empty.last).toEqual([null, null, null]);
    expect(alignColumns([[], []], [[[3], [1]]]).data).toEqual([[3], [undefined], [1]]);
  });

  it('drops rows without a step', () => {
    expect(alignColumns([[1, null, 3], [10, 20, 30]], [[[2], [5]]]).data).toEqual([
      [1, 2, 3],
      [10, undefined, 30],
      [undefined, 5, undefined],
    ]);
  });
});

describe('overlayColumns', () => {
  const related = new RunSeries(Number.POSITIVE_INFINITY);
  related.replace(['step', 'E_2_1', 'loss'], [[780, 790, 800, 810, 820], [0.01, -0.02, 0.03, -0.04, 0], [2, 1.9, 1.8, 1.7, 1.6]], 0, false);
  const defs: SeriesDef[] = [
    { key: 'E_2_1', label: 'E21', color: '#000', abs: true },
    { key: 'missing', label: 'x', color: '#111' },
  ];

  it('takes a related run’s rows from its divergence step on, with the chart’s transforms', () => {
    expect(overlayColumns(related, defs, false, 800)).toEqual([
      [800, 810, 820],
      [0.03, 0.04, 0],
      [null, null, null],
    ]);
  });

  it('hides values ≤ 0 on a log axis and gives nothing when the run has no rows there', () => {
    expect(overlayColumns(related, defs, true, 805)).toEqual([
      [810, 820],
      [0.04, null],
      [null, null],
    ]);
    expect(overlayColumns(related, defs, false, 900)).toEqual([[], [], []]);
  });
});
