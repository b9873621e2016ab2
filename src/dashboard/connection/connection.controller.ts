import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { z } from 'zod';
import {
  ClientMessageSchema,
  PROTOCOL_VERSION,
  ServerMessageSchema,
  type ClientMessage,
  type ControlAction,
  type PhaseEventMessage,
  type RunSummary,
  type ServerMessage,
} from '../../server/protocol.js';
import { eventKey, RunEvents } from '../shared/phase-events.js';
import { eventNotice } from '../shared/phase-timeline.js';
import { RunSeries } from '../shared/run-series.js';
import { describeIssues } from '../shared/zod-issues.js';

export type Access = 'read' | 'control';
export type ConnectionState = 'connecting' | 'open' | 'closed';
export type RunStatus = Extract<ServerMessage, { type: 'status' }>;
export type Action = z.infer<typeof ControlAction>;

/** The outcome of a request: the server's `ack` (with the run it concerns) or its `error`. */
export type Reply = { ok: true; runId?: number } | { ok: false; code: string; message: string };

/** A message for the user (an error from the server, an ignored message, a failed request). */
export interface Notice {
  readonly id: number;
  readonly level: 'error' | 'warning' | 'info';
  readonly text: string;
  readonly code?: string;
  /** How many times the same text came in (shown as ×n instead of a pile of copies). */
  count: number;
}

export interface ConnectionOptions {
  /** The WebSocket URL (`ws://host/ws?token=…`). */
  readonly url: string;
  /** Points per series asked for in snapshots. */
  readonly snapshotPoints?: number;
  /** First and longest reconnect delay, ms (doubling with jitter in between). */
  readonly backoffMs?: readonly [number, number];
  /** An application-level ping every this many ms… */
  readonly pingEveryMs?: number;
  /** …and a connection silent for this long is treated as dead. */
  readonly staleAfterMs?: number;
  /** The server must say `welcome` within this long after the socket opens. */
  readonly welcomeTimeoutMs?: number;
  /** A request without `ack`/`error` by then resolves as a timeout. */
  readonly requestTimeoutMs?: number;
  /** Runs whose data is kept after they are no longer watched (re-watching resumes with sinceSeq). */
  readonly cachedRuns?: number;
  readonly WebSocket?: new (url: string) => WebSocket;
}

const DEFAULTS = {
  // About 2× the width of a wide chart: min/max decimation keeps every extreme at that size.
  snapshotPoints: 2000,
  backoffMs: [500, 10_000] as const,
  pingEveryMs: 15_000,
  staleAfterMs: 45_000,
  welcomeTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  cachedRuns: 4,
};

const MAX_NOTICES = 5;
/** After a gap we re-subscribe once; another gap within this window does not re-subscribe again. */
const RESUBSCRIBE_GRACE_MS = 5_000;

interface Pending {
  readonly kind: ClientMessage['type'];
  readonly runId?: number;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly resolve: (reply: Reply) => void;
}

/**
 * Owns the dashboard's WebSocket to the server and the state it carries: connection state,
 * access level, the run list, per-run status and, for every watched run, its columnar history
 * (RunSeries) with the last seq received.
 *
 * Every message is checked with `ServerMessageSchema.safeParse`; an invalid one is ignored and
 * reported as a notice, never thrown. The socket reconnects with exponential backoff and, once
 * welcomed again, re-subscribes each watched run with `sinceSeq` so only the missing records
 * come. Frames must be contiguous (fromSeq = lastSeq + 1): a duplicate is dropped, an overlap is
 * trimmed, a gap re-subscribes; `resync` discards the run's data and subscribes afresh.
 *
 * The host re-renders at most once per animation frame, however many messages arrive.
 *
 * @example
 * class App extends LitElement {
 *   private conn = new ConnectionController(this, { url: webSocketUrl() });
 *   render() { return html`${this.conn.runs.map((r) => r.name)}`; }
 * }
 */
