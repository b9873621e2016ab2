import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend.js';
import { PROTOCOL_VERSION } from '../../src/server/protocol.js';
import type { Store } from '../../src/store/store.js';
import { assertContiguous, sleep, type Frame, type Snapshot, type TestClient } from './client.js';
import { storedRows, untilStep, useServer } from './fixture.js';

const setup = useServer();

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Every row of a snapshot/frame as { step, values by column name }. */
function rowsOf(message: { columns: string[]; data: (number | null)[][] }): { step: number; values: Map<string, number | null> }[] {
  const [steps, ...series] = message.data;
  return steps.map((step, i) => ({ step: step as number, values: new Map(series.map((column, c) => [message.columns[c + 1], column[i]])) }));
}

/** Every received value equals the stored value of the same series at the same step. */
function expectMatchesStore(store: Store, runId: number, messages: readonly { columns: string[]; data: (number | null)[][] }[]): number {
  const stored = storedRows(store, runId);
  let compared = 0;
  for (const message of messages) {
    for (const row of rowsOf(message)) {
      const db = stored.get(row.step);
      expect(db, `step ${row.step} is in the database`).toBeDefined();
      for (const [name, value] of row.values) {
        expect(value, `${name} at step ${row.step}`).toBe(db!.get(name) ?? null);
        compared++;
      }
    }
  }
  return compared;
}

/** With a record every step, record k (seq k) is step k. */
function expectSeqIsStep(frames: readonly Frame[]): void {
  for (const f of frames) expect(f.data[0]).toEqual(Array.from({ length: f.toSeq - f.fromSeq + 1 }, (_, i) => f.fromSeq + i));
}

function expectAligned(message: { columns: string[]; data: (number | null)[][] }): void {
  expect(message.columns[0]).toBe('step');
  expect(message.data).toHaveLength(message.columns.length);
  const rows = message.data[0].length;
  for (const column of message.data) expect(column).toHaveLength(rows);
}

async function stopAndSettle(client: TestClient, manager: { control(id: number, a: 'stop'): Promise<void> }, live: { id: number; outcome: Promise<unknown> }): Promise<void> {
  await manager.control(live.id, 'stop');
  await live.outcome;
  // The hub flushes the last records before it announces the end, on the same socket.
  await client.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live), 5000);
}

