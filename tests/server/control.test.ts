import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend.js';
import { assertContiguous, sleep } from './client.js';
import { storedRows, untilStep, useServer } from './fixture.js';

const setup = useServer();

beforeAll(async () => {
  await selectBackend('wasm');
});

for (const threads of [false, true]) {
describe(`control over the WebSocket (runs in ${threads ? 'worker threads' : 'the server thread'})`, () => {
  it('pauses, steps exactly n, resumes and stops a live run', async () => {
    const f = await setup({ threads });
    const live = f.start();
    await untilStep(live, 20);
    const client = await f.connect();
    client.send({ type: 'subscribe', runId: live.id });
    const snap = await client.nextOf('snapshot');

    // pause
    client.send({ type: 'control', id: 'p', runId: live.id, action: 'pause' });
    const pauseAck = await client.nextOf('ack', (m) => m.id === 'p');
    expect(pauseAck.runId).toBe(live.id);
    const pausedAt = live.run.state.step;
    await sleep(300);
    expect(live.run.state.step).toBe(pausedAt);
    expect(live.run.control.state).toBe('paused');
    // The status broadcast when the state changed, and the periodic one after it, say paused.
    const beforeAck = client.messages.slice(0, client.messages.indexOf(pauseAck));
    expect(beforeAck.filter((m) => m.type === 'status' && m.runId === live.id).at(-1)).toMatchObject({ status: 'paused', control: 'paused', step: pausedAt });
    const periodic = await client.nextOf('status', (m) => m.runId === live.id, 2000);
    expect(periodic).toMatchObject({ status: 'paused', control: 'paused', step: pausedAt });
    const afterAck = client.messages.slice(client.messages.indexOf(pauseAck));
    for (const m of afterAck) if (m.type === 'status' && m.runId === live.id) expect(m).toMatchObject({ status: 'paused', step: pausedAt });
    // No record past the pause reaches the viewer.
    expect(assertContiguous(client.frames(live.id), snap.seq)).toBeLessThanOrEqual(pausedAt);

    // step 5
    client.send({ type: 'control', id: 's', runId: live.id, action: 'step', n: 5 });
    await client.nextOf('ack', (m) => m.id === 's');
    await client.until(() => live.run.control.state === 'paused', 5000, 'the run to pause after stepping');
    expect(live.run.state.step).toBe(pausedAt + 5);
    await client.nextOf('frame', (m) => m.runId === live.id && m.toSeq >= pausedAt + 5);
    await sleep(200);
    expect(live.run.state.step).toBe(pausedAt + 5);
    expect(assertContiguous(client.frames(live.id), snap.seq)).toBe(pausedAt + 5);
    const lastStatus = await client.nextOf('status', (m) => m.runId === live.id, 2000);
    expect(lastStatus).toMatchObject({ status: 'paused', step: pausedAt + 5 });

    // resume
    client.send({ type: 'control', id: 'r', runId: live.id, action: 'resume' });
    await client.nextOf('ack', (m) => m.id === 'r');
    await untilStep(live, pausedAt + 5 + 50);
    expect(live.run.control.state).toBe('running');
    const running = await client.nextOf('status', (m) => m.runId === live.id, 2000);
    expect(running.status).toBe('running');

    // stop
    client.send({ type: 'control', id: 'x', runId: live.id, action: 'stop' });
    await client.nextOf('ack', (m) => m.id === 'x');
    const outcome = await live.outcome;
    expect(outcome.status).toBe('stopped');
    const runs = await client.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live));
    expect(runs.runs.find((r) => r.id === live.id)).toMatchObject({ status: 'stopped', step: outcome.step, live: false });
    expect(f.manager.live(live.id)).toBeUndefined();
    expect(f.store.getRun(live.id)).toMatchObject({ status: 'stopped', step: outcome.step });
    // Every record, the stepped ones included, was streamed once and stored.
    expect(assertContiguous(client.frames(live.id), snap.seq)).toBe(outcome.step);
    expect(storedRows(f.store, live.id).size).toBe(outcome.step);

    // A stopped run can no longer be steered.
    client.send({ type: 'control', id: 'late', runId: live.id, action: 'pause' });
    const late = await client.nextOf('error', (m) => m.id === 'late');
    expect(late.code).toMatch(/^E_/);
    expect(late.message).toContain(String(live.id));
    expect(client.invalid).toEqual([]);
  });

  it('starts a run from a preset with overrides; it is listed and trains to completion', async () => {
    const f = await setup({ threads });
    const client = await f.connect();
    await client.nextOf('welcome');
    const before = f.store.listRuns().map((r) => r.id);
    client.send({ type: 'start', id: 'st', preset: 'head-none', sets: ['steps=50', 'data.batchSize=64'], name: 'from-ws' });
    const ack = await client.nextOf('ack', (m) => m.id === 'st');
    expect(ack.runId).toBeDefined();
    const runId = ack.runId!;
    expect(before).not.toContain(runId);
    await client.until(() => client.all('runs').some((m) => m.runs.some((r) => r.id === runId)), 5000, 'the new run in a runs message');
    const done = await client.nextOf('runs', (m) => m.runs.some((r) => r.id === runId && r.status === 'completed'), 30_000);
    expect(done.runs.find((r) => r.id === runId)).toMatchObject({ name: 'from-ws', preset: 'head-none', step: 50, targetSteps: 50, live: false });
    const stored = f.store.getRun(runId)!;
    expect(stored).toMatchObject({ status: 'completed', step: 50, targetSteps: 50, preset: 'head-none' });
    expect(stored.config).toMatchObject({ steps: 50, head: { mode: 'none' }, data: { batchSize: 64 } });
    expect(f.store.lastStep(runId)).toBe(50);
    expect(f.store.listRuns().map((r) => r.id)).toEqual([...before, runId]);
  });

  it('refuses a start with an invalid setting, naming it, and creates nothing', async () => {
    const f = await setup({ threads });
    const live = f.start();
    const client = await f.connect();
    await client.nextOf('welcome');
    const before = f.store.listRuns();
    client.send({ type: 'start', id: 'bad', sets: ['optim.lrW=-1'] });
    const error = await client.nextOf('error', (m) => m.id === 'bad');
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toContain('optim.lrW');
    client.send({ type: 'start', id: 'bad-preset', preset: 'no-such-preset' });
    expect((await client.nextOf('error', (m) => m.id === 'bad-preset')).code).toBe('E_CONFIG');
    await client.roundTrip();
    expect(client.all('ack')).toEqual([]);
    expect(f.store.listRuns()).toEqual(before);
    expect(f.manager.liveRuns().map((l) => l.id)).toEqual([live.id]);
  });

  it('resumes a stopped run, which continues from where it stopped', async () => {
    const f = await setup({ threads });
    const live = f.start();
    await untilStep(live, 100);
    const client = await f.connect();
    client.send({ type: 'subscribe', runId: live.id });
    await client.nextOf('snapshot');
    client.send({ type: 'control', id: 'x', runId: live.id, action: 'stop' });
    await client.nextOf('ack', (m) => m.id === 'x');
    const stopped = await live.outcome;
    await client.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && r.status === 'stopped'));
    expect(f.store.getRun(live.id)!.step).toBe(stopped.step);

    client.send({ type: 'resume', id: 'res', runId: live.id });
    const ack = await client.nextOf('ack', (m) => m.id === 'res');
    expect(ack.runId).toBe(live.id);
    const resumed = f.manager.live(live.id);
    expect(resumed).toBeDefined();
    expect(resumed!.run.state.step).toBeGreaterThanOrEqual(stopped.step);
    // The run list sent as it restarted (before the ack) has it live again at its checkpoint.
    const before = client.messages.slice(0, client.messages.indexOf(ack));
    const restartList = before.filter((m) => m.type === 'runs').at(-1);
    expect(restartList?.type === 'runs' && restartList.runs.find((r) => r.id === live.id)).toMatchObject({ live: true, status: 'running', step: stopped.step });
    // Viewers of the run are told to start over.
    expect(before.some((m) => m.type === 'resync' && m.runId === live.id)).toBe(true);
    await untilStep(resumed!, stopped.step + 50);

    client.send({ type: 'subscribe', runId: live.id, maxPoints: 100_000 });
    const snap = await client.nextOf('snapshot');
    expect(snap.seq).toBeGreaterThan(stopped.step);
    expect(snap.data[0]).toEqual(Array.from({ length: snap.seq }, (_, i) => i + 1));
    client.send({ type: 'control', id: 'x2', runId: live.id, action: 'stop' });
    const final = await resumed!.outcome;
    await client.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live));
    expect(final.step).toBeGreaterThanOrEqual(stopped.step + 50);
    const framesAfter = client.frames(live.id).filter((fr) => fr.fromSeq > snap.seq - 1);
    expect(assertContiguous(framesAfter, snap.seq)).toBe(final.step);
    // The stored history runs 1…final without a gap or a repeat.
    expect(f.store.readSeries(live.id, 'loss').steps).toEqual(Array.from({ length: final.step }, (_, i) => i + 1));
    expect(f.store.getRun(live.id)).toMatchObject({ status: 'stopped', step: final.step });
  });
});
}
