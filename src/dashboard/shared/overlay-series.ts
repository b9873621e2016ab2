import type { Columns } from '../../server/decimate.js';
import type { ChartSource } from './run-series.js';

/**
 * Several runs on one chart. uPlot draws series over one shared x array, but the selected run and
 * each related run have steps of their own (their own records, decimated differently), so the
 * columns are merged on the union of their steps. Where a source has no row, its cells are
 * `undefined`: uPlot treats `undefined` as an alignment gap (it joins the line across it and its
 * cursor skips it to the nearest real value), while a real `null` (a missing metric) stays a
 * null. Pure functions; no DOM.
 */

/** uPlot's aligned data: x first, `undefined` for "this series has no row at this x". */
export type AlignedColumns = (number | null | undefined)[][];

export interface Aligned {
  /** `[x, main series…, extra 1 series…, extra 2 series…]`. */
  readonly data: AlignedColumns;
  /**
   * For the legend's "latest values" readout: per column, the last row the column's source has
   * (column 0: the main source's last row), or null when the source has no rows.
   */
  readonly last: readonly (number | null)[];
}

/**
 * Merges a main source and extra sources, each `[steps, series…]` with steps ascending, into one
 * table on the union of their steps. Equal steps of different sources share a row; a step that
 * repeats inside one source (min/max decimation of a one-row bucket) stays two rows.
 * With no extras the main columns come back as they are (no copy).
 *
 * @example
 * alignColumns([[0, 20], [1, 3]], [[[10, 20], [5, 6]]])
 * // data: [[0, 10, 20], [1, undefined, 3], [undefined, 5, 6]], last: [2, 2, 2]
 */
export function alignColumns(main: Columns, extras: readonly Columns[]): Aligned {
  const sources = [main, ...extras];
  if (!extras.length) {
    const rows = main[0]?.length ?? 0;
    const last = rows ? rows - 1 : null;
    return { data: main, last: main.map(() => last) };
  }
  const widths = sources.map((s) => Math.max(0, s.length - 1));
  const offsets: number[] = [];
  let width = 1;
  for (const w of widths) {
    offsets.push(width);
    width += w;
  }
  const data: AlignedColumns = Array.from({ length: width }, () => []);
  const heads = sources.map(() => 0);
  const lengths = sources.map((s) => s[0]?.length ?? 0);
  const lastRow: (number | null)[] = sources.map(() => null);
  let row = 0;
  for (;;) {
    let x = Number.POSITIVE_INFINITY;
    for (let s = 0; s < sources.length; s++) {
      // A row without a step cannot be placed: skipped.
      while (heads[s] < lengths[s] && sources[s][0][heads[s]] === null) heads[s]++;
      if (heads[s] >= lengths[s]) continue;
      const step = sources[s][0][heads[s]] as number;
      if (step < x) x = step;
    }
    if (x === Number.POSITIVE_INFINITY) break;
    data[0].push(x);
    for (let s = 0; s < sources.length; s++) {
      const source = sources[s];
      const at = heads[s];
      const here = at < lengths[s] && source[0][at] === x;
      for (let c = 0; c < widths[s]; c++) data[offsets[s] + c].push(here ? (source[c + 1]?.[at] ?? null) : undefined);
      if (here) {
        heads[s]++;
        lastRow[s] = row;
      }
    }
    row++;
  }
  const last: (number | null)[] = [lastRow[0]];
  sources.forEach((_, s) => {
    for (let c = 0; c < widths[s]; c++) last.push(lastRow[s]);
  });
  return { data, last };
}

/** A related run as one chart draws it: the run's columns (fetched), where they start and their line style. */
export interface OverlayCurves {
  readonly runId: number;
  /** How the legend names the run (`#3 parent`). */
  readonly label: string;
  readonly dash: readonly number[];
  /** The divergence step: rows before it are not drawn (they are the selected run's own). */
  readonly from: number;
  /** The run's series; null while they load. */
  readonly source: ChartSource | null;
}

/** A vertical line where runs of the family part, labelled with the runs that branch there. */
export interface ForkLine {
  readonly step: number;
  readonly label: string;
}