describe('live stream', () => {
  it('sends welcome, a snapshot, then contiguous frames whose values equal the database', async () => {
    const f = await setup();
    const live = f.start();
    await untilStep(live, 50);
    const client = await f.connect();
    const welcome = await client.next(() => true);
    expect(welcome.type).toBe('welcome');
    if (welcome.type !== 'welcome') return;
    expect(welcome.version).toBe(PROTOCOL_VERSION);
    expect(welcome.access).toBe('control'); // loopback, no tokens
    expect(welcome.runs.find((r) => r.id === live.id)).toMatchObject({ live: true, status: 'running' });

    client.send({ type: 'subscribe', id: 'sub-1', runId: live.id, maxPoints: 100_000 });
    const snapshot = await client.nextOf('snapshot');
    expect(snapshot).toMatchObject({ id: 'sub-1', runId: live.id });
    // Nothing of the run came before its snapshot.
    expect(client.messages.slice(0, client.messages.indexOf(snapshot)).filter((m) => m.type === 'frame')).toEqual([]);
    expect(snapshot.seq).toBeGreaterThanOrEqual(50);
    expectAligned(snapshot);
    expect(snapshot.columns).toContain('loss');
    expect(snapshot.decimated).toBe(false);
    expect(snapshot.data[0]).toEqual(Array.from({ length: snapshot.seq }, (_, i) => i + 1));

    await sleep(2000);
    await stopAndSettle(client, f.manager, live);
    const outcome = await live.outcome;

    const frames = client.frames(live.id);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const last = assertContiguous(frames, snapshot.seq);
    frames.forEach(expectAligned);
    expectSeqIsStep(frames);
    // Every record the run made reached the client, exactly once.
    const stored = storedRows(f.store, live.id);
    expect(last).toBe(stored.size);
    expect(last).toBe(outcome.step);
    const compared = expectMatchesStore(f.store, live.id, [snapshot, ...frames]);
    expect(compared).toBe(last * (snapshot.columns.length - 1));
    // And the loss column specifically, as readSeries has it.
    const loss = f.store.readSeries(live.id, 'loss');
    const received = new Map<number, number | null>();
    for (const m of [snapshot, ...frames]) rowsOf(m).forEach((r) => received.set(r.step, r.values.get('loss') ?? null));
    expect([...received.keys()]).toEqual(loss.steps);
    expect(loss.steps.map((s) => received.get(s))).toEqual(loss.values);
    expect(client.invalid).toEqual([]);
  });

  it('gives a late joiner a snapshot at the current seq, then the same contiguous frames', async () => {
    const f = await setup();
    const live = f.start();
    await untilStep(live, 30);
    const a = await f.connect();
    a.send({ type: 'subscribe', runId: live.id, maxPoints: 100_000 });
    const snapA = await a.nextOf('snapshot');
    await sleep(500);

    const b = await f.connect();
    b.send({ type: 'subscribe', runId: live.id, maxPoints: 100_000 });
    const snapB = await b.nextOf('snapshot');
    const aFrames = a.frames(live.id);
    const aSeqNow = aFrames.length ? aFrames[aFrames.length - 1].toSeq : snapA.seq;
    // Within the frames in flight to A at that moment.
    const frameSize = Math.max(1, ...aFrames.map((fr) => fr.toSeq - fr.fromSeq + 1));
    expect(Math.abs(snapB.seq - aSeqNow)).toBeLessThanOrEqual(3 * frameSize);
    expect(snapB.seq).toBeGreaterThan(snapA.seq);

    await sleep(700);
    await stopAndSettle(a, f.manager, live);
    await b.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live));

    const lastA = assertContiguous(a.frames(live.id), snapA.seq);
    const lastB = assertContiguous(b.frames(live.id), snapB.seq);
    expect(b.frames(live.id).length).toBeGreaterThanOrEqual(1);
    expect(lastB).toBe(lastA);
    expect(lastA).toBe(storedRows(f.store, live.id).size);
    // B's snapshot is A's history up to snapB.seq.
    expect(snapB.decimated).toBe(false);
    const aRows = [snapA, ...a.frames(live.id)].flatMap(rowsOf).slice(0, snapB.seq);
    expect(rowsOf(snapB)).toEqual(aRows);
    expectMatchesStore(f.store, live.id, [snapB, ...b.frames(live.id)]);
  });

  it('resumes a subscription with sinceSeq: the next frame starts exactly at sinceSeq + 1', async () => {
    const f = await setup();
    const live = f.start();
    await untilStep(live, 20);
    const a = await f.connect();
    a.send({ type: 'subscribe', runId: live.id });
    const snap = await a.nextOf('snapshot');
    await a.nextOf('frame', (m) => m.runId === live.id && m.toSeq >= snap.seq + 20);

    a.send({ type: 'unsubscribe', id: 'u-1', runId: live.id });
    await a.nextOf('ack', (m) => m.id === 'u-1');
    const framesAtAck = a.frames(live.id).length;
    const since = assertContiguous(a.frames(live.id), snap.seq);
    await untilStep(live, since + 30);
    await sleep(100);
    expect(a.frames(live.id)).toHaveLength(framesAtAck); // unsubscribed: nothing more

    a.send({ type: 'subscribe', id: 's-2', runId: live.id, sinceSeq: since });
    const reply = await a.next((m) => (m.type === 'ack' || m.type === 'snapshot') && 'id' in m && m.id === 's-2');
    expect(reply.type).toBe('ack');
    const resumed = await a.nextOf('frame', (m) => m.runId === live.id);
    expect(resumed.fromSeq).toBe(since + 1);
    expect(resumed.toSeq).toBeGreaterThanOrEqual(since + 30);

    // A new connection can resume the same way.
    const b = await f.connect();
    b.send({ type: 'subscribe', id: 's-3', runId: live.id, sinceSeq: since - 10 });
    await b.nextOf('ack', (m) => m.id === 's-3');
    const first = await b.nextOf('frame', (m) => m.runId === live.id);
    expect(first.fromSeq).toBe(since - 9);

    await stopAndSettle(a, f.manager, live);
    await b.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live));
    const after = a.frames(live.id).slice(framesAtAck);
    const last = assertContiguous(after, since);
    expect(assertContiguous(b.frames(live.id), since - 10)).toBe(last);
    expect(last).toBe(storedRows(f.store, live.id).size);
    expectSeqIsStep([...a.frames(live.id), ...b.frames(live.id)]);
    expectMatchesStore(f.store, live.id, [...after, ...b.frames(live.id)]);
    expect(a.all('snapshot')).toHaveLength(1);
    expect(b.all('snapshot')).toHaveLength(0);
  });

  it('decimates the snapshot to maxPoints, keeping the extremes, then streams at full resolution', async () => {
    const f = await setup();
    const live = f.start();
    await untilStep(live, 200);
    const client = await f.connect();
    client.send({ type: 'subscribe', runId: live.id, maxPoints: 16 });
    const snap: Snapshot = await client.nextOf('snapshot');
    expect(snap.decimated).toBe(true);
    expectAligned(snap);
    expect(snap.data[0].length).toBeLessThanOrEqual(16);
    expect(snap.data[0].length).toBeGreaterThanOrEqual(2);
    // The first and the last recorded step bound the snapshot.
    expect(snap.data[0][0]).toBe(1);
    expect(snap.data[0][snap.data[0].length - 1]).toBe(snap.seq);
    await client.nextOf('frame', (m) => m.runId === live.id);
    await stopAndSettle(client, f.manager, live);

    const frames = client.frames(live.id);
    const last = assertContiguous(frames, snap.seq);
    expect(last).toBe(storedRows(f.store, live.id).size);
    expectSeqIsStep(frames);
    for (const name of ['loss', 'cos_1_1', 'wnorm_1']) {
      const { values } = f.store.readSeries(live.id, name, { to: snap.seq });
      const finite = values.filter((v): v is number => v !== null);
      const column = snap.data[snap.columns.indexOf(name)];
      expect(column, name).toContain(Math.min(...finite));
      expect(column, name).toContain(Math.max(...finite));
      // Every value shown is a value the run recorded in that range.
      for (const v of column) if (v !== null) expect(finite).toContain(v);
    }
    expectMatchesStore(f.store, live.id, frames);
  });
});

