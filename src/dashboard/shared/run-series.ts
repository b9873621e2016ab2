import { decimateMinMax, type Columns } from '../../server/decimate.js';

/** What a chart reads: a step column and named value columns of equal length. */
export interface ChartSource {
  /** Changes whenever the arrays are replaced (snapshot, compaction, reset): readers start over. */
  readonly generation: number;
  readonly rows: number;
  readonly steps: readonly (number | null)[];
  column(name: string): readonly (number | null)[] | undefined;
}

/** Rows a run keeps in the browser before it min/max-decimates its own history… */
export const STORE_MAX_ROWS = 40_000;
/** …or fewer when it has many columns (m = 64 records ~600 series): at most this many values. */
export const STORE_MAX_CELLS = 4_000_000;
/** Never fewer rows than this, however many columns. */
const STORE_MIN_ROWS = 4_000;

/**
 * The columnar history of one run as the dashboard holds it: the server's snapshot, then every
 * frame appended in seq order. Columns are matched by name, so a frame may carry columns in
 * another order, add a new series (a plug-in starting late) or leave one out (nulls fill in).
 *
 * It stays small on long runs: past `maxRows` rows (fewer for wide runs) it halves itself with `decimateMinMax`, keeping
 * the resolution roughly even over the steps (already-thinned history is thinned only in
 * proportion to the steps it covers, so old data does not melt away compaction after compaction).
 *
 * @example
 * const s = new RunSeries();
 * s.replace(['step', 'loss'], [[1, 2], [2.0, 1.9]], 2, false);
 * s.append(['step', 'loss'], [[3], [1.8]], 3);
 * s.column('loss'); // [2.0, 1.9, 1.8]
 */
export class RunSeries implements ChartSource {
  columns: string[] = ['step'];
  data: Columns = [[]];
  /** The seq of the last record held; null until a snapshot (or the run's first frame) arrives. */
  lastSeq: number | null = null;
  generation = 0;
  /** Bumped on every change; components compare it to know when to redraw. */
  version = 0;
  /** Whether any part of the history held here is decimated (by the server or by compaction). */
  decimated = false;
  private index = new Map<string, number>([['step', 0]]);
  /** Rows [0, settled) are already thinned to the store's resolution; later rows are raw. */
  private settled = 0;

  constructor(readonly maxRows = STORE_MAX_ROWS) {}

  get rows(): number {
    return this.data[0].length;
  }

  get steps(): readonly (number | null)[] {
    return this.data[0];
  }

  column(name: string): readonly (number | null)[] | undefined {
    const c = this.index.get(name);
    return c === undefined ? undefined : this.data[c];
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /**
   * Rows from this index on hold each series' own value at their step (frames since the last
   * snapshot or compaction); rows before it may be a decimated bucket's extremes, each from
   * another step of the bucket than the one they are shown at.
   */
  get exactFrom(): number {
    return this.decimated ? this.settled : 0;
  }

  /** The series names (without the step column). */
  names(): string[] {
    return this.columns.slice(1);
  }

  /** The latest non-null value of a series (looking back a few rows past gaps), or null. */
  latest(name: string, lookBack = 64): number | null {
    const column = this.column(name);
    if (!column) return null;
    for (let i = column.length - 1; i >= 0 && i >= column.length - lookBack; i--) {
      const v = column[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) return v;
    }
    return null;
  }

  /** The last step held, or null when empty. */
  lastStep(): number | null {
    const steps = this.data[0];
    return steps.length ? steps[steps.length - 1] : null;
  }

  /** Forgets everything (a resync, or a run whose history was replaced). */
  clear(): void {
    this.columns = ['step'];
    this.data = [[]];
    this.index = new Map([['step', 0]]);
    this.lastSeq = null;
    this.settled = 0;
    this.decimated = false;
    this.generation++;
    this.version++;
  }

  /** Replaces the history with a snapshot that ends at `seq`. */
  replace(columns: readonly string[], data: Columns, seq: number, decimated: boolean): void {
    const rows = data[0]?.length ?? 0;
    this.columns = columns.length ? [...columns] : ['step'];
    this.data = this.columns.map((_, c) => clean(data[c], 0, rows));
    this.index = new Map();
    this.columns.forEach((name, c) => {
      if (c === 0 || !this.index.has(name)) this.index.set(c === 0 ? 'step' : name, c);
    });
    this.lastSeq = seq;
    this.decimated = decimated;
    this.settled = rows;
    this.generation++;
    this.version++;
    this.compactIfNeeded();
  }

  /**
   * Appends a frame's rows (skipping the first `skip`, already held) and moves lastSeq to `toSeq`.
   * The first column is the step column whatever it is called.
   */
  append(columns: readonly string[], data: Columns, toSeq: number, skip = 0): void {
    const rows = data[0]?.length ?? 0;
    const added = rows - skip;
    if (added > 0) {
      // Map (and create) every target column before pushing, so new columns get the right null padding.
      const targets = columns.map((name, c) => (c === 0 ? 0 : this.ensureColumn(name)));
      const filled = new Uint8Array(this.data.length);
      targets.forEach((target, c) => {
        if (filled[target]) return; // a duplicated name: the first one wins
        filled[target] = 1;
        const column = this.data[target];
        const source = data[c];
        for (let i = skip; i < rows; i++) column.push(finite(source?.[i]));
      });
      for (let c = 0; c < this.data.length; c++) {
        if (filled[c]) continue;
        const column = this.data[c];
        for (let i = 0; i < added; i++) column.push(null);
      }
    }
    this.lastSeq = toSeq;
    this.version++;
    this.compactIfNeeded();
  }

  private ensureColumn(name: string): number {
    const existing = this.index.get(name);
    if (existing !== undefined) return existing;
    const c = this.data.length;
    this.columns.push(name);
    this.data.push(new Array<number | null>(this.rows).fill(null));
    this.index.set(name, c);
    return c;
  }

  private compactIfNeeded(): void {
    const limit = Math.min(this.maxRows, Math.max(STORE_MIN_ROWS, Math.floor(STORE_MAX_CELLS / this.data.length)));
    if (this.rows > limit) this.compact(Math.floor(limit / 2));
  }

  /** Thins the history to about `target` rows, sharing them between old and new rows by the steps each covers. */
  private compact(target: number): void {
    const rows = this.rows;
    const steps = this.data[0];
    const split = Math.min(this.settled, rows);
    const first = steps[0] ?? 0;
    const span = Math.max(1, (steps[rows - 1] ?? first) - first);
    const oldSpan = split > 0 ? (steps[split - 1] ?? first) - first : 0;
    const oldTarget = split > 0 ? Math.min(split, Math.max(2, Math.round((target * oldSpan) / span))) : 0;
    const newTarget = Math.max(2, target - oldTarget);
    const older = decimateMinMax(slice(this.data, 0, split), Math.max(2, oldTarget)).data;
    const newer = decimateMinMax(slice(this.data, split, rows), newTarget).data;
    this.data = older.map((column, c) => column.concat(newer[c]));
    this.settled = this.rows;
    this.decimated = true;
    this.generation++;
  }
}

function slice(data: Columns, from: number, to: number): Columns {
  return data.map((column) => column.slice(from, to));
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

function clean(column: readonly (number | null)[] | undefined, from: number, to: number): (number | null)[] {
  const out = new Array<number | null>(to - from);
  for (let i = from; i < to; i++) out[i - from] = finite(column?.[i]);
  return out;
}
