import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend.js';
import { storedRows, untilStep, useServer } from './fixture.js';

const setup = useServer();

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('branching over the WebSocket (runs in worker threads)', () => {
  it('branches a live run at its current step; the branch is listed with its parent, and its snapshot starts with the parent’s history', async () => {
    const f = await setup({ threads: true });
    const live = f.start();
    await untilStep(live, 300);
    const client = await f.connect();
    client.send({ type: 'branch', id: 'b', runId: live.id, sets: ['optim.lrE=0'], name: 'frozen E' });
    const ack = await client.nextOf('ack', (m) => m.id === 'b', 10_000);
    const branchId = ack.runId!;
    expect(branchId).not.toBe(live.id);
    client.send({ type: 'list' });
    const listed = await client.nextOf('runs', (m) => m.runs.some((r) => r.id === branchId));
    const summary = listed.runs.find((r) => r.id === branchId)!;
    expect(summary).toMatchObject({ parentId: live.id, name: 'frozen E', live: true });
    const fork = summary.forkStep!;
    expect(fork).toBeGreaterThanOrEqual(300);

    client.send({ type: 'subscribe', runId: branchId, maxPoints: 100_000 });
    const snap = await client.nextOf('snapshot', (m) => m.runId === branchId);
    // The inherited part is the parent's history up to the fork, value for value.
    const parentRows = storedRows(f.store, live.id);
    const loss = snap.columns.indexOf('loss');
    const steps = snap.data[0] as number[];
    const inherited = steps.filter((s) => s <= fork);
    expect(inherited).toEqual([...parentRows.keys()].filter((s) => s <= fork));
    steps.forEach((s, i) => s <= fork && expect(snap.data[loss][i]).toBe(parentRows.get(s)!.get('loss')));
    // Both train on: the parent is not held up by its branch.
    await untilStep(live, fork + 200);
    await untilStep(f.manager.requireLive(branchId), fork + 200);
    expect(f.manager.requireLive(live.id).run.control.state).toBe('running');
  }, 60_000);

  it('answers an impossible patch with the reason, and a read-only viewer with E_FORBIDDEN, creating nothing', async () => {
    const f = await setup({ threads: true, tokens: { read: 'r', control: 'c' } });
    const live = f.start();
    await untilStep(live, 50);
    const controller = await f.connect({ token: 'c' });
    controller.send({ type: 'branch', id: 'm', runId: live.id, sets: ['model.m=3'] });
    const refused = await controller.nextOf('error', (m) => m.id === 'm', 10_000);
    expect(refused.code).toBe('E_USAGE');
    expect(refused.message).toMatch(/m = 2.*start a new run/);
    controller.send({ type: 'branch', id: 'a', runId: live.id, at: 12345 });
    expect((await controller.nextOf('error', (m) => m.id === 'a', 10_000)).message).toMatch(/no checkpoint at step 12345/);
    const viewer = await f.connect({ token: 'r' });
    viewer.send({ type: 'branch', id: 'v', runId: live.id });
    expect((await viewer.nextOf('error', (m) => m.id === 'v')).code).toBe('E_FORBIDDEN');
    expect(f.store.listRuns()).toHaveLength(1);
  }, 60_000);

  it('sets a rule on a live run over the WebSocket: the branch forks exactly when phase II begins', async () => {
    const f = await setup({ threads: true });
    const { resolveConfig } = await import('../../src/config/load.js');
    const live = f.start(resolveConfig({ sets: ['steps=100000'] }));
    await untilStep(live, 50);
    const client = await f.connect();
    const branching = new Promise<{ runId: number; forkStep: number }>((resolve) => f.manager.events$.subscribe((e) => e.type === 'branched' && resolve(e)));
    client.send({ type: 'branch-on', id: 'r', runId: live.id, on: 'phase:II', sets: ['head.mode=none'] });
    await client.nextOf('ack', (m) => m.id === 'r', 10_000);
    client.send({ type: 'branch-on', id: 'bad', runId: live.id, on: 'phase:VI' });
    expect((await client.nextOf('error', (m) => m.id === 'bad')).message).toMatch(/expected phase:I\|II\|III\|IV/);
    const branched = await branching;
    await f.manager.requireLive(live.id).run.flush();
    // T1 read from the parent's stored records: the first with some |cos_j_1| ≥ 0.7.
    const rows = storedRows(f.store, live.id);
    const t1 = [...rows.keys()].find((s) => Math.abs(rows.get(s)!.get('cos_1_1')!) >= 0.7 || Math.abs(rows.get(s)!.get('cos_2_1')!) >= 0.7);
    expect(branched.forkStep).toBe(t1);
    expect(f.store.getRun(branched.runId)).toMatchObject({ parentId: live.id, forkStep: t1 });
  }, 60_000);
});
