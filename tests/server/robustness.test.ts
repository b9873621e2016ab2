import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { selectBackend } from '../../src/model/backend.js';
import { ErrorCode, MAX_MESSAGE_BYTES } from '../../src/server/protocol.js';
import { assertContiguous, sleep } from './client.js';
import { storedRows, untilStep, useServer } from './fixture.js';

const setup = useServer();

beforeAll(async () => {
  await selectBackend('wasm');
});

interface Hostile {
  readonly data: string | Buffer;
  readonly binary?: boolean;
  /** The error code the protocol gives this kind of message. */
  readonly code: string;
  /** The id the error must echo, when the message carried a usable one. */
  readonly id?: string;
}

/** 1,000 malformed or hostile messages, each of which must get exactly one error reply. */
function hostileMessages(liveId: number, missingId: number): Hostile[] {
  const { badJson, badMessage, tooLarge, unknownRun, badConfig } = ErrorCode;
  const huge = 'x'.repeat(200 * 1024);
  const templates: ((i: number) => Hostile)[] = [
    // not JSON
    () => ({ data: '{', code: badJson }),
    () => ({ data: 'not json', code: badJson }),
    () => ({ data: '', code: badJson }),
    () => ({ data: '   ', code: badJson }),
    () => ({ data: '{"type":"ping",}', code: badJson }),
    () => ({ data: "{'type':'ping'}", code: badJson }),
    () => ({ data: 'NaN', code: badJson }),
    () => ({ data: 'undefined', code: badJson }),
    () => ({ data: '\u0000\u0001', code: badJson }),
    () => ({ data: '{"type":"ping"}{"type":"ping"}', code: badJson }),
    // JSON, but not a message object
    () => ({ data: '[]', code: badMessage }),
    () => ({ data: '[{"type":"ping"}]', code: badMessage }),
    () => ({ data: '42', code: badMessage }),
    () => ({ data: '-1e309', code: badMessage }),
    () => ({ data: '"ping"', code: badMessage }),
    () => ({ data: 'true', code: badMessage }),
    () => ({ data: 'null', code: badMessage }),
    () => ({ data: '{}', code: badMessage }),
    // unknown types
    (i) => ({ data: JSON.stringify({ type: 'hello', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'pong', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'PING', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: '', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: null, id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 7, id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: '__proto__', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'constructor', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'toString', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    // wrong field types and out-of-range values
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: String(liveId) }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: 1.5 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: -1 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: 0 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: liveId, sinceSeq: -1 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: liveId, maxPoints: 15 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: liveId, maxPoints: 1e9 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: liveId, maxPoints: '16' }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: liveId, extra: true }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'explode' }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'PAUSE' }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: ['pause'] }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: 'steps=5' }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: [1, 2] }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, preset: 5 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: new Array(65).fill('steps=10') }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, name: 'n'.repeat(129) }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'resume', id: `h${i}`, runId: liveId, steps: 0 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'resume', id: `h${i}`, runId: liveId, steps: 2.5 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'ping', id: `h${i}`, at: Date.now() }), code: badMessage, id: `h${i}` }),
    () => ({ data: JSON.stringify({ type: 'ping', id: 5 }), code: badMessage }),
    () => ({ data: JSON.stringify({ type: 'list', id: {} }), code: badMessage }),
    (i) => ({ data: JSON.stringify({ type: 'ping', id: `${'i'.repeat(70)}${i}` }), code: badMessage, id: `${'i'.repeat(70)}${i}`.slice(0, 64) }),
    // prototype pollution attempts
    (i) => ({ data: `{"type":"ping","id":"h${i}","__proto__":{"polluted":true}}`, code: badMessage, id: `h${i}` }),
    (i) => ({ data: `{"type":"subscribe","id":"h${i}","runId":${liveId},"constructor":{"prototype":{"polluted":true}}}`, code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: ['__proto__.polluted=true'] }), code: badConfig, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: ['constructor.prototype.polluted=true'] }), code: badConfig, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, preset: '__proto__' }), code: badConfig, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, preset: 'hasOwnProperty' }), code: badConfig, id: `h${i}` }),
    // missing runId
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'unsubscribe', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, action: 'pause' }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'resume', id: `h${i}` }), code: badMessage, id: `h${i}` }),
    // unknown runs
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: missingId }), code: unknownRun, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'subscribe', id: `h${i}`, runId: 2 ** 31 }), code: unknownRun, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: missingId, action: 'pause' }), code: unknownRun, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: missingId, action: 'stop' }), code: unknownRun, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'resume', id: `h${i}`, runId: missingId }), code: unknownRun, id: `h${i}` }),
    // hostile but well-formed requests that must be refused
    (i) => ({ data: JSON.stringify({ type: 'resume', id: `h${i}`, runId: liveId }), code: 'E_USAGE', id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: ['steps=-5'] }), code: badConfig, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: ['data.d=1e9'] }), code: badConfig, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: ['no-equals-sign'] }), code: badConfig, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'start', id: `h${i}`, sets: ['nope.field=1'] }), code: badConfig, id: `h${i}` }),
    // absurd step counts
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'step', n: 0 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'step', n: -3 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'step', n: 1e7 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'step', n: 1e308 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'step', n: 2.5 }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: JSON.stringify({ type: 'control', id: `h${i}`, runId: liveId, action: 'step', n: 'five' }), code: badMessage, id: `h${i}` }),
    (i) => ({ data: `{"type":"control","id":"h${i}","runId":${liveId},"action":"step","n":1e999}`, code: badMessage, id: `h${i}` }),
    // huge payloads
    () => ({ data: JSON.stringify({ type: 'ping', id: huge }), code: tooLarge }),
    () => ({ data: huge, code: tooLarge }),
    () => ({ data: JSON.stringify({ type: 'start', sets: [huge] }), code: tooLarge }),
    () => ({ data: 'y'.repeat(MAX_MESSAGE_BYTES + 1), code: tooLarge }),
    // binary frames
    () => ({ data: Buffer.from(JSON.stringify({ type: 'ping', id: 'bin' })), binary: true, code: badMessage }),
    () => ({ data: Buffer.alloc(0), binary: true, code: badMessage }),
    () => ({ data: Buffer.from([0xff, 0xfe, 0x00, 0x80]), binary: true, code: badMessage }),
  ];
  return Array.from({ length: 1000 }, (_, i) => templates[i % templates.length](i));
}

