import os from 'node:os';
import type Database from 'better-sqlite3';
import { CheckpointRepository } from './checkpoint-repository.js';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { EventRepository } from './event-repository.js';
import type { PhaseEvent, RunPhaseEvent } from '../operators/phases/phase-event.js';
import { MetricRepository } from './metric-repository.js';
import { RunRepository } from './run-repository.js';
import type {
  Checkpoint,
  CheckpointInfo,
  DisplayStatus,
  MetricPoint,
  NewRun,
  PointRow,
  RunPatch,
  RunRecord,
  SeriesData,
  StepRange,
} from './types.js';

/** The open connection and its repositories; absent once the store is closed. */
interface Live {
  db: Database.Database;
  runs: RunRepository;
  metrics: MetricRepository;
  checkpoints: CheckpointRepository;
  events: EventRepository;
}

/**
 * Persistent store of training runs, their metric series and checkpoints, in one SQLite file.
 *
 * @example
 * ```ts
 * const store = Store.open('runs/phasewatch.db');
 * const run = store.createRun({ name: 'demo', preset: null, config: { lr: 0.1 }, seed: 1, backend: 'cpu', targetSteps: 1000 });
 * store.appendPoints(run.id, [{ step: 0, values: { loss: 2.3 } }]);
 * store.close();
 * ```
 */
export class Store {
  private live: Live | undefined;