describe('detector events on the wire', () => {
  it('sends the events so far in the snapshot and later ones in the frames of the records that raised them, as stored', async () => {
    const f = await setup();
    // d = 16 learns fast: phase II and a dimensional collapse within a few hundred steps.
    const live = f.start();
    await untilStep(live, 20);
    await f.manager.control(live.id, 'pause');
    const client = await f.connect();
    client.send({ type: 'subscribe', runId: live.id, maxPoints: 100_000 });
    const snapshot = await client.nextOf('snapshot');
    const pausedAt = snapshot.data[0].at(-1)!;
    expect(snapshot.events.map((e) => e.label)).toContain('I');
    expect(snapshot.events.every((e) => e.runId === live.id && e.detectedAt <= pausedAt)).toBe(true);

    await f.manager.control(live.id, 'resume');
    await untilStep(live, 1500);
    await stopAndSettle(client, f.manager, live);
    const frames = client.frames(live.id);
    const framed = frames.flatMap((fr) => fr.events ?? []);
    expect(framed.map((e) => e.label)).toContain('dimensional-collapse');
    // Each event travels with the record that raised it: inside its frame's step range.
    for (const fr of frames) for (const e of fr.events ?? []) expect(fr.data[0]).toContain(e.detectedAt);
    expect([...snapshot.events, ...framed]).toEqual(f.store.readEvents(live.id));
  });
});
