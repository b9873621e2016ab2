import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseTrajectory } from '../../src/analysis/trajectory.js';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { selectBackend } from '../../src/model/backend.js';
import { decodeCheckpoint } from '../../src/store/checkpoint-codec.js';
import { Store } from '../../src/store/store.js';
import { createBranch, planBranch } from '../../src/streams/branch-plan.js';
import { Run } from '../../src/streams/run.js';
import { RunManager } from '../../src/streams/run-manager.js';
import { trainRecorded } from '../../src/streams/run-recorder.js';
import { trajectoryFromStore } from '../../src/validate/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-branch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let dbCount = 0;
const freshStore = () => Store.open(join(dir, `b${++dbCount}.db`));

/** A small, fast config (d 16, N 256), metrics every 10 steps, checkpoints every 500. */
function small(steps = 2000): RunConfig {
  return resolveConfig({ sets: ['data.d=16', 'data.batchSize=256', `steps=${steps}`, 'log.checkpointEvery=500'] }).config;
}

async function trainNew(store: Store, config: RunConfig): Promise<number> {
  const id = store.createRun({ name: 'parent', preset: null, config, seed: config.seed, backend: 'wasm', targetSteps: config.steps }).id;
  await trainRecorded(new Run(config), store, id);
  return id;
}

async function branch(store: Store, parentId: number, at: number, sets: string[] = []): Promise<number> {
  const plan = planBranch(store, { parentId, at, sets });
  const record = createBranch(store, plan, 'wasm');
  await trainRecorded(new Run(plan.config, { snapshot: plan.snapshot, memory: plan.memory }), store, record.id);
  return record.id;
}

/** A run's own points after `step`, as exact values. */
function pointsAfter(store: Store, runId: number, step: number) {
  return [...store.readPoints(runId, { from: step + 1 })];
}

