import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseTrajectory } from '../../src/analysis/trajectory.js';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { selectBackend } from '../../src/model/backend.js';
import { decodeCheckpoint } from '../../src/store/checkpoint-codec.js';
import { Store } from '../../src/store/store.js';
import { Run } from '../../src/streams/run.js';
import { RunManager } from '../../src/streams/run-manager.js';
import { trainRecorded } from '../../src/streams/run-recorder.js';
import { trajectoryFromStore } from '../../src/validate/validate.js';

/**
 * Runs in worker threads (`RunManager({ threads: true })`): each thread has its own tfjs
 * backend and database connection; the main thread sees records, steps and control states as
 * the threads report them. Training there must be exactly what training here is.
 */
const dir = mkdtempSync(join(tmpdir(), 'pw-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const freshStore = () => Store.open(join(dir, `t${++count}.db`));
const small = (steps = 1500): RunConfig => resolveConfig({ sets: ['data.d=16', 'data.batchSize=256', `steps=${steps}`, 'log.checkpointEvery=500'] }).config;
const points = (store: Store, runId: number, after = -1) => [...store.readPoints(runId, { from: after + 1 })];
const finalState = (store: Store, runId: number) => {
  const { train } = decodeCheckpoint(store.latestCheckpoint(runId)!.state);
  return { step: train.step, W: Array.from(train.W), E: Array.from(train.E) };
};

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('runs in worker threads', () => {
  it('record exactly what the same run records in this thread', async () => {
    const store = freshStore();
    const reference = store.createRun({ name: 'here', preset: null, config: small(), seed: 0, backend: 'wasm', targetSteps: 1500 }).id;
    await trainRecorded(new Run(small()), store, reference);
    const manager = new RunManager(store, 'wasm', { threads: true });
    const seen: number[] = [];
    const live = manager.start(small(), { preset: null });
    live.run.metrics$.subscribe((r) => seen.push(r.step));
    expect(await live.outcome).toEqual({ status: 'completed', step: 1500 });
    await manager.close();
    expect(points(store, live.id)).toEqual(points(store, reference));
    expect(finalState(store, live.id)).toEqual(finalState(store, reference));
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => (i + 1) * 10));
    store.close();
  }, 60_000);

  it('take pause and step(n) at a step boundary: nothing after a pause, exactly n on step', async () => {
    const store = freshStore();
    const manager = new RunManager(store, 'wasm', { threads: true });
    const live = manager.start(small(100_000), { preset: null });
    while (live.run.state.step < 200) await new Promise((r) => setTimeout(r, 10));
    await manager.control(live.id, 'pause');
    const paused = live.run.state.step;
    expect(live.run.control.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 300));
    await manager.control(live.id, 'step', 7);
    while (live.run.control.state !== 'paused') await new Promise((r) => setTimeout(r, 10));
    expect(live.run.state.step).toBe(paused + 7);
    await manager.close();
    expect(store.getRun(live.id)!.step).toBe(paused + 7);
    store.close();
  }, 60_000);

  it('a branch of a live run, both training at once in two threads, continues bit for bit as the parent', async () => {
    const store = freshStore();
    const manager = new RunManager(store, 'wasm', { threads: true });
    const parent = manager.start(small(2500), { preset: null });
    while (parent.run.state.step < 600) await new Promise((r) => setTimeout(r, 10));
    const child = await manager.branch({ parentId: parent.id });
    const fork = store.getRun(child.id)!.forkStep!;
    expect(fork).toBeGreaterThanOrEqual(600);
    await Promise.all([parent.outcome, child.outcome]);
    await manager.close();
    expect(points(store, child.id, fork)).toEqual(points(store, parent.id, fork));
    expect(points(store, child.id)).toEqual(points(store, parent.id));
    expect(finalState(store, child.id)).toEqual(finalState(store, parent.id));
    store.close();
  }, 60_000);

  it('a rule in a thread forks exactly at the event’s step: head dropped at T1 collapses', async () => {
    const store = freshStore();
    const manager = new RunManager(store, 'wasm', { threads: true });
    const parent = manager.start(resolveConfig({ sets: ['steps=5000'] }).config, { preset: 'default', branchRules: [{ on: 'phase:II', sets: ['head.mode=none'] }] });
    const childId = await new Promise<number>((resolve) => manager.events$.subscribe((e) => e.type === 'branched' && resolve(e.runId)));
    await manager.requireLive(childId).outcome;
    await parent.outcome;
    await manager.close();
    const t1 = analyseTrajectory(trajectoryFromStore(store, parent.id), 2).T1;
    expect(store.getRun(childId)).toMatchObject({ parentId: parent.id, forkStep: t1 });
    expect(analyseTrajectory(trajectoryFromStore(store, childId), 2).outcome).toBe('dimensional-collapse');
    store.close();
  }, 90_000);
});
