import type { Subscription } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import { resolveConfig } from '../config/load.js';
import { PhasewatchError } from '../errors.js';
import { withMetricFiles } from '../operators/metrics/metric-modules.js';
import type { RunManager } from '../streams/run-manager.js';
import { StoreError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { Access } from './access.js';
import { ClientMessageSchema, ErrorCode, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type ClientMessage, type RunSummary, type ServerMessage } from './protocol.js';
import { RunChannel } from './run-channel.js';

export interface HubOptions {
  /** How often pending records are sent to viewers, in ms. */
  readonly frameMs: number;
  /** Ping interval; a viewer that misses a pong by the next ping is disconnected. */
  readonly heartbeatMs: number;
  /** Above this many bytes queued on a socket, frames for it wait (and merge). */
  readonly highWaterBytes: number;
  /** A viewer this many records behind on a run gets a resync instead of a huge frame. */
  readonly maxBehind: number;
  /** Snapshot size when the client does not ask. */
  readonly snapshotPoints: number;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = { frameMs: 40, heartbeatMs: 15_000, highWaterBytes: 1 << 20, maxBehind: 20_000, snapshotPoints: 2000 };

interface Viewer {
  readonly socket: WebSocket;
  readonly access: Access;
  /** Per subscribed run: the last seq this viewer was sent. */
  readonly subscriptions: Map<number, number>;
  alive: boolean;
}

/**
 * The WebSocket side of the server: viewers subscribe to runs and get a snapshot then frames
 * of new records, every viewer through its own mailbox — frames wait (and merge into one) while
 * a socket's send buffer is full, and a viewer too far behind is told to resync — so a slow or
 * stalled viewer costs training and the other viewers nothing. Control and start messages go to
 * the {@link RunManager}; every bad message gets an error reply and changes nothing else.
 */
export class Hub {
  private readonly viewers = new Set<Viewer>();
  private readonly channels = new Map<number, RunChannel>();
  private readonly runSubscriptions = new Map<number, Subscription>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly speed = new Map<number, { step: number; time: number; rate: number }>();
  private readonly managerEvents: Subscription;

  constructor(
    private readonly store: Store,
    private readonly manager: RunManager,
    private readonly options: HubOptions = DEFAULT_HUB_OPTIONS,
  ) {
    for (const live of manager.liveRuns()) this.attachLive(live.id);
    this.managerEvents = manager.events$.subscribe((event) => {
      if (event.type === 'started') {
        this.attachLive(event.runId);
        this.broadcast({ type: 'runs', runs: this.summaries() });
      } else if (event.type === 'ended') {
        this.runSubscriptions.get(event.runId)?.unsubscribe();
        this.runSubscriptions.delete(event.runId);
        this.flush();
        this.broadcastStatus(event.runId);
        this.broadcast({ type: 'runs', runs: this.summaries() });
      } else {
        this.broadcastStatus(event.runId);
      }
    });
    this.timers.push(
      setInterval(() => this.flush(), options.frameMs),
      setInterval(() => this.heartbeat(), options.heartbeatMs),
      setInterval(() => this.manager.liveRuns().forEach((live) => this.broadcastStatus(live.id)), 1000),
    );
  }

  /** Takes a new connection with the access its token gave. */
  accept(socket: WebSocket, access: Access): void {
    const viewer: Viewer = { socket, access, subscriptions: new Map(), alive: true };
    this.viewers.add(viewer);
    socket.on('pong', () => (viewer.alive = true));
    socket.on('message', (data, isBinary) => this.receive(viewer, data, isBinary));
    socket.on('close', () => this.viewers.delete(viewer));
    socket.on('error', () => socket.terminate());
    this.send(viewer, { type: 'welcome', version: PROTOCOL_VERSION, access, runs: this.summaries() });
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Closes every connection and stops the timers (idempotent). */
  close(): void {
    this.timers.forEach((t) => clearInterval(t));
    this.timers.length = 0;
    this.managerEvents.unsubscribe();
    this.runSubscriptions.forEach((s) => s.unsubscribe());
    this.runSubscriptions.clear();
    for (const viewer of this.viewers) viewer.socket.close(1001, 'server closing');
    this.viewers.clear();
  }

  /** The run list as the protocol shows it. */
  summaries(): RunSummary[] {
    return this.manager.list().map((r) => ({
      id: r.id,
      name: r.name,
      preset: r.preset,
      status: r.displayStatus,
      step: r.step,
      targetSteps: r.targetSteps,
      seed: r.seed,
      backend: r.backend,
      live: r.live,
      parentId: r.parentId,
      forkStep: r.forkStep,
      createdAt: r.createdAt,
    }));
  }

  /**
   * The history of a run: kept up to date in memory for runs training here; for others read
   * from the store, again whenever the store has moved on (another process may be recording).
   */
  channel(runId: number): RunChannel {
    const cached = this.channels.get(runId);
    if (cached && (this.runSubscriptions.has(runId) || this.store.lastStep(runId) === cached.lastStep)) return cached;
    const channel = RunChannel.fromStore(this.store, runId);
    this.channels.set(runId, channel);
    return channel;
  }

  private attachLive(runId: number): void {
    // A (re)started run's stored history may have been cut back to its checkpoint: reload it,
    // and have current viewers start over.
    this.channels.set(runId, RunChannel.fromStore(this.store, runId));
    for (const viewer of this.viewers) {
      if (viewer.subscriptions.delete(runId)) this.send(viewer, { type: 'resync', runId, reason: 'the run restarted from its checkpoint' });
    }
    this.runSubscriptions.get(runId)?.unsubscribe();
    this.runSubscriptions.set(
      runId,
      this.manager.metrics$(runId).subscribe((record) => this.channels.get(runId)?.append(record)),
    );
  }

  private receive(viewer: Viewer, data: RawData, isBinary: boolean): void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (isBinary || size > MAX_MESSAGE_BYTES) {
      this.fail(viewer, undefined, isBinary ? ErrorCode.badMessage : ErrorCode.tooLarge, isBinary ? 'binary messages are not accepted; send JSON text' : `message of ${size} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      this.fail(viewer, undefined, ErrorCode.badJson, 'message is not valid JSON');
      return;
    }
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? ((raw as { id: string }).id.slice(0, 64)) : undefined;
      const issue = parsed.error.issues[0];
      this.fail(viewer, id, ErrorCode.badMessage, `invalid message: ${issue.path.join('.') || 'message'}: ${issue.message}`);
      return;
    }
    const failed = (error: unknown) => {
      // Known errors carry their own code (E_CONFIG, E_USAGE, E_RUN_NOT_FOUND …); the rest are ours.
      const known = error instanceof PhasewatchError || error instanceof StoreError;
      this.fail(viewer, parsed.data.id, known ? error.code : ErrorCode.internal, (error as Error).message);
    };
    try {
      this.handle(viewer, parsed.data)?.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  /** Handles one valid message; steering that waits on a run (in a worker thread) returns a promise. */
  private handle(viewer: Viewer, message: ClientMessage): Promise<void> | void {
    switch (message.type) {
      case 'ping':
        this.send(viewer, { type: 'pong', id: message.id, serverTime: Date.now() });
        return;
      case 'list':
        this.send(viewer, { type: 'runs', runs: this.summaries() });
        return;
      case 'subscribe': {
        if (!this.store.getRun(message.runId)) return this.fail(viewer, message.id, ErrorCode.unknownRun, `run ${message.runId} does not exist`);
        const channel = this.channel(message.runId);
        const since = message.sinceSeq;
        if (since !== undefined && since <= channel.seq && channel.seq - since <= this.options.maxBehind) {
          viewer.subscriptions.set(message.runId, since);
          this.send(viewer, { type: 'ack', id: message.id, runId: message.runId });
          this.flushViewer(viewer, new Map());
        } else {
          const { data, decimated } = channel.snapshot(message.maxPoints ?? this.options.snapshotPoints);
          viewer.subscriptions.set(message.runId, channel.seq);
          const events = channel.eventsBetween(1, channel.seq);
          this.send(viewer, { type: 'snapshot', id: message.id, runId: message.runId, seq: channel.seq, columns: channel.columns, data, decimated, events });
        }
        this.sendStatus(viewer, message.runId);
        return;
      }
      case 'unsubscribe':
        if (!this.store.getRun(message.runId)) return this.fail(viewer, message.id, ErrorCode.unknownRun, `run ${message.runId} does not exist`);
        viewer.subscriptions.delete(message.runId);
        this.send(viewer, { type: 'ack', id: message.id, runId: message.runId });
        return;
      case 'control':
      case 'start':
      case 'branch':
      case 'branch-on':
      case 'resume':
        if (viewer.access !== 'control') {
          return this.fail(viewer, message.id, ErrorCode.forbidden, `${message.type} needs the control token; this connection may only watch`);
        }
        if (message.type === 'control') {
          if (!this.store.getRun(message.runId)) return this.fail(viewer, message.id, ErrorCode.unknownRun, `run ${message.runId} does not exist`);
          // The ack comes once the run has taken the command: a paused run computes nothing after it.
          return this.manager.control(message.runId, message.action, message.n).then(() => this.send(viewer, { type: 'ack', id: message.id, runId: message.runId }));
        } else if (message.type === 'branch') {
          if (!this.store.getRun(message.runId)) return this.fail(viewer, message.id, ErrorCode.unknownRun, `run ${message.runId} does not exist`);
          const request = { parentId: message.runId, at: message.at, sets: message.sets, steps: message.steps, name: message.name };
          return this.manager.branch(request).then((live) => this.send(viewer, { type: 'ack', id: message.id, runId: live.id }));
        } else if (message.type === 'branch-on') {
          if (!this.store.getRun(message.runId)) return this.fail(viewer, message.id, ErrorCode.unknownRun, `run ${message.runId} does not exist`);
          return this.manager.addBranchRule(message.runId, { on: message.on, sets: message.sets ?? [] }).then(() => this.send(viewer, { type: 'ack', id: message.id, runId: message.runId }));
        } else if (message.type === 'start') {
          const resolved = resolveConfig({ preset: message.preset, sets: message.sets });
          const config = withMetricFiles(resolved.config, this.manager.modules.pathsFor(message.plugins ?? []));
          const preset = resolved.preset;
          const live = this.manager.start(config, { preset, name: message.name });
          this.send(viewer, { type: 'ack', id: message.id, runId: live.id });
        } else {
          if (!this.store.getRun(message.runId)) return this.fail(viewer, message.id, ErrorCode.unknownRun, `run ${message.runId} does not exist`);
          const live = this.manager.resume(message.runId, message.steps);
          this.send(viewer, { type: 'ack', id: message.id, runId: live.id });
        }
        return;
    }
  }

  /** Sends every viewer the records it has not seen, one frame per (viewer, run). */
  private flush(): void {
    // Viewers at the same position get the same frame, serialised and encoded once.
    const cache = new Map<string, Buffer>();
    for (const viewer of this.viewers) this.flushViewer(viewer, cache);
  }

  private flushViewer(viewer: Viewer, cache: Map<string, Buffer>): void {
    for (const [runId, last] of viewer.subscriptions) {
      const channel = this.channels.get(runId);
      if (!channel || channel.seq <= last) continue;
      const behind = channel.seq - last;
      if (viewer.socket.bufferedAmount > this.options.highWaterBytes) {
        // Mailbox full: let the records wait and merge; resync a viewer that fell too far behind.
        if (behind > this.options.maxBehind) {
          viewer.subscriptions.delete(runId);
          this.send(viewer, { type: 'resync', runId, reason: `fell ${behind} records behind` });
        }
        continue;
      }
      const key = `${runId}:${last}:${channel.seq}`;
      let text = cache.get(key);
      if (text === undefined) {
        const events = channel.eventsBetween(last + 1, channel.seq);
        const frame: ServerMessage = { type: 'frame', runId, fromSeq: last + 1, toSeq: channel.seq, columns: channel.columns, data: channel.slice(last + 1, channel.seq), ...(events.length ? { events } : {}) };
        text = Buffer.from(JSON.stringify(frame));
        cache.set(key, text);
      }
      viewer.subscriptions.set(runId, channel.seq);
      this.sendText(viewer, text);
    }
  }

  private broadcastStatus(runId: number): void {
    const message = this.statusOf(runId);
    if (message) this.broadcast(message);
  }

  private sendStatus(viewer: Viewer, runId: number): void {
    const message = this.statusOf(runId);
    if (message) this.send(viewer, message);
  }

  private statusOf(runId: number): ServerMessage | null {
    const live = this.manager.live(runId);
    const stored = this.store.getRun(runId);
    if (!stored) return null;
    const step = live ? live.run.state.step : stored.step;
    const now = performance.now();
    const previous = this.speed.get(runId);
    let rate = previous?.rate ?? 0;
    if (previous && now - previous.time >= 500) rate = ((step - previous.step) * 1000) / (now - previous.time);
    if (!previous || now - previous.time >= 500) this.speed.set(runId, { step, time: now, rate });
    return {
      type: 'status',
      runId,
      status: live ? (live.run.control.state === 'paused' ? 'paused' : 'running') : this.store.displayStatus(stored),
      control: live ? live.run.control.state : null,
      step,
      targetSteps: live ? live.run.config.steps : stored.targetSteps,
      stepsPerSecond: live ? Math.max(0, rate) : 0,
    };
  }

  private heartbeat(): void {
    for (const viewer of this.viewers) {
      if (!viewer.alive) {
        viewer.socket.terminate();
        this.viewers.delete(viewer);
        continue;
      }
      viewer.alive = false;
      viewer.socket.ping();
    }
  }

  private broadcast(message: ServerMessage): void {
    const text = Buffer.from(JSON.stringify(message));
    for (const viewer of this.viewers) this.sendText(viewer, text);
  }

  private fail(viewer: Viewer, id: string | undefined, code: string, message: string): void {
    this.send(viewer, { type: 'error', id, code, message });
  }

  private send(viewer: Viewer, message: ServerMessage): void {
    this.sendText(viewer, JSON.stringify(message));
  }

  /** Sends JSON text; a Buffer is sent as a text frame without being encoded again. */
  private sendText(viewer: Viewer, text: string | Buffer): void {
    if (viewer.socket.readyState === viewer.socket.OPEN) viewer.socket.send(text, { binary: false });
  }
}
