import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { map, of, range, tap, type Observable } from 'rxjs';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { PatchModel } from '../../src/model/patch-model.js';
import { tf, type Tensor } from '../../src/model/tf.js';
import { TrainState } from '../../src/model/train-state.js';
import { augment } from '../../src/operators/augment.js';
import { extractMetrics } from '../../src/operators/extract-metrics.js';
import { forwardBackward } from '../../src/operators/forward-backward.js';
import type { MetricRecord, SteppedFrame, Tick } from '../../src/operators/frames.js';
import { optimiserStep } from '../../src/operators/optimiser-step.js';
import { sampleBatch } from '../../src/operators/sample-batch.js';
import { drain, testScheduler } from '../helpers/observables.js';
import { selectBackend } from '../../src/model/backend.js';

const numTensors = () => tf.memory().numTensors;



beforeAll(async () => {
  await selectBackend('cpu');
  await tf.ready();
});

describe('extractMetrics', () => {
  let config: RunConfig;
  let model: PatchModel;
  let state: TrainState;

  /** Ticks → real stepped frames: each frame's state.step is its tick + 1 when it arrives. */
  const stepped = (ticks: Observable<Tick>): Observable<SteppedFrame> =>
    ticks.pipe(sampleBatch(config), augment(), forwardBackward(model, state), optimiserStep());

  beforeEach(() => {
    config = resolveConfig({ overrides: { data: { batchSize: 64, d: 8 }, log: { metricsEvery: 2 } } }).config;
    model = new PatchModel(config);
    state = TrainState.create(config);
  });

  afterEach(() => {
    state.dispose();
    model.dispose();
  });

  it('with every = 2 emits only even state steps, at the frames where they arrive, and completes with the source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Ticks 0..4 leave the state at steps 1..5; the even ones are 2 (tick b) and 4 (tick d).
      const ticks = cold('-a-b--c-d-e|', { a: 0, b: 1, c: 2, d: 3, e: 4 });
      const steps = stepped(ticks).pipe(
        extractMetrics(model, { every: 2 }),
        map((r) => r.step),
      );
      expectObservable(steps).toBe('---x----y--|', { x: 2, y: 4 });
    });
    expect(state.step).toBe(5);
  });

  it('with every = 1 emits at every frame', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ticks = cold('a--b-c|', { a: 0, b: 1, c: 2 });
      expectObservable(stepped(ticks).pipe(extractMetrics(model, { every: 1 }), map((r) => r.step))).toBe('a--b-c|', { a: 1, b: 2, c: 3 });
    });
  });

  it('with every = 3 over a state resumed at step 5 records steps 6 and 9', () => {
    state.step = 5;
    testScheduler().run(({ cold, expectObservable }) => {
      const ticks = cold('-a-b-c-d-e|', { a: 5, b: 6, c: 7, d: 8, e: 9 });
      expectObservable(stepped(ticks).pipe(extractMetrics(model, { every: 3 }), map((r) => r.step))).toBe('-x-----y--|', { x: 6, y: 9 });
    });
  });

  it('passes a source error on unchanged after the records before it', () => {
    const boom = new Error('frames failed');
    testScheduler().run(({ cold, expectObservable }) => {
      const ticks = cold('-a-b-#', { a: 0, b: 1 }, boom);
      expectObservable(stepped(ticks).pipe(extractMetrics(model, { every: 2 }), map((r) => r.step))).toBe('---x-#', { x: 2 }, boom);
    });
  });

  it('disposes the tensors of every frame, recorded or not', () => {
    const before = numTensors();
    const seen: Tensor[] = [];
    const { values, completed } = drain(
      stepped(range(0, 5)).pipe(
        tap((frame) => seen.push(...Object.values(frame.tensors).filter((t): t is Tensor => t !== null))),
        extractMetrics(model, { every: 2 }),
      ),
    );
    expect(values.map((r) => r.step)).toEqual([2, 4]);
    expect(completed).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    for (const t of seen) expect(t.isDisposed).toBe(true);
    expect(numTensors()).toBe(before);
  });

  it('records plain numbers that match the state and the step, read independently', () => {
    let loss = Number.NaN;
    const { values } = drain(
      stepped(of(0)).pipe(
        tap((frame) => (loss = frame.tensors.loss.dataSync()[0])),
        extractMetrics(model, { every: 1 }),
      ),
    );
    expect(values).toHaveLength(1);
    const record: MetricRecord = values[0];
    expect(record.step).toBe(1);
    for (const v of Object.values(record.values)) expect(typeof v).toBe('number');

    const m = config.model.m;
    const d = config.data.d;
    const W = state.W.dataSync(); // d × m, row-major: column j is w_j
    const E = state.E.dataSync(); // m × m
    expect(record.values.loss).toBeCloseTo(loss, 5);
    for (let j = 0; j < m; j++) {
      let sq = 0;
      for (let i = 0; i < d; i++) sq += W[i * m + j] ** 2;
      expect(record.values[`wnorm_${j + 1}`]).toBeCloseTo(Math.sqrt(sq), 4);
      // Axis features: v_1 = e_1, v_2 = e_2, so ⟨w_j, v_ℓ⟩ is W[ℓ − 1, j].
      expect(record.values[`M_${j + 1}_1`]).toBeCloseTo(W[0 * m + j], 5);
      expect(record.values[`M_${j + 1}_2`]).toBeCloseTo(W[1 * m + j], 5);
      for (let r = 0; r < m; r++) expect(record.values[`E_${j + 1}_${r + 1}`]).toBeCloseTo(E[j * m + r], 6);
    }
    let distI = 0;
    for (let j = 0; j < m; j++) for (let r = 0; r < m; r++) distI += (E[j * m + r] - (j === r ? 1 : 0)) ** 2;
    expect(record.values.E_dist_I).toBeCloseTo(Math.sqrt(distI), 6);
  });

  it('still disposes the frame and errors the stream when the metric computation fails', () => {
    // A second model whose constants are already released: computing metrics with it throws.
    const broken = new PatchModel(config);
    broken.dispose();
    const before = numTensors();
    const seen: Tensor[] = [];
    const { values, error } = drain(
      stepped(of(0)).pipe(
        tap((frame) => seen.push(frame.tensors.loss, frame.tensors.gradW)),
        extractMetrics(broken, { every: 1 }),
      ),
    );
    expect(values).toEqual([]);
    expect(error).toBeInstanceOf(Error);
    for (const t of seen) expect(t.isDisposed).toBe(true);
    expect(numTensors()).toBe(before);
  });
});
