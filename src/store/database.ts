import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';

/** Schema version this build writes and understands, stored in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 3;

/**
 * Migrations indexed by the version they start from: `MIGRATIONS[v]` takes a
 * database at `user_version = v` to `v + 1`. New versions are appended, never edited,
 * so databases written by older builds upgrade step by step.
 */
const MIGRATIONS: readonly string[] = [
  /* 0 -> 1: initial schema */ `
  CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    preset       TEXT,
    config       TEXT NOT NULL, -- JSON
    seed         INTEGER NOT NULL,
    backend      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('created','running','paused','completed','stopped','failed')),
    step         INTEGER NOT NULL DEFAULT 0,
    target_steps INTEGER NOT NULL,
    pid          INTEGER,
    host         TEXT,
    error        TEXT,
    parent_id    INTEGER REFERENCES runs(id),
    fork_step    INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    finished_at  TEXT
  );

  -- ord = order of first appearance within the run, so exports keep a stable column order.
  CREATE TABLE series (
    id     INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    ord    INTEGER NOT NULL,
    UNIQUE (run_id, name)
  );

  -- Non-finite values (NaN, +-Infinity) are stored as NULL; exports write them as an
  -- empty CSV cell / NDJSON null. WITHOUT ROWID clusters a series' points by step.
  CREATE TABLE points (
    series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
    step      INTEGER NOT NULL,
    value     REAL,
    PRIMARY KEY (series_id, step)
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state      BLOB NOT NULL,
    PRIMARY KEY (run_id, step)
  );
  `,
  /* 1 -> 2: detector events (phase transitions, run states, change points) */ `
  CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step        INTEGER NOT NULL, -- where the boundary lies
    detected_at INTEGER NOT NULL, -- the record that raised it
    kind        TEXT NOT NULL CHECK (kind IN ('phase','state','change-point')),
    detector    TEXT NOT NULL,
    label       TEXT NOT NULL,
    phase       TEXT,
    series      TEXT,
    confidence  REAL NOT NULL,
    evidence    TEXT NOT NULL, -- JSON object of numbers
    message     TEXT NOT NULL
  );
  CREATE INDEX events_by_run ON events (run_id, detected_at, id);
  `,
  /* 2 -> 3: metric plug-in reports join the events (SQLite cannot alter a CHECK: rebuild) */ `
  CREATE TABLE events_v3 (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step        INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('phase','state','change-point','plugin')),
    detector    TEXT NOT NULL,
    label       TEXT NOT NULL,
    phase       TEXT,
    series      TEXT,
    confidence  REAL NOT NULL,
    evidence    TEXT NOT NULL,
    message     TEXT NOT NULL
  );
  INSERT INTO events_v3 SELECT * FROM events;
  DROP TABLE events;
  ALTER TABLE events_v3 RENAME TO events;
  CREATE INDEX events_by_run ON events (run_id, detected_at, id);
  `,
];

/**
 * Opens (creating if needed) a phasewatch database, configures it and migrates its schema.
 *
 * The parent folder is created when missing. The connection uses WAL so the dashboard can
 * read while a training process writes, `synchronous = NORMAL` (safe under WAL, much faster
 * than FULL), enforced foreign keys, and a 10 s busy timeout for concurrent writers.
 *
 * @example
 * ```ts
 * const db = openDatabase('runs/phasewatch.db');
 * ```
 * @param file - path of the SQLite file (or `':memory:'`)
 * @returns an open better-sqlite3 connection at {@link SCHEMA_VERSION}
 * @throws StoreError `E_STORE_OPEN` when the file cannot be created, opened or is not a database;
 *   `E_STORE_SCHEMA` when it was written by a newer schema version
 */
export function openDatabase(file: string): Database.Database {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (err) {
      throw new StoreError('E_STORE_OPEN', `cannot create folder for database ${file}: ${describe(err)}`, {
        cause: err,
      });
    }
  }

  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new StoreError('E_STORE_OPEN', `cannot open database ${file}: ${openHint(file, err)}`, { cause: err });
  }

  try {
    // busy_timeout first: the journal_mode switch itself may have to wait for another process.
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError('E_STORE_OPEN', `cannot open database ${file}: ${describe(err)}`, { cause: err });
  }
}

/** Brings the schema up to {@link SCHEMA_VERSION}, refusing databases from the future. */
function migrate(db: Database.Database, file: string): void {
  // IMMEDIATE takes the write lock before reading the version, so two processes opening a
  // fresh file at once cannot both see version 0 and both try to create the tables.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        'E_STORE_SCHEMA',
        `database ${file} has schema version ${version}, but this phasewatch supports up to ${SCHEMA_VERSION}; upgrade phasewatch`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]);
    }
    if (version !== SCHEMA_VERSION) {
      // PRAGMA arguments cannot be bound; SCHEMA_VERSION is a compile-time integer.
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}

/** SQLite's "unable to open database file" is vague; say why when we can tell. */
function openHint(file: string, err: unknown): string {
  try {
    if (fs.statSync(file).isDirectory()) return 'path is a directory, expected a database file';
  } catch {
    // stat failing just means we have no better explanation than SQLite's own.
  }
  return describe(err);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
