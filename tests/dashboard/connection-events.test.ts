import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import type { RunEvents } from '../../src/dashboard/shared/phase-events.js';
import { PROTOCOL_VERSION, type PhaseEventMessage } from '../../src/server/protocol.js';

/**
 * The ConnectionController's handling of detector events, driven message by message through a
 * fake socket (no browser, no server): snapshot events are held but not announced, new phase and
 * state events from frames are announced once each, plug-in events once each wherever they come
 * from, and a resync starts the run's events over.
 */

/** The part of ConnectionController used here. */
interface Controller {
  notices: { text: string; level: string; code?: string; count: number }[];
  hostConnected(): void;
  hostDisconnected(): void;
  watch(runId: number | null): void;
  eventsFor(runId: number): RunEvents | undefined;
}
type ControllerClass = new (host: ReactiveControllerHost, options: { url: string; WebSocket: unknown }) => Controller;

// Imported by a path the type checker does not follow: the controller needs the DOM's types,
// which the Node type check of tests/ (tsconfig.json) does not have; the dashboard's own type
// check (tsconfig.dashboard.json) covers the controller.
const CONTROLLER_MODULE = '../../src/dashboard/connection/connection.controller.js';
const { ConnectionController } = (await import(CONTROLLER_MODULE)) as { ConnectionController: ControllerClass };

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static last: FakeSocket | null = null;
  readyState = FakeSocket.CONNECTING;
  readonly sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = FakeSocket.CLOSED;
  }
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  deliver(message: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const RUN = 3;
const run = {
  id: RUN,
  name: 'default',
  preset: 'default',
  status: 'running',
  step: 0,
  targetSteps: 10_000,
  seed: 1,
  backend: 'cpu',
  live: true,
  parentId: null,
  forkStep: null,
  createdAt: '2025-01-01T00:00:00Z',
};

function ev(kind: PhaseEventMessage['kind'], label: string, step: number, extra: Partial<PhaseEventMessage> = {}): PhaseEventMessage {
  return {
    runId: RUN,
    kind,
    detector: kind === 'change-point' ? 'bocpd' : 'theory',
    step,
    detectedAt: step,
    label,
    phase: 'I',
    series: kind === 'change-point' ? 'loss' : null,
    confidence: 0.7,
    evidence: {},
    message: `${label} at ${step}`,
    ...extra,
  };
}

const columns = ['step', 'loss'];
function snapshot(seq: number, events: PhaseEventMessage[]) {
  const steps = Array.from({ length: seq }, (_, i) => (i + 1) * 10);
  return { type: 'snapshot', runId: RUN, seq, columns, data: [steps, steps.map(() => 1.5)], decimated: false, events };
}
function frame(fromSeq: number, toSeq: number, events?: PhaseEventMessage[]) {
  const steps = Array.from({ length: toSeq - fromSeq + 1 }, (_, i) => (fromSeq + i) * 10);
  return { type: 'frame', runId: RUN, fromSeq, toSeq, columns, data: [steps, steps.map(() => 1.4)], ...(events ? { events } : {}) };
}

let conn: Controller;
let socket: FakeSocket;

beforeEach(() => {
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('requestAnimationFrame', (cb: () => void) => setTimeout(cb, 0) as unknown as number);
  vi.stubGlobal('cancelAnimationFrame', (id: number) => clearTimeout(id));
  const host = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) } as ReactiveControllerHost;
  conn = new ConnectionController(host, { url: 'ws://test/ws', WebSocket: FakeSocket });
  conn.hostConnected();
  socket = FakeSocket.last!;
  socket.open();
  socket.deliver({ type: 'welcome', version: PROTOCOL_VERSION, access: 'read', runs: [run] });
  conn.watch(RUN);
});

afterEach(() => {
  conn.hostDisconnected();
  vi.unstubAllGlobals();
});

const labels = () => conn.eventsFor(RUN)?.events.map((e) => `${e.kind}:${e.label}@${e.step}`) ?? [];
const phaseNotices = () => conn.notices.filter((n) => n.code === 'PHASE' || n.code === 'STATE').map((n) => n.text);

