import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import type { MetricPoint, PointRow, SeriesData, StepRange } from './types.js';

// Bounds used when a range side is omitted; binding numbers keeps one statement per query shape.
const MIN_STEP = Number.MIN_SAFE_INTEGER;
const MAX_STEP = Number.MAX_SAFE_INTEGER;

type StepValueRow = [step: number, value: number | null];
type PivotRow = [step: number, seriesId: number, value: number | null];

/**
 * Reads and writes metric series and their points through cached prepared statements.
 *
 * Series rows are created lazily on first append of a name, and their ids are cached per run
 * so a hot append loop runs only the point INSERT.
 *
 * @example
 * ```ts
 * const metrics = new MetricRepository(db);
 * metrics.append(runId, [{ step: 0, values: { loss: 1.5 } }]);
 * metrics.readSeries(runId, 'loss'); // { steps: [0], values: [1.5] }
 * ```
 */
export class MetricRepository {
  /** runId -> (series name -> series id); only holds ids that are committed or in the current transaction. */
  private readonly seriesIds = new Map<number, Map<string, number>>();
  /** Row iterators currently open, so dispose() can release the connection before closing. */
  private readonly cursors = new Set<IterableIterator<unknown>>();
  private disposed = false;

  private readonly insertSeriesStmt: Database.Statement<[number, string, number]>;
  private readonly seriesIdStmt: Database.Statement<[number, string], { id: number }>;
  private readonly insertPointStmt: Database.Statement<[number, number, number | null]>;
  private readonly seriesListStmt: Database.Statement<[number], { id: number; name: string }>;
  private readonly readSeriesStmt: Database.Statement<[number, string, number, number], StepValueRow>;
  private readonly readPointsStmt: Database.Statement<[number, number, number], PivotRow>;
  private readonly lastStepStmt: Database.Statement<[number, number], { step: number | null }>;
  private readonly deleteAfterStmt: Database.Statement<[number, number]>;
  private readonly appendTx: Database.Transaction<(runId: number, points: readonly MetricPoint[]) => void>;

  /** @param db - an open connection migrated by `openDatabase` */
  constructor(private readonly db: Database.Database) {
    // ord is computed in SQL rather than from the cache so it stays correct even if another
    // connection added series to the same run since this cache was filled.
    this.insertSeriesStmt = db.prepare(`
      INSERT INTO series (run_id, name, ord)
      VALUES (?, ?, (SELECT COALESCE(MAX(ord), -1) + 1 FROM series WHERE run_id = ?))
      ON CONFLICT (run_id, name) DO NOTHING`);
    this.seriesIdStmt = db.prepare('SELECT id FROM series WHERE run_id = ? AND name = ?');
    this.insertPointStmt = db.prepare('INSERT OR REPLACE INTO points (series_id, step, value) VALUES (?, ?, ?)');
    this.seriesListStmt = db.prepare('SELECT id, name FROM series WHERE run_id = ? ORDER BY ord, id');
    this.readSeriesStmt = db
      .prepare<[number, string, number, number], StepValueRow>(`
        SELECT p.step, p.value
        FROM series s JOIN points p ON p.series_id = s.id
        WHERE s.run_id = ? AND s.name = ? AND p.step BETWEEN ? AND ?
        ORDER BY p.step`)
      .raw(true);
    this.readPointsStmt = db
      .prepare<[number, number, number], PivotRow>(`
        SELECT p.step, s.id, p.value
        FROM series s JOIN points p ON p.series_id = s.id
        WHERE s.run_id = ? AND p.step BETWEEN ? AND ?
        ORDER BY p.step, s.ord, s.id`)
      .raw(true);
    // A correlated MAX per series lets SQLite use the (series_id, step) key instead of scanning points.
    this.lastStepStmt = db.prepare(`
      SELECT MAX((SELECT MAX(step) FROM points WHERE series_id = s.id AND step <= ?)) AS step
      FROM series s WHERE s.run_id = ?`);
    this.deleteAfterStmt = db.prepare(`
      DELETE FROM points
      WHERE series_id IN (SELECT id FROM series WHERE run_id = ?) AND step > ?`);
    this.appendTx = db.transaction((runId: number, points: readonly MetricPoint[]) => {
      for (const point of points) this.appendOne(runId, point);
    });
  }

  /**
   * Writes points in one transaction; a step already stored for a series is overwritten.
   *
   * @param runId - an existing run (the caller checks existence)
   * @param points - values per step; NaN and ±Infinity are stored as NULL
   * @throws StoreError `E_INVALID_ARGUMENT` for a non-integer/negative step or a non-number value;
   *   nothing from the call is written in that case
   */
  append(runId: number, points: readonly MetricPoint[]): void {
    try {
      this.appendTx.immediate(runId, points);
    } catch (err) {
      // The rollback may have discarded series rows whose ids were just cached.
      this.seriesIds.delete(runId);
      throw err;
    }
  }

  /** Drops cached series ids, e.g. after an enclosing transaction rolled back. */
  clearCache(): void {
    this.seriesIds.clear();
  }

