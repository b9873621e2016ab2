import { decimateMinMax, type Columns } from '../../server/decimate.js';
import type { SeriesDef } from '../shared/chart-specs.js';
import type { ChartSource } from '../shared/run-series.js';

/**
 * A chart's own copy of the columns it draws, in uPlot's layout `[steps, s1, s2, …]`, with the
 * series' transforms applied (|value|, and values ≤ 0 hidden on a log axis).
 *
 * New source rows are appended as they come; when the copy grows past 4× the plot width it is
 * rebuilt from the source with `decimateMinMax` to 2× the width, so uPlot never holds much more
 * than it can show and every spike survives. Rebuilding from the source (not from the copy)
 * keeps old history from being thinned again and again.
 */
export class LocalData {
  data: Columns = [[]];
  decimated = false;
  private source: ChartSource | null = null;
  private generation = -1;
  private consumed = 0;
  private signature = '';
  private width = 0;

  get rows(): number {
    return this.data[0].length;
  }

  /**
   * Brings the copy up to date with the source.
   * @param width the plot width in CSS pixels
   * @returns whether the copy changed
   */
  sync(source: ChartSource | null, series: readonly SeriesDef[], log: boolean, width: number): boolean {
    const signature = `${series.map((s) => `${s.key}${s.abs ? '|abs' : ''}`).join(',')}${log ? '|log' : ''}`;
    const w = Math.max(100, Math.round(width));
    if (!source) {
      const changed = this.source !== null || this.rows > 0 || signature !== this.signature;
      this.source = null;
      this.signature = signature;
      this.data = [[], ...series.map(() => [])];
      this.consumed = 0;
      this.decimated = false;
      return changed;
    }
    const widthMoved = this.decimated && Math.abs(w - this.width) > 0.25 * this.width;
    if (
      source !== this.source ||
      source.generation !== this.generation ||
      signature !== this.signature ||
      source.rows < this.consumed ||
      widthMoved
    ) {
      this.rebuild(source, series, log, w, signature);
      return true;
    }
    if (source.rows === this.consumed) return false;
    const transforms = series.map((s) => transform(s, log));
    const columns = series.map((s) => source.column(s.key));
    const steps = source.steps;
    for (let i = this.consumed; i < source.rows; i++) {
      this.data[0].push(steps[i]);
      for (let c = 0; c < series.length; c++) this.data[c + 1].push(transforms[c](columns[c]?.[i]));
    }
    this.consumed = source.rows;
    if (this.rows > 4 * w) this.rebuild(source, series, log, w, signature);
    return true;
  }

  private rebuild(source: ChartSource, series: readonly SeriesDef[], log: boolean, width: number, signature: string): void {
    const rows = source.rows;
    const steps = source.steps.slice(0, rows);
    const columns = series.map((s) => {
      const f = transform(s, log);
      const column = source.column(s.key);
      const out = new Array<number | null>(rows);
      for (let i = 0; i < rows; i++) out[i] = f(column?.[i]);
      return out;
    });
    const full: Columns = [steps, ...columns];
    if (rows > 4 * width) {
      const result = decimateMinMax(full, 2 * width);
      this.data = result.data;
      this.decimated = result.decimated;
    } else {
      this.data = full;
      this.decimated = false;
    }
    this.source = source;
    this.generation = source.generation;
    this.consumed = rows;
    this.signature = signature;
    this.width = width;
  }
}

/**
 * A related run's columns for one chart: its rows from step `from` on (before it, its records are
 * the selected run's own), with the chart's transforms. The source is a small fetched series, so
 * this is cheap and done once per fetched answer, not per frame.
 */
export function overlayColumns(source: ChartSource, series: readonly SeriesDef[], log: boolean, from: number): Columns {
  const steps = source.steps;
  let start = 0;
  while (start < source.rows && (steps[start] === null || (steps[start] as number) < from)) start++;
  const out: Columns = [steps.slice(start, source.rows) as (number | null)[]];
  for (const s of series) {
    const f = transform(s, log);
    const column = source.column(s.key);
    const values = new Array<number | null>(source.rows - start);
    for (let i = start; i < source.rows; i++) values[i - start] = f(column?.[i]);
    out.push(values);
  }
  return out;
}

/** A series' value as drawn: |value| where asked, and values ≤ 0 hidden on a log axis. */
export function transform(series: SeriesDef, log: boolean): (v: number | null | undefined) => number | null {
  return (v) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    const x = series.abs ? Math.abs(v) : v;
    return log && x <= 0 ? null : x;
  };
}