function finalState(store: Store, runId: number) {
  const { train } = decodeCheckpoint(store.latestCheckpoint(runId)!.state);
  return { step: train.step, W: Array.from(train.W), E: Array.from(train.E) };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('branching', () => {
  it('an unchanged branch continues bit for bit as its parent did, and reads the parent’s history up to the fork', async () => {
    const store = freshStore();
    const parent = await trainNew(store, small());
    const child = await branch(store, parent, 1000);
    const run = store.getRun(child)!;
    expect(run).toMatchObject({ parentId: parent, forkStep: 1000, status: 'completed', step: 2000 });
    // Whole histories, inherited part included, are equal value for value.
    expect([...store.readPoints(child)]).toEqual([...store.readPoints(parent)]);
    expect(store.seriesNames(child)).toEqual(store.seriesNames(parent));
    expect(store.readEvents(child).map(({ runId: _r, ...e }) => e)).toEqual(store.readEvents(parent).map(({ runId: _r, ...e }) => e));
    expect(finalState(store, child)).toEqual(finalState(store, parent));
    // The branch's own rows start after the fork: nothing before it was copied.
    const own = store.lineage(child).at(-1)!;
    expect(own).toEqual({ runId: child, from: 1001, to: Number.MAX_SAFE_INTEGER });
    store.close();
  });

  it('a patch takes effect exactly at the fork: η_E = 0 freezes E from there on', async () => {
    const store = freshStore();
    const parent = await trainNew(store, small());
    const child = await branch(store, parent, 1000, ['optim.lrE=0']);
    const e21 = store.readSeries(parent, 'E_2_1', { from: 1000, to: 1000 }).values[0]!;
    const after = store.readSeries(child, 'E_2_1', { from: 1001 });
    expect(after.steps[0]).toBe(1010);
    expect(new Set(after.values)).toEqual(new Set([e21]));
    // … while the parent's E keeps moving, and W moves in both.
    expect(new Set(store.readSeries(parent, 'E_2_1', { from: 1001 }).values).size).toBeGreaterThan(10);
    expect(store.readSeries(child, 'M_1_1', { from: 1010, to: 1010 }).values[0]).not.toBe(store.readSeries(child, 'M_1_1', { from: 2000, to: 2000 }).values[0]);
    store.close();
  });

  it('branches of branches read through two forks, and keep their lineage after the database is reopened', async () => {
    const path = join(dir, 'lineage.db');
    let store = Store.open(path);
    const root = await trainNew(store, small(2500));
    const b = await branch(store, root, 1000);
    const c = await branch(store, b, 2000);
    store.close();
    store = Store.open(path);
    expect(store.lineage(c).map((s) => [s.runId, s.from, s.to])).toEqual([
      [root, -Number.MAX_SAFE_INTEGER, 1000],
      [b, 1001, 2000],
      [c, 2001, Number.MAX_SAFE_INTEGER],
    ]);
    expect(store.getRun(c)).toMatchObject({ parentId: b, forkStep: 2000 });
    expect([...store.readPoints(c)]).toEqual([...store.readPoints(root)]);
    expect(store.lastStep(c)).toBe(2500);
    expect(finalState(store, c)).toEqual(finalState(store, root));
    store.close();
  });

  it('refuses a patch that cannot continue the saved state, and a fork step with no checkpoint, saying why', async () => {
    const store = freshStore();
    const parent = await trainNew(store, small(1000));
    expect(() => planBranch(store, { parentId: parent, at: 500, sets: ['model.m=3'] })).toThrow(UsageError);
    expect(() => planBranch(store, { parentId: parent, at: 500, sets: ['model.m=3'] })).toThrow(/d = 16 and m = 2/);
    expect(() => planBranch(store, { parentId: parent, at: 700 })).toThrow(/no checkpoint at step 700.*500/);
    expect(() => planBranch(store, { parentId: parent, at: 500, sets: ['optim.lrE=-1'] })).toThrow(/optim\.lrE/);
    expect(store.listRuns()).toHaveLength(1);
    store.close();
  });
});

describe('branching live runs', () => {
  it('branches a paused run at its current step; both go on; the branch matches the parent after the fork', async () => {
    const store = freshStore();
    const manager = new RunManager(store, 'wasm');
    const parent = manager.start(small(), { preset: null });
    while (parent.run.state.step < 777) await new Promise((r) => setTimeout(r, 5));
    await manager.control(parent.id, 'pause');
    const fork = parent.run.state.step;
    const child = await manager.branch({ parentId: parent.id });
    await manager.control(parent.id, 'resume');
    await Promise.all([parent.outcome, child.outcome]);
    await manager.close();
    expect(store.getRun(child.id)).toMatchObject({ parentId: parent.id, forkStep: fork, status: 'completed' });
    expect(pointsAfter(store, child.id, fork)).toEqual(pointsAfter(store, parent.id, fork));
    expect(finalState(store, child.id)).toEqual(finalState(store, parent.id));
    store.close();
  });

  it('a rule drops the head when phase II begins: the branch forks at T1 and collapses', async () => {
    const store = freshStore();
    const manager = new RunManager(store, 'wasm');
    const config = resolveConfig({ sets: ['steps=5500'] }).config;
    const parent = manager.start(config, { preset: 'default', branchRules: [{ on: 'phase:II', sets: ['head.mode=none'] }] });
    const branched = new Promise<number>((resolve) => manager.events$.subscribe((e) => e.type === 'branched' && resolve(e.runId)));
    const childId = await branched;
    await manager.control(parent.id, 'stop');
    await manager.requireLive(childId).outcome;
    await manager.close();
    const t1 = analyseTrajectory(trajectoryFromStore(store, parent.id), 2).T1;
    expect(store.getRun(childId)).toMatchObject({ parentId: parent.id, forkStep: t1 });
    const marks = analyseTrajectory(trajectoryFromStore(store, childId), 2);
    expect(marks.outcome).toBe('dimensional-collapse');
    expect(store.readEvents(childId).map((e) => e.label)).toContain('dimensional-collapse');
    store.close();
  }, 60_000);
});
