import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, SCHEMA_VERSION, Store, StoreError } from '../../src/store/index.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

describe('openDatabase', () => {
  it('creates the schema at version 3 in WAL mode, visible from an independent connection', () => {
    const file = path.join(tempDir(), 'runs.db');
    const store = Store.open(file);
    try {
      const other = new Database(file, { readonly: true });
      try {
        expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(other.pragma('user_version', { simple: true })).toBe(3);
        const tables = other
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
          .pluck()
          .all();
        expect(tables).toEqual(['checkpoints', 'events', 'points', 'runs', 'series']);
        const runColumns = other.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('runs');
        expect(runColumns).toEqual([
          'id', 'name', 'preset', 'config', 'seed', 'backend', 'status', 'step', 'target_steps', 'pid',
          'host', 'error', 'parent_id', 'fork_step', 'created_at', 'updated_at', 'finished_at',
        ]);
        const pointsSql = other.prepare("SELECT sql FROM sqlite_master WHERE name = 'points'").pluck().get();
        expect(pointsSql).toMatch(/WITHOUT ROWID/);
      } finally {
        other.close();
      }
    } finally {
      store.close();
    }
    expect(SCHEMA_VERSION).toBe(3);
  });

  it('upgrades a version-1 database (before detector events) and keeps its runs', () => {
    const file = path.join(tempDir(), 'old.db');
    const raw = new Database(file);
    // The version-1 schema as the first release wrote it (runs only matter here).
    raw.exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, preset TEXT, config TEXT NOT NULL, seed INTEGER NOT NULL, backend TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('created','running','paused','completed','stopped','failed')), step INTEGER NOT NULL DEFAULT 0, target_steps INTEGER NOT NULL,
      pid INTEGER, host TEXT, error TEXT, parent_id INTEGER REFERENCES runs(id), fork_step INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT);
      CREATE TABLE series (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL, ord INTEGER NOT NULL, UNIQUE (run_id, name));
      CREATE TABLE points (series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE, step INTEGER NOT NULL, value REAL, PRIMARY KEY (series_id, step)) WITHOUT ROWID;
      CREATE TABLE checkpoints (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL, state BLOB NOT NULL, PRIMARY KEY (run_id, step));
      INSERT INTO runs (name, config, seed, backend, status, target_steps, created_at, updated_at) VALUES ('old', '{}', 0, 'cpu', 'stopped', 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
      PRAGMA user_version = 1;`);
    raw.close();
    const store = Store.open(file);
    try {
      expect(store.listRuns().map((r) => r.name)).toEqual(['old']);
      expect(store.readEvents(1)).toEqual([]);
      store.appendEvents(1, [{ kind: 'phase', detector: 'theory', step: 5, detectedAt: 5, label: 'I', phase: 'I', series: null, confidence: 1, evidence: {}, message: 'm' }]);
      expect(store.readEvents(1)).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('upgrades a version-2 database: keeps its events and accepts plug-in reports', () => {
    const file = path.join(tempDir(), 'v2.db');
    // A fresh v3 database taken back to version 2 by hand: the v2 events table, one event in it.
    Store.open(file).close();
    const raw = new Database(file);
    raw.exec(`DROP TABLE events;
      CREATE TABLE events (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL, detected_at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('phase','state','change-point')), detector TEXT NOT NULL, label TEXT NOT NULL, phase TEXT, series TEXT,
        confidence REAL NOT NULL, evidence TEXT NOT NULL, message TEXT NOT NULL);
      CREATE INDEX events_by_run ON events (run_id, detected_at, id);
      INSERT INTO runs (name, config, seed, backend, status, target_steps, created_at, updated_at) VALUES ('v2', '{}', 0, 'cpu', 'stopped', 10, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
      INSERT INTO events (run_id, step, detected_at, kind, detector, label, phase, series, confidence, evidence, message) VALUES (1, 40, 40, 'phase', 'theory', 'II', 'II', NULL, 1, '{"E_2_1":0.02}', 'II begins');
      PRAGMA user_version = 2;`);
    expect(() => raw.prepare("INSERT INTO events (run_id, step, detected_at, kind, detector, label, confidence, evidence, message) VALUES (1, 1, 1, 'plugin', 'plugin', 'error', 1, '{}', 'x')").run()).toThrow(/CHECK/);
    raw.close();
    const store = Store.open(file);
    try {
      expect(store.readEvents(1).map((e) => [e.kind, e.label, e.evidence])).toEqual([['phase', 'II', { E_2_1: 0.02 }]]);
      store.appendEvents(1, [{ kind: 'plugin', detector: 'plugin', step: 50, detectedAt: 50, label: 'error', phase: 'II', series: 'mine', confidence: 1, evidence: {}, message: 'plug-in mine threw' }]);
      expect(store.readEvents(1).map((e) => e.kind)).toEqual(['phase', 'plugin']);
    } finally {
      store.close();
    }
  });

  it('configures the connection pragmas', () => {
    const db = openDatabase(path.join(tempDir(), 'p.db'));
    try {
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(10000);
      // synchronous: 0 OFF, 1 NORMAL, 2 FULL
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('creates a missing parent folder', () => {
    const file = path.join(tempDir(), 'a', 'b', 'runs.db');
    Store.open(file).close();
    expect(fs.statSync(file).isFile()).toBe(true);
  });

  it('reopens an existing database without re-running the migration', () => {
    const file = path.join(tempDir(), 'runs.db');
    openDatabase(file).close();
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(3);
    } finally {
      db.close();
    }
  });

  it('throws E_STORE_OPEN naming the path when it is a directory', () => {
    const dir = tempDir();
    let caught: unknown;
    try {
      Store.open(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('E_STORE_OPEN');
    expect((caught as StoreError).message).toContain(dir);
    expect((caught as StoreError).message).toContain('directory');
  });

  it('throws E_STORE_OPEN for a file that is not a database', () => {
    const file = path.join(tempDir(), 'junk.db');
    fs.writeFileSync(file, 'this is definitely not an SQLite database, just some text padding it out'.repeat(20));
    expect(() => Store.open(file)).toThrowError(expect.objectContaining({ code: 'E_STORE_OPEN' }));
  });

  it('refuses a database written by a newer schema version', () => {
    const file = path.join(tempDir(), 'future.db');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => Store.open(file)).toThrowError(expect.objectContaining({ code: 'E_STORE_SCHEMA' }));
  });
});