describe('robustness', () => {
  it('answers 1,000 malformed or hostile messages with 1,000 errors while another viewer streams on', async () => {
    const f = await setup();
    const live = f.start();
    await untilStep(live, 20);
    const watcher = await f.connect();
    watcher.send({ type: 'subscribe', runId: live.id });
    const snap = await watcher.nextOf('snapshot');
    const attacker = await f.connect();
    await attacker.nextOf('welcome');
    const runsBefore = f.store.listRuns();
    const stepBefore = live.run.state.step;
    const framesBefore = watcher.frames(live.id).length;

    const storm = hostileMessages(live.id, 424242);
    expect(storm).toHaveLength(1000);
    for (const [i, message] of storm.entries()) {
      attacker.sendRaw(message.data, message.binary ?? false);
      if (i % 100 === 99) await sleep(5);
    }
    attacker.send({ type: 'ping', id: 'after-storm' });
    await attacker.nextOf('pong', (m) => m.id === 'after-storm', 20_000);

    const errors = attacker.all('error');
    expect(errors).toHaveLength(1000);
    errors.forEach((error, i) => {
      expect(error.code, `reply ${i} to ${String(storm[i].data).slice(0, 80)}`).toBe(storm[i].code);
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.id, `id of reply ${i}`).toBe(storm[i].id);
    });
    // Nothing but errors (and broadcasts) came back; nothing was started, stopped or paused.
    expect(attacker.messages.filter((m) => !['error', 'status', 'runs', 'welcome', 'pong'].includes(m.type))).toEqual([]);
    expect(attacker.isOpen).toBe(true);
    expect(attacker.invalid).toEqual([]);
    expect(f.store.listRuns().map((r) => r.id)).toEqual(runsBefore.map((r) => r.id));
    expect(live.run.control.state).toBe('running');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Meanwhile the run kept going and the watcher kept getting every record.
    await untilStep(live, stepBefore + 100);
    await watcher.until(() => watcher.frames(live.id).length > framesBefore + 3, 5000, 'frames after the storm');
    await attacker.roundTrip();
    await live.run.command('stop');
    await live.outcome;
    await watcher.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live));
    expect(assertContiguous(watcher.frames(live.id), snap.seq)).toBe(storedRows(f.store, live.id).size);
  });

  it('drops a stalled viewer with a resync while a normal viewer gets every frame', async () => {
    const f = await setup({ hub: { frameMs: 20, highWaterBytes: 16 * 1024, maxBehind: 200, heartbeatMs: 120_000 } });
    // Big records, fast: the paper's Adam setup at m = 32 makes ≈ 290 series (≈ 9 KB) per step.
    const live = f.start(resolveConfig({ preset: 'paper-64', sets: ['model.m=32', 'data.d=16', 'data.batchSize=16', 'log.metricsEvery=1', 'steps=100000'] }));
    const slow = await f.connect();
    const normal = await f.connect();
    slow.send({ type: 'subscribe', runId: live.id });
    normal.send({ type: 'subscribe', runId: live.id });
    const slowSnap = await slow.nextOf('snapshot');
    const normalSnap = await normal.nextOf('snapshot');
    expect(slowSnap.columns.length).toBeGreaterThan(250);

    slow.ws.pause();
    const stepAtPause = live.run.state.step;
    // White-box wait: the hub's viewer for `slow` loses its subscription when the resync is queued.
    const viewers = (f.server.hub as unknown as { viewers: Set<{ subscriptions: Map<number, number> }> }).viewers;
    const deadline = Date.now() + 40_000;
    while ([...viewers].every((v) => v.subscriptions.has(live.id))) {
      if (Date.now() > deadline) throw new Error('the stalled viewer was never dropped');
      await sleep(100);
    }
    const stepAtDrop = live.run.state.step;
    expect(stepAtDrop).toBeGreaterThan(stepAtPause + 200); // the run kept training while a viewer stalled
    // The normal viewer kept up all along.
    const normalSeqAtDrop = assertContiguous(normal.frames(live.id), normalSnap.seq);
    expect(normalSeqAtDrop).toBeGreaterThan(slowSnap.seq + 200);

    slow.ws.resume();
    const resync = await slow.nextOf('resync', (m) => m.runId === live.id, 20_000);
    expect(resync.reason.length).toBeGreaterThan(0);
    const resyncIndex = slow.messages.indexOf(resync);
    const beforeResync = slow.messages.slice(0, resyncIndex).filter((m) => m.type === 'frame' && m.runId === live.id);
    const slowLast = assertContiguous(beforeResync as never, slowSnap.seq);
    expect(slowLast).toBeLessThan(normalSeqAtDrop);
    // After the resync: no frames for the run until it subscribes again, though frames flow.
    const normalCount = normal.frames(live.id).length;
    await normal.until(() => normal.frames(live.id).length >= normalCount + 3, 10_000, 'more frames for the normal viewer');
    await slow.roundTrip();
    expect(slow.messages.slice(resyncIndex).filter((m) => m.type === 'frame')).toEqual([]);
    expect(slow.isOpen).toBe(true);

    slow.send({ type: 'subscribe', id: 'again', runId: live.id });
    const again = await slow.nextOf('snapshot', (m) => m.id === 'again');
    await slow.nextOf('frame', (m) => m.runId === live.id && m.fromSeq === again.seq + 1, 10_000);

    await live.run.command('stop');
    await live.outcome;
    await normal.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live), 10_000);
    await slow.nextOf('runs', (m) => m.runs.some((r) => r.id === live.id && !r.live), 10_000);
    const total = storedRows(f.store, live.id).size;
    expect(assertContiguous(normal.frames(live.id), normalSnap.seq)).toBe(total);
    const afterAgain = slow.messages.slice(slow.messages.indexOf(again)).filter((m) => m.type === 'frame' && m.runId === live.id);
    expect(assertContiguous(afterAgain as never, again.seq)).toBe(total);
    expect(normal.all('resync')).toEqual([]);
  }, 90_000);

  it('disconnects a viewer that does not answer pings and keeps one that does', async () => {
    const f = await setup({ hub: { heartbeatMs: 100 } });
    const silent = await f.connect({ autoPong: false });
    const normal = await f.connect();
    await silent.nextOf('welcome');
    await normal.nextOf('welcome');
    const started = Date.now();
    const code = await Promise.race([silent.closed, sleep(1500).then(() => 'still open after 1.5 s')]);
    expect(code).toBe(1006); // terminated, no close handshake
    expect(Date.now() - started).toBeLessThan(1500);
    await sleep(500);
    expect(normal.isOpen).toBe(true);
    await normal.roundTrip();
    expect(f.server.hub.viewerCount).toBe(1);
  });
});

