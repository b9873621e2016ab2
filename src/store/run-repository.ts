import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { RUN_STATUSES, type NewRun, type RunPatch, type RunRecord, type RunStatus } from './types.js';

/** Shape of a `runs` row as SQLite returns it. */
interface RunRow {
  id: number;
  name: string;
  preset: string | null;
  config: string;
  seed: number;
  backend: string;
  status: RunStatus;
  step: number;
  target_steps: number;
  pid: number | null;
  host: string | null;
  error: string | null;
  parent_id: number | null;
  fork_step: number | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** Maps each patchable field to its column; also the whitelist of accepted patch keys. */
const PATCH_COLUMNS: Record<keyof RunPatch, string> = {
  status: 'status',
  step: 'step',
  targetSteps: 'target_steps',
  backend: 'backend',
  error: 'error',
  pid: 'pid',
  host: 'host',
  finishedAt: 'finished_at',
};

/**
 * Reads and writes the `runs` table through prepared statements.
 *
 * @example
 * ```ts
 * const runs = new RunRepository(openDatabase('x.db'));
 * const run = runs.create({ name: 'a', preset: null, config: {}, seed: 1, backend: 'cpu', targetSteps: 100 });
 * ```
 */
export class RunRepository {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[number], RunRow>;
  private readonly existsStmt: Database.Statement<[number], { 1: number }>;
  private readonly listStmt: Database.Statement<[], RunRow>;
  /** UPDATE statements keyed by the sorted list of patched fields, built on first use. */
  private readonly updateStmts = new Map<string, Database.Statement>();

  /** @param db - an open connection migrated by `openDatabase` */
  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO runs (name, preset, config, seed, backend, status, step, target_steps,
                        parent_id, fork_step, created_at, updated_at)
      VALUES (@name, @preset, @config, @seed, @backend, 'created', 0, @targetSteps,
              @parentId, @forkStep, @now, @now)`);
    this.getStmt = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.existsStmt = db.prepare('SELECT 1 FROM runs WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM runs ORDER BY id');
  }

  /**
   * Inserts a run in status `'created'` at step 0.
   *
   * @param input - the run's identity and configuration
   * @param now - ISO-8601 UTC timestamp used for both created_at and updated_at
   * @returns the new run's id
   */
  create(input: NewRun, now: string): number {
    requireString('name', input.name);
    requireString('backend', input.backend);
    if (input.preset !== null && typeof input.preset !== 'string') {
      throw invalid(`run preset must be a string or null, got ${typeof input.preset}`);
    }
    requireInteger('seed', input.seed, false);
    requireInteger('targetSteps', input.targetSteps, true);
    const parentId = input.parentId ?? null;
    const forkStep = input.forkStep ?? null;
    if (parentId !== null) requireInteger('parentId', parentId, true);
    if (forkStep !== null) requireInteger('forkStep', forkStep, true);

    const result = this.insertStmt.run({
      name: input.name,
      preset: input.preset,
      config: serializeConfig(input.config),
      seed: input.seed,
      backend: input.backend,
      targetSteps: input.targetSteps,
      parentId,
      forkStep,
      now,
    });
    return Number(result.lastInsertRowid);
  }

  /** @param id - run id @returns the run, or undefined when no such id exists */
  get(id: number): RunRecord | undefined {
    const row = this.getStmt.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  /** @param id - run id @returns whether the run exists, without parsing its config */
  exists(id: number): boolean {
    return this.existsStmt.get(id) !== undefined;
  }

  /** @returns every run, id ascending */
  list(): RunRecord[] {
    return this.listStmt.all().map(toRecord);
  }

  /**
   * Applies a patch and bumps updated_at.
   *
   * @param id - run id
   * @param patch - fields to change; undefined fields are ignored
   * @param now - ISO-8601 UTC timestamp stored as updated_at
   * @returns false when no run has this id
   */
  update(id: number, patch: RunPatch, now: string): boolean {
    const fields = validatePatch(patch);
    const key = fields.join(',');
    let stmt = this.updateStmts.get(key);
    if (stmt === undefined) {
      // Column names come from PATCH_COLUMNS only, never from caller input, so building SQL is safe.
      const sets = fields.map((f) => `${PATCH_COLUMNS[f]} = @${f}`);
      sets.push('updated_at = @now');
      stmt = this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = @id`);
      this.updateStmts.set(key, stmt);
    }
    const params: Record<string, unknown> = { id, now };
    for (const f of fields) params[f] = patch[f];
    return stmt.run(params).changes > 0;
  }
}

/** Checks a patch at runtime (it may come from untyped JSON) and returns its defined keys, sorted. */
function validatePatch(patch: RunPatch): (keyof RunPatch)[] {
  const fields: (keyof RunPatch)[] = [];
  for (const key of Object.keys(patch).sort()) {
    if (!Object.hasOwn(PATCH_COLUMNS, key)) {
      throw invalid(`run patch has unknown field '${key}'; allowed: ${Object.keys(PATCH_COLUMNS).join(', ')}`);
    }
    const field = key as keyof RunPatch;
    const value = patch[field];
    if (value === undefined) continue;
    switch (field) {
      case 'status':
        if (!RUN_STATUSES.includes(value as RunStatus)) {
          throw invalid(`run status '${String(value)}' is not one of ${RUN_STATUSES.join(', ')}`);
        }
        break;
      case 'step':
      case 'targetSteps':
        requireInteger(field, value, true);
        break;
      case 'pid':
        if (value !== null) requireInteger(field, value, true);
        break;
      case 'backend':
        requireString(field, value);
        break;
      case 'error':
      case 'host':
      case 'finishedAt':
        if (value !== null && typeof value !== 'string') {
          throw invalid(`run ${field} must be a string or null, got ${typeof value}`);
        }
        break;
    }
    fields.push(field);
  }
  return fields;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    preset: row.preset,
    config: JSON.parse(row.config) as unknown,
    seed: row.seed,
    backend: row.backend,
    status: row.status,
    step: row.step,
    targetSteps: row.target_steps,
    pid: row.pid,
    host: row.host,
    error: row.error,
    parentId: row.parent_id,
    forkStep: row.fork_step,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

function serializeConfig(config: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(config);
  } catch (err) {
    throw invalid(`run config is not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`);
  }
  // JSON.stringify returns undefined for undefined/functions/symbols, which would violate NOT NULL.
  if (json === undefined) throw invalid(`run config is not JSON-serialisable (got ${typeof config})`);
  return json;
}

function requireString(field: string, value: unknown): void {
  if (typeof value !== 'string') throw invalid(`run ${field} must be a string, got ${typeof value}`);
}

function requireInteger(field: string, value: unknown, nonNegative: boolean): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (nonNegative && value < 0)) {
    const kind = nonNegative ? 'a non-negative integer' : 'an integer';
    throw invalid(`run ${field} must be ${kind}, got ${String(value)}`);
  }
}

function invalid(message: string): StoreError {
  return new StoreError('E_INVALID_ARGUMENT', message);
}
