import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defer, finalize, lastValueFrom, map, tap, toArray, type Observable, type Subscription } from 'rxjs';
import { resolveConfig } from '../../src/config/load.js';
import { PatchModel } from '../../src/model/patch-model.js';
import { tf } from '../../src/model/tf.js';
import { TrainState } from '../../src/model/train-state.js';
import type { MetricRecord } from '../../src/operators/frames.js';
import { trainingPipeline } from '../../src/operators/training-pipeline.js';
import { RunControl, type ControlState } from '../../src/streams/run-control.js';
import { pullTicks } from '../../src/streams/ticks.js';
import { selectBackend } from '../../src/model/backend.js';

/** One macrotask turn (the check phase, where the tick source runs its slices). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}

/** Waits, turn by turn, until `cond` holds; fails (rather than hangs) if it never does. */
async function until(cond: () => boolean, maxTurns = 100_000): Promise<void> {
  for (let i = 0; i < maxTurns && !cond(); i++) await turn();
  if (!cond()) throw new Error('condition not reached');
}

/** Immediates still queued in this process (a leaked setImmediate shows up here). */
const pendingImmediates = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;

/** The immediates pending once earlier tests' leftovers (e.g. a last counting turn) have run. */
async function quietBaseline(): Promise<number> {
  await turns(3);
  return pendingImmediates();
}

interface Recording<T> {
  readonly values: T[];
  completed: boolean;
  error: unknown;
  subscription: Subscription;
}

function record<T>(source: Observable<T>, onNext?: (value: T, rec: Recording<T>) => void): Recording<T> {
  const rec = { values: [] as T[], completed: false, error: undefined as unknown } as Recording<T>;
  rec.subscription = source.subscribe({
    next: (v) => {
      rec.values.push(v);
      onNext?.(v, rec);
    },
    error: (e: unknown) => (rec.error = e),
    complete: () => (rec.completed = true),
  });
  return rec;
}

const rangeOf = (from: number, until: number) => Array.from({ length: until - from }, (_, i) => from + i);

/** A control that counts the live subscriptions to its state$ (the tick source's gate waits). */
class CountingControl extends RunControl {
  liveStateSubscriptions = 0;
  override get state$(): Observable<ControlState> {
    return defer(() => {
      this.liveStateSubscriptions += 1;
      return super.state$.pipe(finalize(() => (this.liveStateSubscriptions -= 1)));
    });
  }
}

/**
 * Runs 100 ticks with the given slice while a setImmediate loop counts event-loop turns, and
 * returns, per tick, the count it saw: rising counts mean the source yielded between ticks.
 */