export class ConnectionController implements ReactiveController {
  state: ConnectionState = 'closed';
  /** What this connection may do; null until welcomed. */
  access: Access | null = null;
  /** Whether the current socket has been welcomed (requests are possible). */
  welcomed = false;
  runs: RunSummary[] = [];
  readonly statuses = new Map<number, RunStatus>();
  readonly series = new Map<number, RunSeries>();
  /** The detector events of every run whose data is held (same lifetime as `series`). */
  readonly events = new Map<number, RunEvents>();
  notices: Notice[] = [];
  /** When the next reconnect attempt is due (epoch ms), while closed. */
  retryAt: number | null = null;
  /** Bumped whenever the run list or statuses change (for hosts that memoise). */
  revision = 0;
  readonly stats = { messages: 0, invalid: 0, connects: 0, resubscribes: 0, resyncs: 0 };

  private readonly options: Required<Omit<ConnectionOptions, 'WebSocket'>> & Pick<ConnectionOptions, 'WebSocket'>;
  private socket: WebSocket | null = null;
  private readonly subscriptions = new Set<number>();
  private readonly pending = new Map<string, Pending>();
  private readonly resubscribing = new Map<number, number>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private welcomeTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastMessageAt = 0;
  private requestCounter = 0;
  private noticeCounter = 0;
  private updateFrame = 0;
  private active = false;
  private versionWarned = false;
  /** The plug-in events already announced (eventKey), so a reload of the run's events does not repeat them. */
  private readonly announcedPluginEvents = new Set<string>();

  constructor(
    private readonly host: ReactiveControllerHost,
    options: ConnectionOptions,
  ) {
    this.options = { ...DEFAULTS, ...options };
    host.addController(this);
  }

  hostConnected(): void {
    if (this.active) return;
    this.active = true;
    this.connect();
  }

