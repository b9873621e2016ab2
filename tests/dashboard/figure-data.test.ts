import { describe, expect, it } from 'vitest';
import { figureData } from '../../src/dashboard/figure/figure-data.js';
import type { FigureSpec } from '../../src/reproduce/figure-spec.js';

const spec = (over: Partial<FigureSpec>): FigureSpec => ({ name: 'f', title: 't', caption: '', xLabel: 'x', yLabel: 'y', series: [], ...over });

describe('figureData', () => {
  it('puts series measured at different x on one sorted axis, null where a series has no value', () => {
    const data = figureData(
      spec({
        series: [
          { label: 'a', x: [10, 30], y: [1, 3], color: 0 },
          { label: 'b', x: [20, 10], y: [5, null], color: 1 },
        ],
      }),
    );
    expect(data).toEqual([
      [10, 20, 30],
      [1, null, 3],
      [null, 5, null],
    ]);
  });

  it('leaves out points a log axis cannot show', () => {
    const data = figureData(spec({ logX: true, logY: true, series: [{ label: 'a', x: [0, 1, 2, 4], y: [5, 0, 2, -1], color: 0 }] }));
    expect(data).toEqual([[2], [2]]);
  });
});