async function turnsSeenByTicks(sliceMs: number): Promise<number[]> {
  let counted = 0;
  let counting = true;
  const count = () => {
    counted += 1;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const seen = await lastValueFrom(pullTicks(new RunControl(), { from: 0, until: 100, sliceMs }).pipe(map(() => counted), toArray()));
  counting = false;
  return seen;
}

describe('pullTicks', () => {
  it('emits from .. until − 1, then completes', async () => {
    expect(await lastValueFrom(pullTicks(new RunControl(), { from: 3, until: 10 }).pipe(toArray()))).toEqual(rangeOf(3, 10));
    expect(await lastValueFrom(pullTicks(new RunControl(), { from: 0, until: 500 }).pipe(toArray()))).toEqual(rangeOf(0, 500));
  });

  it('completes without a tick when from ≥ until', async () => {
    expect(await lastValueFrom(pullTicks(new RunControl(), { from: 7, until: 7 }).pipe(toArray()))).toEqual([]);
    expect(await lastValueFrom(pullTicks(new RunControl(), { from: 9, until: 7 }).pipe(toArray()))).toEqual([]);
  });

  it('completes without a tick when the control is already stopped', async () => {
    expect(await lastValueFrom(pullTicks(new RunControl('stopped'), { from: 0, until: 10 }).pipe(toArray()))).toEqual([]);
  });

  it('emits nothing while paused; step(3) yields exactly 3 ticks and pauses again; resume runs to the end', async () => {
    const control = new RunControl('paused');
    const rec = record(pullTicks(control, { from: 0, until: 12 }));
    await turns(5);
    await sleep(50);
    await turns(5);
    expect(rec.values).toEqual([]);
    expect(rec.completed).toBe(false);
    expect(control.state).toBe('paused');

    control.step(3);
    await until(() => rec.values.length >= 3 && control.state === 'paused');
    await turns(5);
    await sleep(20);
    await turns(5);
    expect(rec.values).toEqual([0, 1, 2]);
    expect(control.state).toBe('paused');
    expect(rec.completed).toBe(false);

    control.step(2);
    await until(() => rec.values.length >= 5 && control.state === 'paused');
    await turns(5);
    expect(rec.values).toEqual([0, 1, 2, 3, 4]);

    control.resume();
    await until(() => rec.completed);
    expect(rec.values).toEqual(rangeOf(0, 12));
    expect(rec.error).toBeUndefined();
  });

  it('a step(n) that reaches until completes the stream, even with budget left', async () => {
    const control = new RunControl('paused');
    const rec = record(pullTicks(control, { from: 5, until: 8 }));
    await turns(3);
    control.step(10);
    await until(() => rec.completed);
    expect(rec.values).toEqual([5, 6, 7]);
  });

  it('a pause inside a step takes effect before the next tick', async () => {
    const control = new RunControl();
    const rec = record(pullTicks(control, { from: 0, until: 100, sliceMs: 60_000 }), (t) => {
      if (t === 4) control.pause();
    });
    await until(() => rec.values.length >= 5);
    await turns(5);
    expect(rec.values).toEqual([0, 1, 2, 3, 4]);
    expect(rec.completed).toBe(false);
    control.resume();
    await until(() => rec.completed);
    expect(rec.values).toEqual(rangeOf(0, 100));
  });

  it('stop during a step completes the stream after that step, with no further ticks', async () => {
    const control = new RunControl();
    const rec = record(pullTicks(control, { from: 0, until: 1000, sliceMs: 60_000 }), (t) => {
      if (t === 4) control.stop();
    });
    await until(() => rec.completed);
    expect(rec.values).toEqual([0, 1, 2, 3, 4]);
    await turns(5);
    expect(rec.values).toEqual([0, 1, 2, 3, 4]);
    expect(rec.error).toBeUndefined();
  });

  it('stop while paused completes the stream without a tick', async () => {
    const control = new RunControl('paused');
    const rec = record(pullTicks(control, { from: 0, until: 10 }));
    await turns(5);
    control.stop();
    await until(() => rec.completed);
    expect(rec.values).toEqual([]);
  });

  it('stop during a step(n) run ends it early', async () => {
    const control = new RunControl('paused');
    const rec = record(pullTicks(control, { from: 0, until: 10 }), (t) => {
      if (t === 1) control.stop();
    });
    control.step(5);
    await until(() => rec.completed);
    expect(rec.values).toEqual([0, 1]);
    expect(control.state).toBe('stopped');
  });

  it('with sliceMs 0 yields to the event loop between every two ticks', async () => {
    const seen = await turnsSeenByTicks(0);
    expect(seen).toHaveLength(100);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
  });

  it('with sliceMs 0 a setImmediate callback scheduled before subscribing runs before the last tick', async () => {
    const ticks: number[] = [];
    let ticksWhenItRan = -1;
    setImmediate(() => (ticksWhenItRan = ticks.length));
    await new Promise<void>((resolve, reject) =>
      pullTicks(new RunControl(), { from: 0, until: 100, sliceMs: 0 }).subscribe({ next: (t) => ticks.push(t), complete: resolve, error: reject }),
    );
    expect(ticks).toEqual(rangeOf(0, 100));
    expect(ticksWhenItRan).toBeGreaterThanOrEqual(0);
    expect(ticksWhenItRan).toBeLessThan(100);
  });

  it('with sliceMs 0 a setImmediate callback scheduled during the first tick runs before the last tick', async () => {
    let ticksWhenItRan = -1;
    const rec = record(pullTicks(new RunControl(), { from: 0, until: 100, sliceMs: 0 }), (t, r) => {
      if (t === 0) setImmediate(() => (ticksWhenItRan = r.values.length));
    });
    await until(() => rec.completed);
    expect(rec.values).toEqual(rangeOf(0, 100));
    expect(ticksWhenItRan).toBeGreaterThan(0);
    expect(ticksWhenItRan).toBeLessThan(100);
  });

  it('with a long slice emits ticks back to back, without yielding', async () => {
    const seen = await turnsSeenByTicks(600_000);
    expect(new Set(seen).size).toBe(1);
  });

  it('unsubscribing stops emission and clears the pending setImmediate', async () => {
    const baseline = await quietBaseline();
    const control = new RunControl();
    const rec = record(pullTicks(control, { from: 0, until: 100_000, sliceMs: 0 }));
    await until(() => rec.values.length >= 5);
    expect(pendingImmediates()).toBe(baseline + 1); // the next slice is queued
    rec.subscription.unsubscribe();
    expect(pendingImmediates()).toBe(baseline);
    const count = rec.values.length;
    await turns(10);
    await sleep(20);
    expect(rec.values).toHaveLength(count);
    expect(rec.completed).toBe(false);
    expect(pendingImmediates()).toBe(baseline);
  });

  it('unsubscribing inside a tick stops the slice at once', async () => {
    const baseline = await quietBaseline();
    const rec = record(pullTicks(new RunControl(), { from: 0, until: 1000, sliceMs: 60_000 }), (t, r) => {
      if (t === 2) r.subscription.unsubscribe();
    });
    await turns(10);
    expect(rec.values).toEqual([0, 1, 2]);
    expect(rec.completed).toBe(false);
    expect(pendingImmediates()).toBe(baseline);
  });

  it('unsubscribing while paused releases the wait on the control; a later resume emits nothing', async () => {
    const baseline = await quietBaseline();
    const control = new CountingControl('paused');
    const rec = record(pullTicks(control, { from: 0, until: 10 }));
    await turns(5);
    expect(control.liveStateSubscriptions).toBe(1);
    rec.subscription.unsubscribe();
    expect(control.liveStateSubscriptions).toBe(0);
    control.resume();
    await turns(10);
    expect(rec.values).toEqual([]);
    expect(pendingImmediates()).toBe(baseline);
  });

  it('a downstream error ends the source: no further ticks, nothing pending', async () => {
    const baseline = await quietBaseline();
    const boom = new Error('step failed');
    const pulled: number[] = [];
    const rec = record(
      pullTicks(new RunControl(), { from: 0, until: 1000, sliceMs: 0 }).pipe(
        tap((t) => pulled.push(t)),
        map((t) => {
          if (t === 3) throw boom;
          return t;
        }),
      ),
    );
    await until(() => rec.error !== undefined);
    expect(rec.error).toBe(boom);
    expect(rec.values).toEqual([0, 1, 2]);
    await turns(10);
    expect(pulled).toEqual([0, 1, 2, 3]);
    expect(pendingImmediates()).toBe(baseline);
  });
});

describe('pullTicks driving the training pipeline', () => {
  const config = resolveConfig({ overrides: { data: { batchSize: 64, d: 8 }, log: { metricsEvery: 2 } } }).config;
  let model: PatchModel | undefined;
  let state: TrainState | undefined;

  beforeAll(async () => {
    await selectBackend('cpu');
    await tf.ready();
  });

  afterEach(() => {
    state?.dispose();
    model?.dispose();
    state = model = undefined;
  });

  it('computes nothing while paused, exactly n updates per step(n), and leaks nothing when unsubscribed', async () => {
    model = new PatchModel(config);
    state = TrainState.create(config);
    const s = state;
    const before = tf.memory().numTensors;
    const control = new RunControl('paused');
    const rec = record<MetricRecord>(pullTicks(control, { from: s.step, until: 50 }).pipe(trainingPipeline(model, s, { metricsEvery: 1 })), (r, self) => {
      if (r.step === 7) self.subscription.unsubscribe();
    });
    await turns(5);
    await sleep(20);
    expect(s.step).toBe(0);

    control.step(3);
    await until(() => control.state === 'paused' && rec.values.length >= 3);
    await turns(5);
    expect(s.step).toBe(3);
    expect(rec.values.map((r) => r.step)).toEqual([1, 2, 3]);

    control.resume();
    await until(() => rec.subscription.closed);
    await turns(10);
    expect(rec.values.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.step).toBe(7);
    expect(rec.error).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  });
});