  hostDisconnected(): void {
    this.active = false;
    clearTimeout(this.retryTimer);
    this.retryAt = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) this.closed(socket, 1000, 'page closed');
    try {
      socket?.close(1000, 'page closed');
    } catch {
      /* already closed */
    }
    if (this.updateFrame) cancelAnimationFrame(this.updateFrame);
    this.updateFrame = 0;
  }

  // ----- reading state ---------------------------------------------------------------------

  get connected(): boolean {
    return this.state === 'open' && this.welcomed;
  }

  get canControl(): boolean {
    return this.connected && this.access === 'control';
  }

  run(runId: number): RunSummary | undefined {
    return this.runs.find((r) => r.id === runId);
  }

  dataFor(runId: number): RunSeries | undefined {
    return this.series.get(runId);
  }

  eventsFor(runId: number): RunEvents | undefined {
    return this.events.get(runId);
  }

  /** Whether the run's data is being (re)loaded: watched, but no snapshot yet. */
  loading(runId: number): boolean {
    return this.subscriptions.has(runId) && (this.series.get(runId)?.lastSeq ?? null) === null;
  }

  // ----- commands -----------------------------------------------------------------------------

  /** Watches exactly this run (or none): subscribes to it and unsubscribes from the others. */
  watch(runId: number | null): void {
    for (const id of [...this.subscriptions]) if (id !== runId) this.unsubscribe(id);
    if (runId !== null) this.subscribe(runId);
  }

  subscribe(runId: number): void {
    if (this.subscriptions.has(runId)) return;
    this.subscriptions.add(runId);
    this.touchCache(runId);
    if (this.connected) this.sendSubscribe(runId, false);
  }

  unsubscribe(runId: number): void {
    if (!this.subscriptions.delete(runId)) return;
    this.resubscribing.delete(runId);
    if (this.connected) this.send({ type: 'unsubscribe', runId });
  }

  control(runId: number, action: Action, n?: number): Promise<Reply> {
    return this.request({ type: 'control', id: this.nextId(), runId, action, ...(n !== undefined ? { n } : {}) });
  }

  /** Starts a run; `plugins` names metric plug-in modules the server has loaded (`GET /api/plugins`). */
  start(request: { preset?: string; sets?: string[]; name?: string; plugins?: string[] }): Promise<Reply> {
    return this.request({ type: 'start', id: this.nextId(), ...request });
  }

  /**
   * Branches a run with a config patch: a live run at its current step when `at` is left out,
   * any run at one of its checkpoint steps. The reply's runId is the new branch.
   */
  branch(request: { runId: number; at?: number; sets?: string[]; steps?: number; name?: string }): Promise<Reply> {
    return this.request({ type: 'branch', id: this.nextId(), ...request });
  }

  /** Gives a live run a rule: branch with `sets` the first time a detector event matches `on`. */
  branchOn(request: { runId: number; on: string; sets?: string[] }): Promise<Reply> {
    return this.request({ type: 'branch-on', id: this.nextId(), ...request });
  }

  resume(runId: number, steps?: number): Promise<Reply> {
    return this.request({ type: 'resume', id: this.nextId(), runId, ...(steps !== undefined ? { steps } : {}) });
  }

  /** Asks for the run list now (the server also pushes it on every change). */
  list(): void {
    if (this.connected) this.send({ type: 'list' });
  }

  /** Reconnects at once (a "retry now" button). */
  retryNow(): void {
    if (!this.active || this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  /** Shows a notice; repeated text increments the count of the existing one. */
  notify(text: string, level: Notice['level'] = 'error', code?: string): void {
    const same = this.notices.find((n) => n.text === text && n.level === level);
    if (same) {
      same.count++;
      this.notices = [...this.notices];
    } else {
      this.notices = [...this.notices, { id: ++this.noticeCounter, level, text, code, count: 1 }].slice(-MAX_NOTICES);
    }
    this.requestHostUpdate();
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.requestHostUpdate();
  }

  // ----- the socket ---------------------------------------------------------------------------

  private connect(): void {
    if (!this.active) return;
    clearTimeout(this.retryTimer);
    this.retryAt = null;
    this.state = 'connecting';
    this.welcomed = false;
    this.requestHostUpdate();
    let socket: WebSocket;
    try {
      const Impl = this.options.WebSocket ?? WebSocket;
      socket = new Impl(this.options.url);
    } catch (error) {
      // Not the URL itself: it may carry the access token.
      this.notify(`Cannot open the connection to the server: ${(error as Error).message}`);
      this.state = 'closed';
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.stats.connects++;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.lastMessageAt = Date.now();
      clearTimeout(this.welcomeTimer);
      this.welcomeTimer = setTimeout(() => {
        if (this.socket === socket && !this.welcomed) this.drop(socket, 'the server did not say welcome');
      }, this.options.welcomeTimeoutMs);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket === socket) this.receive(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.closed(socket, event.code, event.reason);
    };
    // An error is always followed by close; the close handler does the work.
    socket.onerror = () => {};
  }

  /** Gives up on a socket that is open but useless (no welcome, silent for too long). */
  private drop(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    try {
      socket.close(4000, reason.slice(0, 100));
    } catch {
      /* already closing */
    }
    this.closed(socket, 4000, reason);
  }

  private closed(_socket: WebSocket, code: number, reason: string): void {
    this.state = 'closed';
    this.welcomed = false;
    clearTimeout(this.welcomeTimer);
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    this.resubscribing.clear();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ ok: false, code: 'E_DISCONNECTED', message: 'the connection to the server was lost' });
      this.pending.delete(id);
    }
    // 1008 (policy) and 44xx are the server refusing us (a bad token); say so once per closing.
    if (code === 1008 || (code >= 4400 && code < 4500)) {
      this.notify(`The server refused the connection${reason ? `: ${reason}` : ''} (code ${code})`, 'error', 'E_FORBIDDEN');
    } else if (code === 4000 && reason) {
      this.notify(`Reconnecting: ${reason}`, 'warning');
    }
    if (this.active) this.scheduleReconnect();
    this.requestHostUpdate();
  }

  private scheduleReconnect(): void {
    const [min, max] = this.options.backoffMs;
    const base = Math.min(max, min * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    this.attempt++;
    this.retryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.requestHostUpdate();
  }

  private startPing(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket || !this.welcomed) return;
      if (Date.now() - this.lastMessageAt > this.options.staleAfterMs) {
        this.drop(socket, 'the server went silent');
        return;
      }
      this.send({ type: 'ping', id: this.nextId() });
    }, this.options.pingEveryMs);
  }

  private send(message: ClientMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    // Our own messages are checked too: a bug here should say so, not be refused silently.
    const checked = ClientMessageSchema.safeParse(message);
    if (!checked.success) {
      this.notify(`Not sent (invalid ${message.type} message): ${describeIssues(checked.error)}`, 'error', 'E_CLIENT');
      return false;
    }
    socket.send(JSON.stringify(checked.data));
    return true;
  }

  private request(message: ClientMessage & { id?: string }): Promise<Reply> {
    if (!this.connected) return Promise.resolve({ ok: false, code: 'E_DISCONNECTED', message: 'not connected to the server' });
    const id = message.id ?? this.nextId();
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, code: 'E_TIMEOUT', message: `no answer from the server within ${Math.round(this.options.requestTimeoutMs / 1000)} s` });
      }, this.options.requestTimeoutMs);
      this.pending.set(id, { kind: message.type, runId: 'runId' in message ? message.runId : undefined, timer, resolve });
      if (!this.send({ ...message, id })) {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ ok: false, code: 'E_CLIENT', message: 'the message could not be sent' });
      }
    });
  }

  private sendSubscribe(runId: number, fresh: boolean): void {
    const series = this.ensureSeries(runId);
    const sinceSeq = !fresh && series.lastSeq !== null ? series.lastSeq : undefined;
    const id = this.nextId();
    const timer = setTimeout(() => this.pending.delete(id), this.options.requestTimeoutMs);
    this.pending.set(id, {
      kind: 'subscribe',
      runId,
      timer,
      resolve: (reply) => {
        if (reply.ok || reply.code === 'E_DISCONNECTED') return;
        this.notify(`Cannot watch run #${runId}: ${reply.message}`, 'error', reply.code);
        // A run the server does not know would be asked for again on every reconnect.
        if (reply.code === 'E_UNKNOWN_RUN') this.subscriptions.delete(runId);
      },
    });
    this.send({ type: 'subscribe', id, runId, maxPoints: this.options.snapshotPoints, ...(sinceSeq !== undefined ? { sinceSeq } : {}) });
  }

  private resubscribe(runId: number, fresh: boolean): void {
    const since = this.resubscribing.get(runId);
    if (since !== undefined && Date.now() - since < RESUBSCRIBE_GRACE_MS) return;
    this.resubscribing.set(runId, Date.now());
    this.stats.resubscribes++;
    this.sendSubscribe(runId, fresh);
  }

  private settle(id: string | undefined, reply: Reply): boolean {
    if (id === undefined) return false;
    const pending = this.pending.get(id);
    if (!pending) return false;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    pending.resolve(reply);
    return true;
  }

  // ----- incoming -------------------------------------------------------------------------------

  private receive(raw: unknown): void {
    this.lastMessageAt = Date.now();
    this.stats.messages++;
    if (typeof raw !== 'string') {
      this.invalid('(binary)', 'a binary message; the protocol is JSON text');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.invalid('(not JSON)', `cannot parse ${JSON.stringify(raw.slice(0, 40))}`);
      return;
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      const type = json && typeof json === 'object' && typeof (json as { type?: unknown }).type === 'string' ? (json as { type: string }).type : '(no type)';
      this.invalid(type, describeIssues(parsed.error));
      return;
    }
    try {
      this.handle(parsed.data);
    } catch (error) {
      // A bug in handling one message must not take the dashboard down.
      console.error('phasewatch: failed to handle', parsed.data.type, error);
      this.notify(`Could not handle a "${parsed.data.type}" message: ${(error as Error).message}`, 'error');
    }
    this.requestHostUpdate();
  }

  private invalid(type: string, detail: string): void {
    this.stats.invalid++;
    console.warn(`phasewatch: ignored an invalid "${type}" message from the server: ${detail}`);
    this.notify(`Ignored an invalid "${type}" message from the server: ${detail}`, 'warning', 'E_BAD_MESSAGE');
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.welcome(message);
      case 'runs':
        this.runs = message.runs;
        this.revision++;
        return;
      case 'status':
        this.statuses.set(message.runId, message);
        this.revision++;
        return;
      case 'snapshot': {
        this.settle(message.id, { ok: true, runId: message.runId });
        if (!this.subscriptions.has(message.runId)) return;
        this.ensureSeries(message.runId).replace(message.columns, message.data, message.seq, message.decimated);
        // History, not news: a snapshot's events are shown but not announced…
        this.ensureEvents(message.runId).replace(message.events);
        // …except a plug-in's trouble, which nothing else on the page shows (its chart just stops).
        this.announcePluginEvents(message.events);
        this.resubscribing.delete(message.runId);
        return;
      }
      case 'frame':
        return this.frame(message);
      case 'resync': {
        this.stats.resyncs++;
        this.series.get(message.runId)?.clear();
        this.events.get(message.runId)?.clear();
        this.resubscribing.delete(message.runId);
        if (this.subscriptions.has(message.runId)) this.resubscribe(message.runId, true);
        return;
      }
      case 'ack':
        this.settle(message.id, { ok: true, runId: message.runId });
        return;
      case 'pong':
        return;
      case 'error': {
        if (this.settle(message.id, { ok: false, code: message.code, message: message.message })) return;
        this.notify(message.message, 'error', message.code);
        return;
      }
    }
  }

  private welcome(message: Extract<ServerMessage, { type: 'welcome' }>): void {
    clearTimeout(this.welcomeTimer);
    if (message.version !== PROTOCOL_VERSION && !this.versionWarned) {
      this.versionWarned = true;
      this.notify(`The server speaks protocol version ${message.version}; this dashboard was built for ${PROTOCOL_VERSION}.`, 'warning');
    }
    this.state = 'open';
    this.welcomed = true;
    this.attempt = 0;
    this.access = message.access;
    this.runs = message.runs;
    this.revision++;
    this.startPing();
    for (const runId of this.subscriptions) this.sendSubscribe(runId, false);
  }

  private frame(message: Extract<ServerMessage, { type: 'frame' }>): void {
    if (!this.subscriptions.has(message.runId)) return;
    const series = this.ensureSeries(message.runId);
    const last = series.lastSeq;
    if (last === null) {
      // No snapshot yet: only a run's very first record can start the history.
      if (message.fromSeq !== 1) return;
      series.append(message.columns, message.data, message.toSeq);
      this.frameEvents(message);
      this.resubscribing.delete(message.runId);
      return;
    }
    if (message.toSeq <= last) return; // a duplicate
    if (message.fromSeq > last + 1) {
      this.resubscribe(message.runId, false); // a gap: ask for what is missing
      return;
    }
    series.append(message.columns, message.data, message.toSeq, last + 1 - message.fromSeq);
    this.frameEvents(message);
    this.resubscribing.delete(message.runId);
  }

  /** Holds a frame's events and announces the phase, state and plug-in events among them that are new here. */
  private frameEvents(message: Extract<ServerMessage, { type: 'frame' }>): void {
    // An overlapping frame may repeat events already held: only the new ones come back.
    const fresh = this.ensureEvents(message.runId).append(message.events);
    for (const event of fresh) {
      if (event.kind === 'plugin') {
        this.announcePluginEvents([event]);
        continue;
      }
      const notice = eventNotice(event);
      if (notice) this.notify(notice.text, notice.level, event.kind === 'phase' ? 'PHASE' : 'STATE');
    }
  }

  /** Announces each plug-in event once per page, whether it came in a frame or (again, after a resync) in a snapshot. */
  private announcePluginEvents(events: readonly PhaseEventMessage[]): void {
    for (const event of events) {
      if (event.kind !== 'plugin') continue;
      const key = eventKey(event);
      if (this.announcedPluginEvents.has(key)) continue;
      this.announcedPluginEvents.add(key);
      const notice = eventNotice(event);
      if (notice) this.notify(notice.text, notice.level, 'PLUGIN');
    }
  }

  // ----- helpers --------------------------------------------------------------------------------

  private ensureSeries(runId: number): RunSeries {
    let series = this.series.get(runId);
    if (!series) {
      series = new RunSeries();
      this.series.set(runId, series);
    }
    return series;
  }

  private ensureEvents(runId: number): RunEvents {
    let events = this.events.get(runId);
    if (!events) {
      events = new RunEvents();
      this.events.set(runId, events);
    }
    return events;
  }

  /** Keeps the data of the few most recently watched runs; older ones are forgotten. */
  private touchCache(runId: number): void {
    const series = this.series.get(runId);
    if (series) {
      this.series.delete(runId);
      this.series.set(runId, series);
    }
    while (this.series.size > this.options.cachedRuns) {
      const oldest = [...this.series.keys()].find((id) => !this.subscriptions.has(id) && id !== runId);
      if (oldest === undefined) break;
      this.series.delete(oldest);
      this.events.delete(oldest);
    }
  }

  private nextId(): string {
    return `c${++this.requestCounter}`;
  }

  private requestHostUpdate(): void {
    if (this.updateFrame || !this.active) return;
    this.updateFrame = requestAnimationFrame(() => {
      this.updateFrame = 0;
      this.host.requestUpdate();
    });
  }
}
