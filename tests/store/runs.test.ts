import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, StoreError, type NewRun } from '../../src/store/index.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function openStore(file = path.join(tempDir(), 'runs.db')): Store {
  const store = Store.open(file);
  open.push(store);
  return store;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return { name: 'demo', preset: 'fast', config: { lr: 0.1 }, seed: 42, backend: 'cpu', targetSteps: 1000, ...overrides };
}

describe('runs', () => {
  it('creates a run with status created, step 0 and ISO-8601 UTC timestamps', () => {
    const store = openStore();
    const before = Date.now();
    const run = store.createRun(newRun());
    const after = Date.now();

    expect(run).toMatchObject({
      name: 'demo',
      preset: 'fast',
      config: { lr: 0.1 },
      seed: 42,
      backend: 'cpu',
      status: 'created',
      step: 0,
      targetSteps: 1000,
      pid: null,
      host: null,
      error: null,
      parentId: null,
      forkStep: null,
      finishedAt: null,
    });
    expect(run.createdAt).toMatch(ISO_UTC);
    expect(run.updatedAt).toBe(run.createdAt);
    const created = Date.parse(run.createdAt);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
  });

  it('round-trips a nested JSON config', () => {
    const store = openStore();
    const config = {
      model: { layers: [64, 32], activation: 'relu' },
      lr: 1e-3,
      tags: ['a', 'b'],
      flag: true,
      none: null,
      unicode: 'phasé ✓',
    };
    const id = store.createRun(newRun({ config, preset: null })).id;
    const read = store.getRun(id);
    expect(read?.config).toEqual({
      model: { layers: [64, 32], activation: 'relu' },
      lr: 0.001,
      tags: ['a', 'b'],
      flag: true,
      none: null,
      unicode: 'phasé ✓',
    });
    expect(read?.preset).toBeNull();
  });

  it('gets, lists by id ascending and returns undefined for unknown ids', () => {
    const store = openStore();
    const a = store.createRun(newRun({ name: 'a' })).id;
    const b = store.createRun(newRun({ name: 'b', seed: -3 })).id;
    const c = store.createRun(newRun({ name: 'c', parentId: a, forkStep: 250 })).id;

    expect(store.getRun(b)?.name).toBe('b');
    expect(store.getRun(b)?.seed).toBe(-3);
    expect(store.getRun(c)).toMatchObject({ parentId: a, forkStep: 250 });
    expect(store.listRuns().map((r) => [r.id, r.name])).toEqual([
      [a, 'a'],
      [b, 'b'],
      [c, 'c'],
    ]);
    expect(store.getRun(c + 100)).toBeUndefined();
  });

  it('rejects a fork of a parent that does not exist', () => {
    const store = openStore();
    expect(() => store.createRun(newRun({ parentId: 77 }))).toThrowError(
      expect.objectContaining({ code: 'E_RUN_NOT_FOUND', message: expect.stringContaining('77') }),
    );
    expect(store.listRuns()).toEqual([]);
  });

  it('rejects configs that are not JSON-serialisable', () => {
    const store = openStore();
    expect(() => store.createRun(newRun({ config: undefined }))).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
  });

  it('updates fields, bumps updated_at and leaves other fields alone', async () => {
    const store = openStore();
    const createdFrom = Date.now();
    const id = store.createRun(newRun()).id;
    const createdTo = Date.now();
    await new Promise((r) => setTimeout(r, 5)); // so updated_at is measurably later than created_at

    const updateFrom = Date.now();
    const updated = store.updateRun(id, { status: 'running', step: 120, pid: 4321, host: 'box', error: 'x' });
    const updateTo = Date.now();
    expect(updated).toMatchObject({
      id,
      name: 'demo',
      preset: 'fast',
      config: { lr: 0.1 },
      seed: 42,
      backend: 'cpu',
      targetSteps: 1000,
      status: 'running',
      step: 120,
      pid: 4321,
      host: 'box',
      error: 'x',
      finishedAt: null,
    });
    expect(Date.parse(updated.createdAt)).toBeGreaterThanOrEqual(createdFrom);
    expect(Date.parse(updated.createdAt)).toBeLessThanOrEqual(createdTo);
    expect(updated.updatedAt).toMatch(ISO_UTC);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(updateFrom);
    expect(Date.parse(updated.updatedAt)).toBeLessThanOrEqual(updateTo);

    const finishedAt = '2024-05-06T07:08:09.000Z';
    store.updateRun(id, { status: 'completed', error: null, pid: null, finishedAt, targetSteps: 2000, host: undefined });
    expect(store.getRun(id)).toMatchObject({
      status: 'completed',
      error: null,
      pid: null,
      finishedAt,
      targetSteps: 2000,
      step: 120,
      host: 'box', // undefined in a patch means "leave alone"
      backend: 'cpu',
    });
  });

  it('rejects an invalid status and unknown patch fields', () => {
    const store = openStore();
    const run = store.createRun(newRun());
    expect(() => store.updateRun(run.id, { status: 'exploded' as never })).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
    expect(() => store.updateRun(run.id, { name: 'x' } as never)).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
    expect(store.getRun(run.id)?.status).toBe('created');
  });

  it('requireRun and updateRun name the missing id and the database path', () => {
    const file = path.join(tempDir(), 'named.db');
    const store = openStore(file);
    for (const call of [() => store.requireRun(42), () => store.updateRun(42, { step: 1 })]) {
      let caught: unknown;
      try {
        call();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StoreError);
      expect((caught as StoreError).code).toBe('E_RUN_NOT_FOUND');
      expect((caught as StoreError).message).toBe(`run 42 not found in ${file}`);
    }
  });

  it('isStale is true for a running run whose local process has exited, false otherwise', () => {
    const store = openStore();
    const child = spawnSync(process.execPath, ['-e', '']);
    expect(child.status).toBe(0);
    const deadPid = child.pid;
    const host = os.hostname();

    const dead = store.updateRun(store.createRun(newRun()).id, { status: 'running', pid: deadPid, host });
    const alive = store.updateRun(store.createRun(newRun()).id, { status: 'running', pid: process.pid, host });
    const elsewhere = store.updateRun(store.createRun(newRun()).id, {
      status: 'running',
      pid: deadPid,
      host: `${host}-other`,
    });
    const paused = store.updateRun(store.createRun(newRun()).id, { status: 'paused', pid: deadPid, host });

    expect(store.isStale(dead)).toBe(true);
    expect(store.displayStatus(dead)).toBe('interrupted');
    expect(store.isStale(alive)).toBe(false);
    expect(store.displayStatus(alive)).toBe('running');
    expect(store.isStale(elsewhere)).toBe(false);
    expect(store.isStale(paused)).toBe(false);
    expect(store.displayStatus(paused)).toBe('paused');
  });

  it('keeps data across close and reopen', () => {
    const file = path.join(tempDir(), 'persist.db');
    const first = Store.open(file);
    const id = first.createRun(newRun({ name: 'kept', config: { k: [1, 2, 3] } })).id;
    first.updateRun(id, { status: 'paused', step: 77 });
    first.appendPoints(id, [
      { step: 1, values: { loss: 0.5 } },
      { step: 2, values: { loss: 0.25 } },
    ]);
    first.saveCheckpoint(id, 2, 'pause', new Uint8Array([9, 8, 7]));
    first.close();

    const second = openStore(file);
    expect(second.requireRun(id)).toMatchObject({ name: 'kept', config: { k: [1, 2, 3] }, status: 'paused', step: 77 });
    expect(second.readSeries(id, 'loss')).toEqual({ steps: [1, 2], values: [0.5, 0.25] });
    expect(Array.from(second.getCheckpoint(id, 2)!.state)).toEqual([9, 8, 7]);
  });

  it('close is idempotent and every method afterwards throws E_STORE_CLOSED', () => {
    const store = Store.open(path.join(tempDir(), 'closed.db'));
    const run = store.createRun(newRun());
    store.close();
    expect(() => store.close()).not.toThrow();

    const calls: Array<() => unknown> = [
      () => store.createRun(newRun()),
      () => store.getRun(run.id),
      () => store.requireRun(run.id),
      () => store.listRuns(),
      () => store.updateRun(run.id, { step: 1 }),
      () => store.isStale(run),
      () => store.displayStatus(run),
      () => store.appendPoints(run.id, []),
      () => store.seriesNames(run.id),
      () => store.readSeries(run.id, 'loss'),
      () => store.readPoints(run.id),
      () => store.lastStep(run.id),
      () => store.deletePointsAfter(run.id, 0),
      () => store.saveCheckpoint(run.id, 0, 'x', new Uint8Array()),
      () => store.latestCheckpoint(run.id),
      () => store.getCheckpoint(run.id, 0),
      () => store.listCheckpoints(run.id),
      () => store.transaction(() => 1),
    ];
    for (const call of calls) {
      expect(call).toThrowError(expect.objectContaining({ name: 'StoreError', code: 'E_STORE_CLOSED' }));
    }
  });

  it('transaction commits on return and rolls back on throw', () => {
    const store = openStore();
    const kept = store.transaction(() => store.createRun(newRun({ name: 'kept' })).id);
    expect(() =>
      store.transaction(() => {
        store.createRun(newRun({ name: 'dropped' }));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.listRuns().map((r) => r.id)).toEqual([kept]);
  });
});
