import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Subject, lastValueFrom, map, of, range, take, throwError, toArray, type Observable } from 'rxjs';
import { deepMerge, resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { samplePatchBatch } from '../../src/model/data.js';
import { PatchModel } from '../../src/model/patch-model.js';
import { tf } from '../../src/model/tf.js';
import { TrainState } from '../../src/model/train-state.js';
import { applyViews, sampleViewMask } from '../../src/model/views.js';
import { augment } from '../../src/operators/augment.js';
import { forwardBackward } from '../../src/operators/forward-backward.js';
import type { MetricRecord, SampledFrame, SteppedFrame } from '../../src/operators/frames.js';
import { optimiserStep } from '../../src/operators/optimiser-step.js';
import { sampleBatch } from '../../src/operators/sample-batch.js';
import { trainingPipeline } from '../../src/operators/training-pipeline.js';
import { drain, testScheduler } from '../helpers/observables.js';
import { selectBackend } from '../../src/model/backend.js';

/** A small config: the whole pipeline runs a step in well under a millisecond on cpu. */
function smallConfig(overrides: Record<string, unknown> = {}): RunConfig {
  const base = { data: { batchSize: 64, d: 8 }, log: { metricsEvery: 2 } };
  return resolveConfig({ overrides: deepMerge(base, overrides) }).config;
}




const numTensors = () => tf.memory().numTensors;

beforeAll(async () => {
  await selectBackend('cpu');
  await tf.ready();
});

describe('sampleBatch', () => {
  const config = smallConfig();

  it('maps each tick to the batch of that step, at the same frames', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ticks = cold('-a-b--c|', { a: 0, b: 1, c: 2 });
      const frame = (t: number): SampledFrame => ({ step: t, config, batch: samplePatchBatch(config, t) });
      expectObservable(ticks.pipe(sampleBatch(config))).toBe('-a-b--c|', { a: frame(0), b: frame(1), c: frame(2) });
    });
  });

  it('gives a batch that depends on the step alone (same tick twice, same batch; other tick, other batch)', () => {
    const [a, b, c] = drain(of(5, 5, 6).pipe(sampleBatch(config))).values;
    expect(a.batch).toEqual(b.batch);
    expect(a.batch).not.toBe(b.batch);
    expect(Array.from(a.batch.noise)).not.toEqual(Array.from(c.batch.noise));
    // Every sample has exactly k = 4 feature patches out of P = 16, whatever the step.
    for (const frame of [a, c]) {
      const { N, P, featureMask } = frame.batch;
      expect(N).toBe(64);
      for (let i = 0; i < N; i++) {
        let count = 0;
        for (let p = 0; p < P; p++) count += featureMask[i * P + p];
        expect(count).toBe(config.data.k);
      }
    }
  });

  it('passes an error of the source on unchanged', () => {
    const boom = new Error('source failed');
    testScheduler().run(({ cold, expectObservable }) => {
      const ticks = cold('-a-#', { a: 7 }, boom);
      expectObservable(ticks.pipe(sampleBatch(config))).toBe('-a-#', { a: { step: 7, config, batch: samplePatchBatch(config, 7) } }, boom);
    });
  });
});

describe('augment', () => {
  const config = smallConfig();

  it('keeps the timing and adds the views of the step', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const frames = cold('-a-b--c|', { a: 0, b: 1, c: 2 }).pipe(sampleBatch(config));
      const expected = (t: number) => {
        const batch = samplePatchBatch(config, t);
        return { step: t, config, batch, views: applyViews(config, batch, sampleViewMask(config, t)) };
      };
      expectObservable(frames.pipe(augment())).toBe('-a-b--c|', { a: expected(0), b: expected(1), c: expected(2) });
    });
  });

  it('splits each sample into two complementary views that share its k feature patches', () => {
    const [frame] = drain(of(3).pipe(sampleBatch(config), augment())).values;
    const { N, P, viewMask, featureCount } = frame.views;
    const kept = config.data.P / 2; // viewSize null: the views split the patches in half
    expect(frame.views.step).toBe(3);
    for (let i = 0; i < N; i++) {
      let inFirst = 0;
      for (let p = 0; p < P; p++) inFirst += viewMask[i * P + p];
      expect(inFirst).toBe(kept);
      expect(featureCount[i] + featureCount[N + i]).toBe(config.data.k);
    }
  });

  it('passes an error of the source on unchanged', () => {
    const boom = new Error('upstream failed');
    testScheduler().run(({ cold, expectObservable }) => {
      const frames = cold<number>('--#', undefined, boom).pipe(sampleBatch(config));
      expectObservable(frames.pipe(augment())).toBe('--#', undefined, boom);
    });
  });
});

