import WebSocket from 'ws';
import { ServerMessageSchema, type ServerMessage } from '../../src/server/protocol.js';

export type Msg = ServerMessage;
export type Frame = Extract<Msg, { type: 'frame' }>;
export type Snapshot = Extract<Msg, { type: 'snapshot' }>;

export interface ClientOptions {
  /** Answer server pings (default true, as ws does). */
  readonly autoPong?: boolean;
  /** Appended as `?token=`. */
  readonly token?: string;
}

/**
 * A real `ws` client for the hub: collects every parsed message (and checks it against the
 * protocol's server schema), lets a test wait for the next message matching a predicate, and
 * sends JSON.
 */
export class TestClient {
  /** Every message received, in order. */
  readonly messages: Msg[] = [];
  /** Messages that were not JSON or did not match ServerMessageSchema (should stay empty). */
  readonly invalid: { text: string; problem: string }[] = [];
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number>;
  private cursor = 0;
  private waiters = new Set<() => void>();
  private isClosed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary ${String((data as Buffer).length)}>` : data.toString();
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        this.invalid.push({ text: text.slice(0, 200), problem: 'not JSON' });
        return;
      }
      const parsed = ServerMessageSchema.safeParse(raw);
      if (!parsed.success) this.invalid.push({ text: text.slice(0, 200), problem: parsed.error.issues[0]?.message ?? 'invalid' });
      this.messages.push(raw as Msg);
      this.wake();
    });
    this.closed = new Promise<number>((resolve) =>
      ws.on('close', (code) => {
        this.isClosed = true;
        this.wake();
        resolve(code);
      }),
    );
    ws.on('error', () => undefined);
  }

  /** Opens a connection to `<server url>ws`; rejects with the HTTP status when the upgrade is refused. */
  static connect(serverUrl: string, options: ClientOptions = {}): Promise<TestClient> {
    const url = serverUrl.replace(/^http/, 'ws') + 'ws' + (options.token !== undefined ? `?token=${encodeURIComponent(options.token)}` : '');
    const ws = new WebSocket(url, { autoPong: options.autoPong ?? true });
    const client = new TestClient(ws);
    return new Promise<TestClient>((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        reject(new UpgradeRefused(res.statusCode ?? 0));
        res.resume();
        ws.terminate();
      });
      ws.once('error', (error) => reject(error));
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /**
   * The first message after the last one `next` returned that matches `predicate`, waiting for
   * it up to `timeoutMs`; later calls continue from there.
   */
  next<T extends Msg = Msg>(predicate: (m: Msg) => boolean, timeoutMs = 5000, what = 'a matching message'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        for (let i = this.cursor; i < this.messages.length; i++) {
          if (predicate(this.messages[i])) {
            this.cursor = i + 1;
            resolve(this.messages[i] as T);
            return true;
          }
        }
        this.cursor = this.messages.length;
        return false;
      };
      if (check()) return;
      if (this.isClosed) return reject(new Error(`connection closed while waiting for ${what}`));
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
        } else if (this.isClosed) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(new Error(`connection closed while waiting for ${what}`));
        }
      };
      this.waiters.add(waiter);
    });
  }

  /** `next` for a message of a given type (and optional extra condition). */
  nextOf<K extends Msg['type']>(type: K, where: (m: Extract<Msg, { type: K }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<Msg, { type: K }>> {
    return this.next((m) => m.type === type && where(m as Extract<Msg, { type: K }>), timeoutMs, `a ${type} message`);
  }

  /** Every message of a type received so far. */
  all<K extends Msg['type']>(type: K): Extract<Msg, { type: K }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<Msg, { type: K }>[];
  }

  /** Frames of one run received so far. */
  frames(runId: number): Frame[] {
    return this.all('frame').filter((f) => f.runId === runId);
  }

  /** Waits until `condition()` holds, checking whenever a message arrives and every 20 ms. */
  async until(condition: () => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  }

  /** Sends a ping with a fresh id and waits for its pong. */
  async roundTrip(timeoutMs = 5000): Promise<void> {
    const id = `rt-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'ping', id });
    await this.nextOf('pong', (m) => m.id === id, timeoutMs);
  }

  /** Closes the connection and waits for it to be closed (terminating if the close handshake stalls). */
  async close(): Promise<void> {
    if (this.isClosed) return;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    await this.closed;
    clearTimeout(timer);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`the WebSocket upgrade was refused with HTTP ${status}`);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Checks that frames continue exactly from `startSeq` (fromSeq = previous toSeq + 1, each frame
 * holding toSeq − fromSeq + 1 rows) and returns the last seq covered.
 */
export function assertContiguous(frames: readonly Frame[], startSeq: number): number {
  let last = startSeq;
  for (const f of frames) {
    if (f.fromSeq !== last + 1) throw new Error(`frame ${f.fromSeq}…${f.toSeq} does not follow seq ${last}`);
    if (f.toSeq < f.fromSeq) throw new Error(`empty frame ${f.fromSeq}…${f.toSeq}`);
    const rows = f.toSeq - f.fromSeq + 1;
    for (const column of f.data) if (column.length !== rows) throw new Error(`frame ${f.fromSeq}…${f.toSeq} has a column of ${column.length} rows, not ${rows}`);
    last = f.toSeq;
  }
  return last;
}
