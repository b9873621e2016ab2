import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import type { Checkpoint, CheckpointInfo } from './types.js';

interface CheckpointRow {
  step: number;
  reason: string;
  created_at: string;
  state: Buffer;
}

/**
 * Reads and writes the `checkpoints` table (serialised training state per run and step).
 *
 * @example
 * ```ts
 * const checkpoints = new CheckpointRepository(db);
 * checkpoints.save(runId, 500, 'interval', bytes, new Date().toISOString());
 * checkpoints.latest(runId)?.step; // 500
 * ```
 */
export class CheckpointRepository {
  private readonly saveStmt: Database.Statement<[number, number, string, string, Buffer]>;
  private readonly latestStmt: Database.Statement<[number, number], CheckpointRow>;
  private readonly getStmt: Database.Statement<[number, number], CheckpointRow>;
  private readonly listStmt: Database.Statement<[number], Omit<CheckpointRow, 'state'>>;

  /** @param db - an open connection migrated by `openDatabase` */
  constructor(db: Database.Database) {
    this.saveStmt = db.prepare(
      'INSERT OR REPLACE INTO checkpoints (run_id, step, created_at, reason, state) VALUES (?, ?, ?, ?, ?)',
    );
    this.latestStmt = db.prepare(`
      SELECT step, reason, created_at, state FROM checkpoints
      WHERE run_id = ? AND step <= ? ORDER BY step DESC LIMIT 1`);
    this.getStmt = db.prepare('SELECT step, reason, created_at, state FROM checkpoints WHERE run_id = ? AND step = ?');
    this.listStmt = db.prepare('SELECT step, reason, created_at FROM checkpoints WHERE run_id = ? ORDER BY step');
  }

  /**
   * Stores a checkpoint, replacing any existing one at the same step.
   *
   * @param runId - an existing run (the caller checks existence)
   * @param step - training step the state belongs to
   * @param reason - why it was taken (e.g. 'interval', 'pause', 'final')
   * @param state - serialised training state, stored byte-exact
   * @param now - ISO-8601 UTC timestamp stored as created_at
   */
  save(runId: number, step: number, reason: string, state: Uint8Array, now: string): void {
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      throw new StoreError('E_INVALID_ARGUMENT', `checkpoint step must be a non-negative integer, got ${String(step)}`);
    }
    if (typeof reason !== 'string') {
      throw new StoreError('E_INVALID_ARGUMENT', `checkpoint reason must be a string, got ${typeof reason}`);
    }
    if (!(state instanceof Uint8Array)) {
      throw new StoreError('E_INVALID_ARGUMENT', `checkpoint state must be a Uint8Array, got ${typeof state}`);
    }
    // A Buffer view over the same memory binds as a BLOB without copying the caller's bytes.
    const blob = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
    this.saveStmt.run(runId, step, now, reason, blob);
  }

  /**
   * @param runId - run id
   * @param atOrBefore - highest acceptable step; unbounded when omitted
   * @returns the checkpoint with the greatest step not above `atOrBefore`, or undefined
   */
  latest(runId: number, atOrBefore?: number): Checkpoint | undefined {
    const row = this.latestStmt.get(runId, atOrBefore ?? Number.MAX_SAFE_INTEGER);
    return row === undefined ? undefined : toCheckpoint(row);
  }

  /** @param runId - run id @param step - exact step @returns that checkpoint, or undefined */
  get(runId: number, step: number): Checkpoint | undefined {
    const row = this.getStmt.get(runId, step);
    return row === undefined ? undefined : toCheckpoint(row);
  }

  /** @param runId - run id @returns checkpoint metadata, step ascending, without state blobs */
  list(runId: number): CheckpointInfo[] {
    return this.listStmt.all(runId).map((r) => ({ step: r.step, reason: r.reason, createdAt: r.created_at }));
  }
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { step: row.step, reason: row.reason, createdAt: row.created_at, state: toUint8Array(row.state) };
}

/**
 * Returns a plain Uint8Array whose `.buffer` holds exactly the blob.
 *
 * Node may place small Buffers in a shared pool; consumers that build typed arrays over
 * `state.buffer` (common when decoding weights) would then read foreign bytes, so such
 * Buffers are copied. A Buffer that already owns its whole ArrayBuffer is wrapped as is.
 */
function toUint8Array(buf: Buffer): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  }
  return new Uint8Array(buf);
}
