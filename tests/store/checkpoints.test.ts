import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function setup(): { store: Store; runId: number } {
  const store = Store.open(path.join(tempDir(), 'checkpoints.db'));
  open.push(store);
  const runId = store.createRun({ name: 'c', preset: null, config: {}, seed: 1, backend: 'cpu', targetSteps: 10 }).id;
  return { store, runId };
}

/** Deterministic pseudo-random bytes covering all 256 values. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('checkpoints', () => {
  it('round-trips the state blob byte-exact as a plain Uint8Array', () => {
    const { store, runId } = setup();
    const small = bytes(37, 1);
    const large = bytes(3 * 1024 * 1024 + 5, 2);
    // A view into a larger buffer: only the viewed bytes must be stored.
    const backing = bytes(64, 3);
    const view = backing.subarray(10, 20);
    store.saveCheckpoint(runId, 10, 'interval', small);
    store.saveCheckpoint(runId, 20, 'pause', large);
    store.saveCheckpoint(runId, 30, 'view', view);
    store.saveCheckpoint(runId, 40, 'empty', new Uint8Array(0));

    const a = store.getCheckpoint(runId, 10)!;
    expect(a.step).toBe(10);
    expect(a.reason).toBe('interval');
    expect(a.state).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(a.state)).toBe(false);
    expect(a.state).toEqual(bytes(37, 1));
    // The underlying ArrayBuffer holds exactly the blob, so typed views over .buffer are safe.
    expect(a.state.buffer.byteLength).toBe(37);

    const b = store.getCheckpoint(runId, 20)!;
    expect(b.state.byteLength).toBe(large.byteLength);
    expect(Buffer.compare(Buffer.from(b.state), Buffer.from(bytes(3 * 1024 * 1024 + 5, 2)))).toBe(0);

    expect(Array.from(store.getCheckpoint(runId, 30)!.state)).toEqual(Array.from(backing.slice(10, 20)));
    expect(store.getCheckpoint(runId, 40)!.state.byteLength).toBe(0);
    expect(store.getCheckpoint(runId, 15)).toBeUndefined();
  });

  it('latestCheckpoint picks the greatest step at or before the bound', () => {
    const { store, runId } = setup();
    for (const step of [100, 300, 200]) store.saveCheckpoint(runId, step, `r${step}`, new Uint8Array([step % 256]));

    expect(store.latestCheckpoint(runId)?.step).toBe(300);
    expect(store.latestCheckpoint(runId, 250)?.step).toBe(200);
    expect(store.latestCheckpoint(runId, 250)?.reason).toBe('r200');
    expect(Array.from(store.latestCheckpoint(runId, 250)!.state)).toEqual([200]);
    expect(store.latestCheckpoint(runId, 200)?.step).toBe(200);
    expect(store.latestCheckpoint(runId, 99)).toBeUndefined();
    expect(store.latestCheckpoint(runId + 1)).toBeUndefined();
  });

  it('lists checkpoint metadata step ascending and replaces one saved at the same step', () => {
    const { store, runId } = setup();
    const before = Date.now();
    store.saveCheckpoint(runId, 50, 'interval', new Uint8Array([1]));
    store.saveCheckpoint(runId, 5, 'interval', new Uint8Array([2]));
    store.saveCheckpoint(runId, 50, 'final', new Uint8Array([3, 4]));
    const after = Date.now();

    const list = store.listCheckpoints(runId);
    expect(list.map((c) => [c.step, c.reason])).toEqual([
      [5, 'interval'],
      [50, 'final'],
    ]);
    expect(list[0]).not.toHaveProperty('state');
    for (const c of list) {
      expect(c.createdAt).toMatch(/Z$/);
      expect(Date.parse(c.createdAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(c.createdAt)).toBeLessThanOrEqual(after);
    }
    expect(Array.from(store.getCheckpoint(runId, 50)!.state)).toEqual([3, 4]);
  });

  it('refuses checkpoints for unknown runs', () => {
    const { store, runId } = setup();
    expect(() => store.saveCheckpoint(runId + 5, 1, 'x', new Uint8Array([1]))).toThrowError(
      expect.objectContaining({ code: 'E_RUN_NOT_FOUND', message: expect.stringContaining(`run ${runId + 5}`) }),
    );
  });
});