describe('malformed request targets (server in a child process)', () => {
  const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serveInChild(readToken?: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-child-'));
    dirs.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/server/serve-child.ts', path.join(dir, 'runs.db'), ...(readToken ? [readToken] : [])], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /listening (\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
    });
    return { child, url, exited };
  }

  /** Sends a raw request head and returns the status line of the answer ('' when the connection just closes). */
  function rawRequest(url: string, head: string): Promise<string> {
    const { port } = new URL(url);
    return new Promise((resolve) => {
      let answer = '';
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(head));
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      const done = () => resolve(answer.split('\r\n')[0]);
      socket.on('close', done);
      socket.on('error', done);
      setTimeout(() => socket.destroy(), 2000);
    });
  }

  const upgradeHeaders = 'Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

  it('refuses a WebSocket upgrade with an unparsable target and keeps serving', async () => {
    const { url, exited } = await serveInChild();
    const status = await rawRequest(url, `GET //[ HTTP/1.1\r\n${upgradeHeaders}`);
    const crashed = await Promise.race([exited.then(() => true), sleep(300).then(() => false)]);
    expect(crashed, 'the server process died').toBe(false);
    expect(status).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect((await fetch(`${url}api/runs`)).status).toBe(200);
  });

  it('refuses a request with an unparsable target on a server with tokens and keeps serving', async () => {
    const { url, exited } = await serveInChild('r');
    const status = await rawRequest(url, 'GET //[ HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const crashed = await Promise.race([exited.then(() => true), sleep(300).then(() => false)]);
    expect(crashed, 'the server process died').toBe(false);
    expect(status).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect((await fetch(`${url}api/runs?token=r`)).status).toBe(200);
  });
});