  private constructor(
    /** Database path exactly as passed to {@link Store.open}. */
    readonly path: string,
    db: Database.Database,
  ) {
    try {
      this.live = {
        db,
        runs: new RunRepository(db),
        metrics: new MetricRepository(db),
        checkpoints: new CheckpointRepository(db),
        events: new EventRepository(db),
      };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Opens (creating and migrating if needed) the store at `path`.
   *
   * @example
   * ```ts
   * const store = Store.open('/tmp/pw/runs.db');
   * ```
   * @param path - SQLite file; its parent folder is created when missing
   * @throws StoreError `E_STORE_OPEN` / `E_STORE_SCHEMA`, see {@link openDatabase}
   */
  static open(path: string): Store {
    return new Store(path, openDatabase(path));
  }

  /**
   * Closes the database; calling it again does nothing, and every other method then throws `E_STORE_CLOSED`.
   *
   * @example
   * ```ts
   * store.close();
   * ```
   */
  close(): void {
    if (this.live === undefined) return;
    const { db, metrics } = this.live;
    this.live = undefined;
    // An unfinished readPoints iterator keeps the connection busy and would make close() throw.
    metrics.dispose();
    db.close();
  }

  // ---- runs -------------------------------------------------------------------------------

  /**
   * Creates a run in status `'created'` at step 0.
   *
   * @example
   * ```ts
   * const run = store.createRun({ name: 'a', preset: 'fast', config: {}, seed: 7, backend: 'cpu', targetSteps: 500 });
   * ```
   * @param input - identity and configuration; `parentId`/`forkStep` record a fork
   * @returns the stored run, with ISO-8601 UTC timestamps
   * @throws StoreError `E_RUN_NOT_FOUND` when `parentId` does not exist; `E_INVALID_ARGUMENT` for bad fields
   */
  createRun(input: NewRun): RunRecord {
    const { runs } = this.use();
    return this.transaction(() => {
      const parentId = input.parentId ?? null;
      if (parentId !== null && !runs.exists(parentId)) {
        throw new StoreError('E_RUN_NOT_FOUND', `parent run ${parentId} not found in ${this.path}`);
      }
      const id = runs.create(input, now());
      return runs.get(id)!;
    });
  }

  /**
   * @example
   * ```ts
   * const run = store.getRun(3); // undefined when there is no run 3
   * ```
   * @param id - run id
   */
  getRun(id: number): RunRecord | undefined {
    return this.use().runs.get(id);
  }

  /**
   * Returns a run or throws a StoreError naming the id and database.
   *
   * @example
   * ```ts
   * const run = store.requireRun(Number(argv.run));
   * ```
   * @param id - run id
   * @throws StoreError `E_RUN_NOT_FOUND`
   */
  requireRun(id: number): RunRecord {
    const run = this.use().runs.get(id);
    if (run === undefined) throw this.runNotFound(id);
    return run;
  }

  /**
   * @example
   * ```ts
   * for (const run of store.listRuns()) console.log(run.id, store.displayStatus(run));
   * ```
   * @returns every run, id ascending
   */
  listRuns(): RunRecord[] {
    return this.use().runs.list();
  }

  /**
   * Changes some fields of a run and bumps its updated_at.
   *
   * @example
   * ```ts
   * store.updateRun(run.id, { status: 'running', pid: process.pid, host: os.hostname() });
   * ```
   * @param id - run id
   * @param patch - fields to change; undefined fields are left alone, null clears a nullable field
   * @returns the run after the update
   * @throws StoreError `E_RUN_NOT_FOUND`; `E_INVALID_ARGUMENT` for unknown fields or bad values
   */
  updateRun(id: number, patch: RunPatch): RunRecord {
    const { runs } = this.use();
    return this.transaction(() => {
      if (!runs.update(id, patch, now())) throw this.runNotFound(id);
      return runs.get(id)!;
    });
  }

  /**
   * Tells whether a run marked `'running'` was started on this machine by a process that no longer exists.
   *
   * Such a run was killed or crashed without updating its status and can be resumed. Runs of
   * other hosts, and runs without a recorded pid, are never reported stale because their
   * liveness cannot be checked from here. A recycled pid makes a dead run look alive.
   *
   * @example
   * ```ts
   * if (store.isStale(run)) resumeFromCheckpoint(run);
   * ```
   * @param run - a run as returned by the store
   */
  isStale(run: RunRecord): boolean {
    this.use();
    return run.status === 'running' && run.host === os.hostname() && run.pid !== null && !isProcessAlive(run.pid);
  }

  /**
   * The status to show users: `'interrupted'` for a stale run (see {@link isStale}), otherwise the stored status.
   *
   * @example
   * ```ts
   * store.displayStatus(run); // 'running' | 'interrupted' | ...
   * ```
   * @param run - a run as returned by the store
   */
  displayStatus(run: RunRecord): DisplayStatus {
    return this.isStale(run) ? 'interrupted' : run.status;
  }

  // ---- metrics ----------------------------------------------------------------------------

  /**
   * Appends metric values in one transaction; re-logging a step overwrites its values.
   *
   * Series are created on first use, ordered by first appearance (the key order of `values`).
   * NaN and ±Infinity are stored as null, which exports write as an empty CSV cell / NDJSON null.
   * -0 reads back as 0, because SQLite stores integral REAL values as integers.
   *
   * @example
   * ```ts
   * store.appendPoints(run.id, [{ step: 10, values: { loss: 0.7, acc: 0.61 } }]);
   * ```
   * @param runId - an existing run
   * @param points - values per step; steps are non-negative integers
   * @throws StoreError `E_RUN_NOT_FOUND`; `E_INVALID_ARGUMENT` (nothing is written then)
   */
  appendPoints(runId: number, points: MetricPoint[]): void {
    const { runs, metrics } = this.use();
    if (!runs.exists(runId)) throw this.runNotFound(runId);
    metrics.append(runId, points);
  }

  /**
   * @example
   * ```ts
   * const header = ['step', ...store.seriesNames(run.id)];
   * ```
   * @param runId - run id
   * @returns the run's series names in order of first appearance (empty for unknown runs)
   */
  seriesNames(runId: number): string[] {
    const { metrics } = this.use();
    const names = new Set<string>();
    for (const segment of this.lineage(runId)) for (const name of metrics.seriesNames(segment.runId)) names.add(name);
    return [...names];
  }

  /**
   * Reads one series, steps ascending.
   *
   * @example
   * ```ts
   * const { steps, values } = store.readSeries(run.id, 'loss', { from: 100, to: 200 });
   * ```
   * @param runId - run id
   * @param name - series name; unknown names yield empty arrays
   * @param range - inclusive step bounds; either side may be omitted
   */
  readSeries(runId: number, name: string, range?: StepRange): SeriesData {
    const { metrics } = this.use();
    const segments = this.lineage(runId);
    if (segments.length === 1) return metrics.readSeries(runId, name, range);
    const out: SeriesData = { steps: [], values: [] };
    for (const segment of segments) {
      const part = metrics.readSeries(segment.runId, name, clip(segment, range));
      out.steps.push(...part.steps);
      out.values.push(...part.values);
    }
    return out;
  }

  /**
   * Streams one row per logged step, with values aligned to {@link seriesNames} and null where
   * a series has no value (or a non-finite one) at that step.
   *
   * Rows are produced lazily from a single ordered query, so large runs are never held in memory.
   * The connection is busy until the iteration finishes or is broken out of: finish it before
   * calling other store methods.
   *
   * @example
   * ```ts
   * const names = store.seriesNames(run.id);
   * for (const row of store.readPoints(run.id)) out.write([row.step, ...row.values.map((v) => v ?? '')].join(',') + '\n');
   * ```
   * @param runId - run id
   * @param range - inclusive step bounds; either side may be omitted
   */
  readPoints(runId: number, range?: StepRange): Iterable<PointRow> {
    const { metrics } = this.use();
    const segments = this.lineage(runId);
    if (segments.length === 1) return metrics.readPoints(runId, range);
    const names = this.seriesNames(runId);
    const column = new Map(names.map((name, c) => [name, c]));
    return (function* () {
      for (const segment of segments) {
        const own = metrics.seriesNames(segment.runId).map((name) => column.get(name)!);
        for (const row of metrics.readPoints(segment.runId, clip(segment, range))) {
          const values = new Array<number | null>(names.length).fill(null);
          row.values.forEach((v, i) => (values[own[i]] = v));
          yield { step: row.step, values };
        }
      }
    })();
  }

  /**
   * @example
   * ```ts
   * const resumeAt = (store.lastStep(run.id) ?? -1) + 1;
   * ```
   * @param runId - run id
   * @returns the highest step with any stored point, or null when there are none
   */
  lastStep(runId: number): number | null {
    const { metrics } = this.use();
    const segments = this.lineage(runId);
    for (let i = segments.length - 1; i >= 0; i--) {
      const last = metrics.lastStep(segments[i].runId, segments[i].to);
      if (last !== null) return last;
    }
    return null;
  }

  /**
   * The runs whose records make up a run's history, root first: a branch inherits its parent's
   * history up to its fork step (read through, never copied), the parent its own parent's, and
   * so on. Each segment contributes its run's own records with steps after the previous
   * segment's `to` and up to its own `to` (the next fork step; unbounded for the run itself).
   *
   * @example
   * ```ts
   * store.lineage(branch.id); // [{ runId: 1, from: -∞, to: 4400 }, { runId: 7, from: 4401, to: +∞ }]
   * ```
   * @throws StoreError `E_RUN_NOT_FOUND` when an ancestor is missing
   */
  lineage(runId: number): { runId: number; from: number; to: number }[] {
    const { runs } = this.use();
    const chain: { runId: number; forkStep: number | null }[] = [];
    const seen = new Set<number>();
    let id: number | null = runId;
    while (id !== null) {
      if (seen.has(id)) throw new StoreError('E_INVALID_ARGUMENT', `run ${runId} has a cycle in its lineage at run ${id}`);
      seen.add(id);
      const run = runs.get(id);
      // An unknown run has an empty history of its own (reads of it return nothing).
      if (!run && id === runId) return [{ runId, from: -Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER }];
      if (!run) throw this.runNotFound(id);
      chain.unshift({ runId: id, forkStep: run.forkStep });
      id = run.parentId;
    }
    return chain.map((link, i) => ({
      runId: link.runId,
      from: i === 0 ? -Number.MAX_SAFE_INTEGER : chain[i].forkStep! + 1,
      to: i === chain.length - 1 ? Number.MAX_SAFE_INTEGER : chain[i + 1].forkStep!,
    }));
  }

  /**
   * Removes the run's points with step greater than `step`, e.g. before resuming from an older checkpoint.
   *
   * @example
   * ```ts
   * store.deletePointsAfter(run.id, checkpoint.step);
   * ```
   * @param runId - run id
   * @param step - last step to keep
   * @returns the number of points removed
   */
  deletePointsAfter(runId: number, step: number): number {
    return this.use().metrics.deleteAfter(runId, step);
  }

  // ---- detector events ----------------------------------------------------------------------

  /**
   * Appends a run's detector events (phase transitions, states, change points).
   *
   * @example
   * ```ts
   * store.appendEvents(run.id, record.events ?? []);
   * ```
   * @throws StoreError `E_RUN_NOT_FOUND`
   */
  appendEvents(runId: number, events: readonly PhaseEvent[]): void {
    const { runs, events: repository } = this.use();
    if (!runs.exists(runId)) throw this.runNotFound(runId);
    if (events.length) this.transaction(() => repository.append(runId, events));
  }

  /**
   * A run's events detected within `range` (inclusive), in detection order.
   *
   * @example
   * ```ts
   * store.readEvents(run.id).filter((e) => e.kind === 'phase');
   * ```
   */
  readEvents(runId: number, range?: StepRange): RunPhaseEvent[] {
    const { events } = this.use();
    // Inherited events are part of this run's history: they carry its id.
    return this.lineage(runId).flatMap((segment) => events.list(segment.runId, clip(segment, range)).map((e) => ({ ...e, runId })));
  }

  /**
   * Removes the run's events detected after `step`, with its points, before resuming from a checkpoint.
   *
   * @example
   * ```ts
   * store.deleteEventsAfter(run.id, checkpoint.step);
   * ```
   * @returns the number of events removed
   */
  deleteEventsAfter(runId: number, step: number): number {
    return this.use().events.deleteAfter(runId, step);
  }

  // ---- checkpoints ------------------------------------------------------------------------

  /**
   * Stores serialised training state, replacing an existing checkpoint at the same step.
   *
   * @example
   * ```ts
   * store.saveCheckpoint(run.id, 1000, 'interval', bytes);
   * ```
   * @param runId - an existing run
   * @param step - training step of the state
   * @param reason - why it was taken (e.g. 'interval', 'pause', 'final')
   * @param state - bytes stored and returned byte-exact
   * @throws StoreError `E_RUN_NOT_FOUND`; `E_INVALID_ARGUMENT`
   */
  saveCheckpoint(runId: number, step: number, reason: string, state: Uint8Array): void {
    const { runs, checkpoints } = this.use();
    if (!runs.exists(runId)) throw this.runNotFound(runId);
    checkpoints.save(runId, step, reason, state, now());
  }

  /**
   * The most recent checkpoint, optionally not after a given step.
   *
   * @example
   * ```ts
   * const cp = store.latestCheckpoint(run.id, forkStep);
   * ```
   * @param runId - run id
   * @param atOrBefore - highest acceptable step; unbounded when omitted
   */
  latestCheckpoint(runId: number, atOrBefore?: number): Checkpoint | undefined {
    return this.use().checkpoints.latest(runId, atOrBefore);
  }

  /**
   * @example
   * ```ts
   * const cp = store.getCheckpoint(run.id, 500);
   * ```
   * @param runId - run id
   * @param step - exact step
   * @returns the checkpoint at exactly that step, or undefined
   */
  getCheckpoint(runId: number, step: number): Checkpoint | undefined {
    return this.use().checkpoints.get(runId, step);
  }

  /**
   * @example
   * ```ts
   * const steps = store.listCheckpoints(run.id).map((c) => c.step);
   * ```
   * @param runId - run id
   * @returns checkpoint metadata (no state), step ascending
   */
  listCheckpoints(runId: number): CheckpointInfo[] {
    return this.use().checkpoints.list(runId);
  }

  // ---- transactions -----------------------------------------------------------------------

  /**
   * Runs `fn` in one transaction (a savepoint when nested): committed if it returns, rolled back if it throws.
   *
   * `fn` must be synchronous; returning a promise rolls back and throws, because the
   * transaction could not stay open across an await.
   *
   * @example
   * ```ts
   * store.transaction(() => {
   *   store.appendPoints(run.id, batch);
   *   store.updateRun(run.id, { step: lastStep });
   * });
   * ```
   * @param fn - synchronous work using this store
   * @returns what `fn` returns
   */
  transaction<T>(fn: () => T): T {
    const { db, metrics } = this.use();
    try {
      // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
      // writes fails at once with SQLITE_BUSY (busy_timeout does not apply) when another
      // connection — another run's worker thread — wrote in between.
      return db
        .transaction(() => {
          const result = fn();
          if (isThenable(result)) {
            throw new StoreError('E_INVALID_ARGUMENT', 'Store.transaction callback must be synchronous, got a promise');
          }
          return result;
        })
        .immediate();
    } catch (err) {
      // Series rows created inside the rolled-back work are gone; their cached ids must go too.
      metrics.clearCache();
      throw err;
    }
  }

  // ---- internals --------------------------------------------------------------------------

  private use(): Live {
    if (this.live === undefined) throw new StoreError('E_STORE_CLOSED', `store ${this.path} is closed`);
    return this.live;
  }

  private runNotFound(id: number): StoreError {
    return new StoreError('E_RUN_NOT_FOUND', `run ${id} not found in ${this.path}`);
  }
}

/** A range limited to one lineage segment. */
function clip(segment: { from: number; to: number }, range: StepRange = {}): StepRange {
  return { from: Math.max(segment.from, range.from ?? -Number.MAX_SAFE_INTEGER), to: Math.min(segment.to, range.to ?? Number.MAX_SAFE_INTEGER) };
}

function now(): string {
  return new Date().toISOString();
}

/** Signal 0 checks existence without signalling; EPERM means it exists but belongs to another user. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