describe('forwardBackward, optimiserStep and trainingPipeline: ordering and tensor ownership', () => {
  let config: RunConfig;
  let model: PatchModel;
  let state: TrainState;

  beforeEach(() => {
    config = smallConfig();
    model = new PatchModel(config);
    state = TrainState.create(config);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    state.dispose();
    model.dispose();
  });

  it('emits steps 1..6 in order over ticks 0..5 with metricsEvery 1, and leaks no tensor', async () => {
    const before = numTensors();
    const steps = await lastValueFrom(range(0, 6).pipe(trainingPipeline(model, state, { metricsEvery: 1 }), map((r) => r.step), toArray()));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(state.step).toBe(6);
    expect(numTensors()).toBe(before);
  });

  it('records only the steps that are multiples of metricsEvery', () => {
    const before = numTensors();
    const { values, completed } = drain(range(0, 6).pipe(trainingPipeline(model, state, { metricsEvery: 2 })));
    expect(values.map((r) => r.step)).toEqual([2, 4, 6]);
    expect(completed).toBe(true);
    expect(numTensors()).toBe(before);
  });

  it('emits records that hold plain numbers only', () => {
    const { values } = drain(range(0, 2).pipe(trainingPipeline(model, state, { metricsEvery: 1 })));
    for (const record of values) {
      expect(Object.keys(record).sort()).toEqual(['step', 'values']);
      for (const v of Object.values(record.values)) expect(typeof v).toBe('number');
    }
  });

  it('actually moves the parameters: W after a step is W − η·gradW (SGD)', () => {
    const W0 = Float32Array.from(state.W.dataSync());
    let gradW: Float32Array | undefined;
    drain(
      of(0).pipe(trainingPipeline(model, state, { metricsEvery: 1, afterStep: (f) => (gradW = Float32Array.from(f.tensors.gradW.dataSync())) })),
    );
    const W1 = state.W.dataSync();
    expect(gradW).toBeDefined();
    let moved = 0;
    for (let i = 0; i < W0.length; i++) {
      expect(W1[i]).toBeCloseTo(W0[i] - config.optim.lrW * gradW![i], 6);
      moved += Math.abs(W1[i] - W0[i]);
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('calls afterStep once per step with the state already advanced, before the record', () => {
    const log: string[] = [];
    const afterStep = (frame: SteppedFrame) => {
      expect(frame.tensors.loss.isDisposed).toBe(false);
      log.push(`after ${frame.step}->${frame.state.step}`);
    };
    range(0, 3)
      .pipe(trainingPipeline(model, state, { metricsEvery: 1, afterStep }))
      .subscribe((r: MetricRecord) => log.push(`record ${r.step}`));
    expect(log).toEqual(['after 0->1', 'record 1', 'after 1->2', 'record 2', 'after 2->3', 'record 3']);
  });

  it.each([
    ['adam', { optim: { kind: 'adam' } }],
    ['unit weight norm', { model: { weightNorm: 'unit' } }],
    ['autodiff backward', { model: { backward: 'autodiff' } }],
    ['explicit noise', { data: { noise: 'explicit' } }],
    ['no head training', { head: { mode: 'none' } }],
  ])('leaks no tensor over a run with %s', (_name, overrides) => {
    const cfg = smallConfig(overrides);
    const m = new PatchModel(cfg);
    const s = TrainState.create(cfg);
    try {
      const before = numTensors();
      const { values, error, completed } = drain(range(0, 4).pipe(trainingPipeline(m, s, { metricsEvery: 1 })));
      expect(error).toBeUndefined();
      expect(completed).toBe(true);
      expect(values.map((r) => r.step)).toEqual([1, 2, 3, 4]);
      expect(numTensors()).toBe(before);
    } finally {
      s.dispose();
      m.dispose();
    }
  });

  it('errors with the optimiser error and leaks nothing when applyGradients throws', () => {
    // One good step first, so the failure happens mid-run.
    drain(of(0).pipe(trainingPipeline(model, state, { metricsEvery: 1 })));
    const before = numTensors();
    const boom = new Error('optimiser exploded');
    vi.spyOn(state.optimizer, 'applyGradients').mockImplementation(() => {
      throw boom;
    });
    const { values, error, completed } = drain(range(1, 3).pipe(trainingPipeline(model, state, { metricsEvery: 1 })));
    expect(values).toEqual([]);
    expect(completed).toBe(false);
    expect(error).toBe(boom);
    expect(state.step).toBe(1);
    expect(numTensors()).toBe(before);
  });

  it('errors and leaks nothing when the afterStep hook throws', () => {
    const before = numTensors();
    const boom = new Error('hook failed');
    const { error } = drain(
      range(0, 3).pipe(
        trainingPipeline(model, state, {
          metricsEvery: 1,
          afterStep: () => {
            throw boom;
          },
        }),
      ),
    );
    expect(error).toBe(boom);
    expect(numTensors()).toBe(before);
  });

  it('forwardBackward rejects a tick ahead of the state, naming both steps, and leaks nothing', () => {
    const before = numTensors();
    const { error } = drain(of(3).pipe(sampleBatch(config), augment(), forwardBackward(model, state)));
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/\b3\b/);
    expect(message).toMatch(/\b0\b/);
    expect(numTensors()).toBe(before);
  });

  it('rejects a replayed tick behind the state, naming both steps, mid-run, and leaks nothing', () => {
    const before = numTensors();
    // Ticks 0, 1, 2 train; tick 1 again reaches a state at step 3.
    const { values, error } = drain(of(0, 1, 2, 1, 4).pipe(trainingPipeline(model, state, { metricsEvery: 1 })));
    expect(values.map((r) => r.step)).toEqual([1, 2, 3]);
    const message = (error as Error).message;
    expect(message).toMatch(/step 1\b/);
    expect(message).toMatch(/step 3\b/);
    expect(state.step).toBe(3);
    expect(numTensors()).toBe(before);
  });

  it('leaks nothing when unsubscribed after N steps (Subject source)', () => {
    const before = numTensors();
    const ticks = new Subject<number>();
    const steps: number[] = [];
    const sub = ticks.pipe(trainingPipeline(model, state, { metricsEvery: 1 })).subscribe((r) => steps.push(r.step));
    ticks.next(0);
    ticks.next(1);
    ticks.next(2);
    sub.unsubscribe();
    ticks.next(3); // nobody listens: nothing is computed
    expect(steps).toEqual([1, 2, 3]);
    expect(state.step).toBe(3);
    expect(numTensors()).toBe(before);
  });

  it('leaks nothing when a downstream take(N) unsubscribes, and computes no step beyond N', () => {
    const before = numTensors();
    const steps = drain(range(0, 100).pipe(trainingPipeline(model, state, { metricsEvery: 1 }), take(3))).values.map((r) => r.step);
    expect(steps).toEqual([1, 2, 3]);
    expect(state.step).toBe(3);
    expect(numTensors()).toBe(before);
  });

  it('passes an error of the tick source on and leaks nothing', () => {
    const before = numTensors();
    const boom = new Error('ticks failed');
    const source = new Subject<number>();
    const result = { steps: [] as number[], error: undefined as unknown };
    source.pipe(trainingPipeline(model, state, { metricsEvery: 1 })).subscribe({ next: (r) => result.steps.push(r.step), error: (e: unknown) => (result.error = e) });
    source.next(0);
    source.error(boom);
    expect(result.steps).toEqual([1]);
    expect(result.error).toBe(boom);
    expect(numTensors()).toBe(before);
    expect(drain(throwError(() => boom).pipe(trainingPipeline(model, state, { metricsEvery: 1 }))).error).toBe(boom);
  });
});
