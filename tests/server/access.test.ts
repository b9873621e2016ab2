import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend.js';
import { sleep, TestClient, UpgradeRefused } from './client.js';
import { untilStep, useServer } from './fixture.js';

const setup = useServer();
const tokens = { read: 'r', control: 'c' };

beforeAll(async () => {
  await selectBackend('wasm');
});

async function refusal(url: string, token?: string): Promise<unknown> {
  try {
    const client = await TestClient.connect(url, token === undefined ? {} : { token });
    await client.close();
    return 'connected';
  } catch (error) {
    return error;
  }
}

describe('access tokens', () => {
  it('refuses connections and API requests without a valid token', async () => {
    const f = await setup({ tokens });
    f.start();
    for (const token of [undefined, '', 'wrong', 'rr', 'R']) {
      const error = await refusal(f.server.url, token);
      expect(error, `token ${JSON.stringify(token)}`).toBeInstanceOf(UpgradeRefused);
      expect((error as UpgradeRefused).status).toBe(401);
      const rest = await fetch(`${f.server.url}api/runs${token === undefined ? '' : `?token=${token}`}`);
      expect(rest.status).toBe(401);
      await rest.text();
    }
    expect(f.server.hub.viewerCount).toBe(0);
    // The same endpoints answer with a token, in the query or as a bearer header.
    expect((await fetch(`${f.server.url}api/runs?token=r`)).status).toBe(200);
    expect((await fetch(`${f.server.url}api/runs`, { headers: { authorization: 'Bearer c' } })).status).toBe(200);
    expect((await fetch(`${f.server.url}api/runs`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('lets a read token watch but not steer, start or resume, and keeps the connection', async () => {
    const f = await setup({ tokens });
    const live = f.start();
    await untilStep(live, 20);
    const client = await f.connect({ token: 'r' });
    const welcome = await client.next(() => true);
    expect(welcome).toMatchObject({ type: 'welcome', access: 'read' });
    client.send({ type: 'subscribe', runId: live.id });
    const snap = await client.nextOf('snapshot');
    expect(snap.runId).toBe(live.id);
    await client.nextOf('frame', (m) => m.runId === live.id && m.fromSeq === snap.seq + 1);

    const runsBefore = f.store.listRuns();
    const attempts = [
      { type: 'control', id: 'c1', runId: live.id, action: 'pause' },
      { type: 'control', id: 'c2', runId: live.id, action: 'stop' },
      { type: 'control', id: 'c3', runId: live.id, action: 'step', n: 3 },
      { type: 'start', id: 'c4', preset: 'head-none', sets: ['steps=50'] },
      { type: 'resume', id: 'c5', runId: live.id },
    ];
    for (const attempt of attempts) {
      const stepBefore = live.run.state.step;
      client.send(attempt);
      const error = await client.nextOf('error', (m) => m.id === attempt.id);
      expect(error.code, attempt.id).toBe('E_FORBIDDEN');
      expect(client.isOpen).toBe(true);
      await client.roundTrip();
      expect(live.run.control.state).toBe('running');
      await untilStep(live, stepBefore + 10);
    }
    expect(client.all('ack')).toEqual([]);
    await sleep(100);
    expect(live.run.control.state).toBe('running');
    expect(f.store.listRuns().map((r) => r.id)).toEqual(runsBefore.map((r) => r.id));
    expect(f.manager.liveRuns().map((l) => l.id)).toEqual([live.id]);
    // Still watching: frames keep coming, contiguous.
    const count = client.frames(live.id).length;
    await client.until(() => client.frames(live.id).length > count + 1, 5000, 'more frames');
    let last = snap.seq;
    for (const fr of client.frames(live.id)) {
      expect(fr.fromSeq).toBe(last + 1);
      last = fr.toSeq;
    }
  });

  it('lets the control token pause a run', async () => {
    const f = await setup({ tokens });
    const live = f.start();
    await untilStep(live, 10);
    const client = await f.connect({ token: 'c' });
    expect(await client.next(() => true)).toMatchObject({ type: 'welcome', access: 'control' });
    client.send({ type: 'control', id: 'p', runId: live.id, action: 'pause' });
    await client.nextOf('ack', (m) => m.id === 'p');
    expect(live.run.control.state).toBe('paused');
    const step = live.run.state.step;
    await sleep(200);
    expect(live.run.state.step).toBe(step);
  });
});
