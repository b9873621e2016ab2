import { firstValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { selectBackend } from '../../src/model/backend.js';
import { tf } from '../../src/model/tf.js';
import type { MetricRecord } from '../../src/operators/frames.js';
import { Run, type CheckpointEvent } from '../../src/streams/run.js';
import { RunControl } from '../../src/streams/run-control.js';

function small(overrides: Record<string, unknown> = {}): RunConfig {
  return resolveConfig({
    overrides: { steps: 60, data: { d: 16, batchSize: 128 }, log: { metricsEvery: 5, checkpointEvery: 20 }, ...overrides },
  }).config;
}

async function collect(run: Run) {
  const metrics = firstValueFrom(run.metrics$.pipe(toArray()));
  const checkpoints = firstValueFrom(run.checkpoints$.pipe(toArray()));
  const outcome = await run.start();
  return { outcome, metrics: await metrics, checkpoints: await checkpoints };
}

/** Metric values as exact bit patterns, so equality means bit-for-bit equality. */
function bits(records: readonly MetricRecord[]) {
  return records.map((r) => ({ step: r.step, values: Object.entries(r.values).map(([k, v]) => [k, Array.from(new Uint32Array(Float64Array.of(v).buffer))]) }));
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`Run on ${backend}`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });

    it('is bit-for-bit reproducible for the same config and seed, and differs for another seed', async () => {
      const a = new Run(small());
      const b = new Run(small());
      const c = new Run(small({ seed: 1 }));
      const [ra, rb, rc] = [await collect(a), await collect(b), await collect(c)];
      [a, b, c].forEach((r) => r.dispose());
      expect(ra.outcome).toEqual({ status: 'completed', step: 60 });
      expect(ra.metrics.map((r) => r.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
      expect(bits(ra.metrics)).toEqual(bits(rb.metrics));
      expect(rc.metrics[0].values.loss).not.toBe(ra.metrics[0].values.loss);
    });

    it('resumed from a checkpoint, continues bit for bit like an uninterrupted run', async () => {
      const whole = new Run(small());
      const full = await collect(whole);
      whole.dispose();

      // A run of 40 steps leaves its final checkpoint at 40; a new run continues from it to 60.
      const first = new Run(small({ steps: 40 }));
      const partial = await collect(first);
      first.dispose();
      const saved = partial.checkpoints.at(-1)!;
      expect(saved).toMatchObject({ step: 40, reason: 'final' });

      const resumed = new Run(small(), { snapshot: saved.snapshot, memory: saved.memory });
      const rest = await collect(resumed);
      const finalState = resumed.state.snapshot();
      resumed.dispose();
      expect(bits([...partial.metrics, ...rest.metrics])).toEqual(bits(full.metrics));
      const fullFinal = full.checkpoints.at(-1)!.snapshot;
      expect(Array.from(finalState.W)).toEqual(Array.from(fullFinal.W));
      expect(Array.from(finalState.E)).toEqual(Array.from(fullFinal.E));
    });

    it('resumes Adam bit for bit, slots included', async () => {
      const adam = { optim: { kind: 'adam', lrW: 0.003, lrE: 0.003 } };
      const whole = new Run(small(adam));
      const full = await collect(whole);
      whole.dispose();
      const first = new Run(small({ ...adam, steps: 25 }));
      const partial = await collect(first);
      first.dispose();
      const saved = partial.checkpoints.at(-1)!;
      const resumed = new Run(small(adam), { snapshot: saved.snapshot, memory: saved.memory });
      const rest = await collect(resumed);
      resumed.dispose();
      expect(bits([...partial.metrics, ...rest.metrics])).toEqual(bits(full.metrics));
    });

    it('computes no step while paused, exactly n on step(n), and checkpoints on pause and stop', async () => {
      const control = new RunControl('paused');
      const run = new Run(small({ steps: 1000 }), { control });
      const checkpoints: CheckpointEvent[] = [];
      run.checkpoints$.subscribe((c) => checkpoints.push(c));
      const done = run.start();
      for (let i = 0; i < 5; i++) await macrotask();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(run.state.step).toBe(0);

      control.step(7);
      while (control.state !== 'paused') await macrotask();
      expect(run.state.step).toBe(7);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(run.state.step).toBe(7);
      expect(checkpoints.at(-1)).toMatchObject({ step: 7, reason: 'pause' });

      control.resume();
      while (run.state.step < 30) await macrotask();
      control.stop();
      const outcome = await done;
      expect(outcome.status).toBe('stopped');
      expect(checkpoints.at(-1)).toMatchObject({ step: outcome.step, reason: 'stop' });
      expect(outcome.step).toBeLessThan(1000);
      run.dispose();
    });

    it('leaves tf.memory().numTensors unchanged after a run, a dispose mid-run, and an error', async () => {
      const before = tf.memory().numTensors;
      const run = new Run(small());
      await run.start();
      run.dispose();
      expect(tf.memory().numTensors).toBe(before);

      const interrupted = new Run(small({ steps: 100_000 }));
      const pending = interrupted.start();
      while (interrupted.state.step < 10) await macrotask();
      interrupted.dispose();
      expect((await pending).status).toBe('stopped');
      expect(tf.memory().numTensors).toBe(before);

      const failing = new Run(small());
      failing.state.optimizer.applyGradients = () => {
        throw new Error('boom');
      };
      const outcome = await failing.start();
      expect(outcome.status).toBe('failed');
      expect(outcome.status === 'failed' && outcome.error.message).toBe('boom');
      failing.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
