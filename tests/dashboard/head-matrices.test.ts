import { describe, expect, it } from 'vitest';
import { divergingColour, NO_VALUE_COLOUR, readableInk } from '../../src/dashboard/shared/diverging-scale.js';
import { headMatrices, type HeadMatrix } from '../../src/dashboard/shared/head-matrices.js';
import { RunSeries } from '../../src/dashboard/shared/run-series.js';

/** The head heat maps' matrices, read from hand-made columns, and their colour scale. */

const E = ['E_1_1', 'E_1_2', 'E_2_1', 'E_2_2'];
const ESTAR = ['predictors.Estar_1_2', 'predictors.Estar_2_1'];
const WDP = ['predictors.WDP_1_2', 'predictors.WDP_2_1'];

function series(columns: string[], rows: (number | null)[][]): RunSeries {
  const s = new RunSeries();
  s.replace(['step', ...columns], [rows.map((r) => r[0]), ...columns.map((_, c) => rows.map((r) => r[c + 1]))], rows.length, false);
  return s;
}
const byId = (maps: readonly HeadMatrix[]) => Object.fromEntries(maps.map((m) => [m.id, m]));

describe('headMatrices', () => {
  it('reads E, E* and W_DP at their latest step (unit diagonals filled in) and adds I', () => {
    const s = series(
      [...E, ...ESTAR, ...WDP, 'predictors.dist_WDP'],
      [
        [10, 1, 0.1, 0.2, 1, 0.3, 0.4, 0.5, 0.6, 0.9],
        [20, 0.98, 0.05, 0.31, 1.01, -0.2, 0.25, 0.12, 0.33, 0.8],
      ],
    );
    const result = headMatrices(s, 2);
    expect(result.kind).toBe('maps');
    if (result.kind !== 'maps') return;
    expect(result.maps.map((m) => m.id)).toEqual(['E', 'Estar', 'WDP', 'I']);
    const maps = byId(result.maps);
    expect(maps.E.cells).toEqual([
      [0.98, 0.05],
      [0.31, 1.01],
    ]);
    expect(maps.E.step).toBe(20);
    expect(maps.Estar.cells).toEqual([
      [1, -0.2],
      [0.25, 1],
    ]);
    expect(maps.WDP.cells).toEqual([
      [1, 0.12],
      [0.33, 1],
    ]);
    expect(maps.I.cells).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(maps.I.step).toBeNull();
    expect(result.notes).toEqual([]);
  });

  it('never mixes steps: an E* row missing at the latest step shows as missing, not as an older value', () => {
    const s = series(
      [...E, ...ESTAR, 'predictors.dist_WDP'],
      [
        [10, 1, 0.1, 0.2, 1, 0.3, 0.4, 0.9],
        [20, 1, 0.1, 0.2, 1, 0.35, null, 0.9],
      ],
    );
    const result = headMatrices(s, 2);
    if (result.kind !== 'maps') throw new Error('expected maps');
    const maps = byId(result.maps);
    expect(maps.Estar.cells).toEqual([
      [1, 0.35],
      [null, 1],
    ]);
    expect(maps.Estar.step).toBe(20);
    // W_DP has no entries here although the plug-in runs: not recorded yet.
    expect(maps.WDP).toBeUndefined();
    expect(result.notes).toEqual(['W_DP (DirectPred) is not recorded yet.']);
  });

  it('takes E from the latest row that holds it (a later row may carry other series only)', () => {
    const s = series(['loss', ...E], [
      [10, 2, 1, 0, 0, 1],
      [20, 1.9, 0.9, 0.1, 0.2, 1.1],
      [25, 1.8, null, null, null, null],
    ]);
    const result = headMatrices(s, 2);
    if (result.kind !== 'maps') throw new Error('expected maps');
    expect(result.maps.map((m) => m.id)).toEqual(['E', 'I']);
    expect(result.maps[0].step).toBe(20);
    expect(result.maps[0].cells).toEqual([
      [0.9, 0.1],
      [0.2, 1.1],
    ]);
    expect(result.notes).toEqual([
      'E* (optimal linear predictor) is not recorded for this run (metrics.predictors is off).',
      'W_DP (DirectPred) is not recorded for this run (metrics.predictors is off).',
    ]);
  });

  it('says why there are no maps: m > 4, no data yet, no E entries', () => {
    const big = headMatrices(series(['loss'], [[10, 1]]), 8);
    expect(big).toEqual({ kind: 'none', reason: expect.stringContaining('only for m ≤ 4 (this run has m = 8)') });
    expect(headMatrices(new RunSeries(), 2)).toEqual({ kind: 'none', reason: 'waiting for data…' });
    expect(headMatrices(series(['loss'], [[10, 1]]), 2)).toEqual({ kind: 'none', reason: 'This run records no entries of E.' });
  });
});

describe('divergingColour', () => {
  it('is near-white at 0, the RdBu ends at ±1 and beyond, and linear in between', () => {
    expect(divergingColour(0)).toBe('#f7f7f7');
    expect(divergingColour(1)).toBe('#b2182b');
    expect(divergingColour(3)).toBe('#b2182b');
    expect(divergingColour(-1)).toBe('#2166ac');
    expect(divergingColour(-7)).toBe('#2166ac');
    // (247 + (178 − 247)/2, 247 + (24 − 247)/2, 247 + (43 − 247)/2) = (212.5, 135.5, 145), rounded.
    expect(divergingColour(0.5)).toBe('#d58891');
    // 247 + (33 − 247)/4 = 193.5, 247 + (102 − 247)/4 = 210.75, 247 + (172 − 247)/4 = 228.25.
    expect(divergingColour(-0.25)).toBe('#c2d3e4');
    // With limit 2, 1 is half way.
    expect(divergingColour(1, 2)).toBe('#d58891');
  });

  it('greys out a missing value', () => {
    expect(divergingColour(null)).toBe(NO_VALUE_COLOUR);
    expect(divergingColour(Number.NaN)).toBe(NO_VALUE_COLOUR);
  });

  it('writes dark text on light cells and white on saturated ones', () => {
    expect(readableInk('#f7f7f7')).toBe('#111827');
    expect(readableInk('#ffffff')).toBe('#111827');
    // #b2182b has WCAG luminance ≈ 0.103: white contrasts 6.9:1, near-black 2.6:1.
    expect(readableInk('#b2182b')).toBe('#ffffff');
    expect(readableInk('#2166ac')).toBe('#ffffff');
    expect(readableInk('#000000')).toBe('#ffffff');
  });
});