  /** @param runId - run id @returns series names in order of first appearance */
  seriesNames(runId: number): string[] {
    return this.seriesListStmt.all(runId).map((s) => s.name);
  }

  /**
   * Reads one series, steps ascending.
   *
   * @param runId - run id
   * @param name - series name; an unknown name yields empty arrays
   * @param range - inclusive step bounds
   */
  readSeries(runId: number, name: string, range?: StepRange): SeriesData {
    const [from, to] = bounds(range);
    const steps: number[] = [];
    const values: (number | null)[] = [];
    for (const [step, value] of this.readSeriesStmt.all(runId, name, from, to)) {
      steps.push(step);
      values.push(value);
    }
    return { steps, values };
  }

  /**
   * Reads all series of a run as one row per logged step, lazily.
   *
   * Columns are fixed when this is called: `values` aligns with {@link seriesNames} at that
   * moment, and series created later are left out. While the iterator is being consumed the
   * connection is busy, so other store calls must wait until it is finished (or broken out of).
   *
   * @param runId - run id
   * @param range - inclusive step bounds
   */
  readPoints(runId: number, range?: StepRange): Iterable<PointRow> {
    const [from, to] = bounds(range);
    const column = new Map<number, number>();
    for (const s of this.seriesListStmt.all(runId)) column.set(s.id, column.size);
    // Separate generator so the query only starts (and occupies the connection) on first next().
    return this.pivot(runId, from, to, column);
  }

  /** @param runId - run id @param atOrBefore - only steps up to this count @returns the highest step with any stored point, or null if none */
  lastStep(runId: number, atOrBefore = Number.MAX_SAFE_INTEGER): number | null {
    return this.lastStepStmt.get(atOrBefore, runId)?.step ?? null;
  }

  /**
   * Removes every point of the run with a step strictly greater than `step`.
   *
   * Series rows are kept so column order is unchanged when the run resumes logging.
   *
   * @param runId - run id
   * @param step - last step to keep
   * @returns the number of points removed
   */
  deleteAfter(runId: number, step: number): number {
    requireStep(step, 'step');
    return this.deleteAfterStmt.run(runId, step).changes;
  }

  /** Ends open readPoints iterators so the connection can close; later reads from them throw. */
  dispose(): void {
    this.disposed = true;
    for (const cursor of this.cursors) cursor.return?.();
    this.cursors.clear();
  }

  private appendOne(runId: number, point: MetricPoint): void {
    requireStep(point.step, 'metric step');
    for (const name of Object.keys(point.values)) {
      const value = point.values[name];
      if (typeof value !== 'number') {
        throw new StoreError(
          'E_INVALID_ARGUMENT',
          `metric '${name}' at step ${point.step} of run ${runId} must be a number, got ${typeof value}`,
        );
      }
      this.insertPointStmt.run(this.seriesId(runId, name), point.step, Number.isFinite(value) ? value : null);
    }
  }

  private seriesId(runId: number, name: string): number {
    let ids = this.seriesIds.get(runId);
    if (ids === undefined) {
      ids = new Map();
      this.seriesIds.set(runId, ids);
    }
    let id = ids.get(name);
    if (id === undefined) {
      this.insertSeriesStmt.run(runId, name, runId);
      id = this.seriesIdStmt.get(runId, name)!.id;
      ids.set(name, id);
    }
    return id;
  }

  private *pivot(runId: number, from: number, to: number, column: Map<number, number>): Generator<PointRow> {
    if (this.disposed) throw closedError(this.db);
    const width = column.size;
    const rows = this.readPointsStmt.iterate(runId, from, to);
    this.cursors.add(rows);
    try {
      let current: PointRow | undefined;
      for (const [step, seriesId, value] of rows) {
        const index = column.get(seriesId);
        if (index === undefined) continue; // series created after readPoints was called
        if (current === undefined || current.step !== step) {
          if (current !== undefined) yield current;
          current = { step, values: new Array<number | null>(width).fill(null) };
        }
        current.values[index] = value;
      }
      // dispose() ends the row iterator early; report that instead of a silently short table.
      if (this.disposed) throw closedError(this.db);
      if (current !== undefined) yield current;
    } finally {
      this.cursors.delete(rows);
      rows.return?.();
    }
  }
}

function bounds(range: StepRange | undefined): [number, number] {
  const from = range?.from ?? MIN_STEP;
  const to = range?.to ?? MAX_STEP;
  if (typeof from !== 'number' || Number.isNaN(from) || typeof to !== 'number' || Number.isNaN(to)) {
    throw new StoreError('E_INVALID_ARGUMENT', `step range bounds must be numbers, got from=${from} to=${to}`);
  }
  return [from, to];
}

function requireStep(step: unknown, what: string): asserts step is number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new StoreError('E_INVALID_ARGUMENT', `${what} must be a non-negative integer, got ${String(step)}`);
  }
}

function closedError(db: Database.Database): StoreError {
  return new StoreError('E_STORE_CLOSED', `store ${db.name} was closed while reading points`);
}