describe('ConnectionController: detector events', () => {
  it('holds a snapshot’s events without announcing them', () => {
    socket.deliver(snapshot(60, [ev('phase', 'I', 10), ev('phase', 'II', 600, { phase: 'II' })]));
    expect(labels()).toEqual(['phase:I@10', 'phase:II@600']);
    expect(phaseNotices()).toEqual([]);
    expect(conn.notices).toEqual([]);
  });

  it('announces each new phase or state event from a frame once, and never a change point', () => {
    socket.deliver(snapshot(60, [ev('phase', 'I', 10)]));
    socket.deliver(frame(61, 62, [ev('change-point', 'down', 590), ev('phase', 'II', 620, { phase: 'II', message: 'neuron 1 learned v₁ (|c| = 0.71)' })]));
    expect(labels()).toEqual(['phase:I@10', 'change-point:down@590', 'phase:II@620']);
    expect(phaseNotices()).toEqual(['Run 3 entered phase II at step 620 — neuron 1 learned v₁ (|c| = 0.71)']);

    // An overlapping frame (records 62–63) repeats phase II: kept once, not announced again.
    socket.deliver(frame(62, 63, [ev('phase', 'II', 620, { phase: 'II', message: 'neuron 1 learned v₁ (|c| = 0.71)' })]));
    // A duplicate frame (nothing new) is dropped whole.
    socket.deliver(frame(61, 62, [ev('phase', 'II', 620, { phase: 'II' })]));
    expect(labels()).toEqual(['phase:I@10', 'change-point:down@590', 'phase:II@620']);
    expect(phaseNotices()).toHaveLength(1);
    expect(conn.notices[0].count).toBe(1);

    socket.deliver(frame(64, 64, [ev('state', 'stalled-II', 2400, { phase: 'II' })]));
    expect(conn.notices.at(-1)).toMatchObject({ level: 'warning', code: 'STATE' });
  });

  it('starts over on a resync: the fresh snapshot brings every event once and announces none', () => {
    socket.deliver(snapshot(60, [ev('phase', 'I', 10)]));
    socket.deliver(frame(61, 61, [ev('phase', 'II', 610, { phase: 'II' })]));
    expect(phaseNotices()).toHaveLength(1);

    socket.deliver({ type: 'resync', runId: RUN, reason: 'too slow' });
    expect(labels()).toEqual([]);
    // The client subscribed again without sinceSeq; the server answers with a full snapshot.
    expect(socket.sent.filter((m) => m.type === 'subscribe').at(-1)).not.toHaveProperty('sinceSeq');
    socket.deliver(snapshot(80, [ev('phase', 'I', 10), ev('phase', 'II', 610, { phase: 'II' }), ev('change-point', 'down', 700)]));
    socket.deliver(frame(81, 81, [ev('change-point', 'down', 700)]));
    expect(labels()).toEqual(['phase:I@10', 'phase:II@610', 'change-point:down@700']);
    expect(phaseNotices()).toHaveLength(1);
  });

  it('announces a plug-in’s trouble once, from a frame or from a snapshot, naming the plug-in', () => {
    const plugin = (label: string, step: number, name: string) =>
      ev('plugin', label, step, {
        detector: 'plugin',
        series: name,
        message: `metric plug-in "${name}" at step ${step}: ${label === 'slow' ? 'takes 40.0 ms per call (budget 25 ms): now computed every 20 steps' : 'threw Error: boom; switched off, the run goes on'}`,
      });
    // In a snapshot too: nothing else on the page shows it.
    socket.deliver(snapshot(60, [ev('phase', 'I', 10), plugin('error', 120, 'headAsym')]));
    socket.deliver(frame(61, 61, [plugin('slow', 610, 'signalShare')]));
    const pluginNotices = () => conn.notices.filter((n) => n.code === 'PLUGIN');
    expect(pluginNotices().map((n) => [n.level, n.text])).toEqual([
      ['error', 'Run 3: metric plug-in "headAsym" at step 120: threw Error: boom; switched off, the run goes on'],
      ['warning', 'Run 3: metric plug-in "signalShare" at step 610: takes 40.0 ms per call (budget 25 ms): now computed every 20 steps'],
    ]);
    // A resync brings them again: not announced twice.
    socket.deliver({ type: 'resync', runId: RUN, reason: 'too slow' });
    socket.deliver(snapshot(70, [ev('phase', 'I', 10), plugin('error', 120, 'headAsym'), plugin('slow', 610, 'signalShare')]));
    expect(pluginNotices().map((n) => n.count)).toEqual([1, 1]);
    expect(phaseNotices()).toEqual([]);
  });

  it('ignores the events of a run it no longer watches', () => {
    socket.deliver(snapshot(60, [ev('phase', 'I', 10)]));
    conn.watch(null);
    socket.deliver(frame(61, 61, [ev('phase', 'II', 610, { phase: 'II' })]));
    expect(labels()).toEqual(['phase:I@10']);
    expect(phaseNotices()).toEqual([]);
  });
});
