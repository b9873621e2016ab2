import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, SCHEMA_VERSION, Store, StoreError } from '../../src/store/index.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

describe('openDatabase', () => {
  it('creates the schema at version 1 in WAL mode, visible from an independent connection', () => {
    const file = path.join(tempDir(), 'runs.db');
    const store = Store.open(file);
    try {
      const other = new Database(file, { readonly: true });
      try {
        expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(other.pragma('user_version', { simple: true })).toBe(1);
        const tables = other
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
          .pluck()
          .all();
        expect(tables).toEqual(['checkpoints', 'points', 'runs', 'series']);
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
    expect(SCHEMA_VERSION).toBe(1);
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
      expect(db.pragma('user_version', { simple: true })).toBe(1);
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
