import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { samplePatchBatch } from '../../src/model/data.js';
import { featureBasis } from '../../src/model/features.js';
import { PatchModel, disposeStep } from '../../src/model/patch-model.js';
import { tf } from '../../src/model/tf.js';
import { TrainState } from '../../src/model/train-state.js';
import { applyViews, sampleViewMask } from '../../src/model/views.js';
import {
  closedFormBnTargetGradients,
  finiteDifference,
  materialiseViews,
  referenceLoss,
  relativeError,
  toMat,
  type Mat,
  type RefOptions,
} from '../helpers/reference-model.js';
import { gaussianMatrix } from '../helpers/test-rng.js';
import { selectBackend } from '../../src/model/backend.js';

const HEADS = ['offdiag', 'full', 'none'] as const;
const NORMS = ['bn', 'l2', 'off'] as const;
const STOPS = ['target', 'online', 'none'] as const;
const BACKWARDS = ['closed-form', 'autodiff'] as const;

beforeAll(async () => {
  await selectBackend('cpu');
});

function smallConfig(overrides: Record<string, unknown>): RunConfig {
  return resolveConfig({
    overrides: { data: { d: 6, P: 4, k: 1, batchSize: 8, noise: 'explicit' }, model: { m: 2 }, init: { mode: 'random' }, ...overrides },
  }).config;
}

function refOptions(config: RunConfig): RefOptions {
  const rho = config.model.rho;
  const truncated = config.model.activation === 'truncated';
  return {
    norm: config.norm.mode,
    eps: config.norm.eps,
    sigma: (z) => (!truncated || Math.abs(z) <= rho ? z ** 3 : Math.sign(z) * (rho ** 3 + 3 * rho * rho * (Math.abs(z) - rho))),
    sigmaPrime: (z) => (!truncated || Math.abs(z) <= rho ? 3 * z * z : 3 * rho * rho),
  };
}

/** Runs the model's forward/backward at W, E and returns loss and gradients as plain matrices. */
function modelGradients(config: RunConfig, W: Mat, E: Mat, step: number) {
  const { d } = config.data;
  const { m } = config.model;
  const model = new PatchModel(config);
  const state = TrainState.create(config);
  state.restore({ ...state.snapshot(), W: Float32Array.from(W.flat()), E: Float32Array.from(E.flat()) });
  const views = applyViews(config, samplePatchBatch(config, step), sampleViewMask(config, step));
  const out = model.forwardBackward(state, views);
  const result = {
    loss: out.loss.dataSync()[0],
    dW: toMat(out.gradW.dataSync(), d, m),
    dE: out.gradE ? toMat(out.gradE.dataSync(), m, m) : null,
  };
  disposeStep(out);
  state.dispose();
  model.dispose();
  return result;
}

function referenceViews(config: RunConfig, step: number) {
  return materialiseViews(config, samplePatchBatch(config, step), sampleViewMask(config, step), featureBasis(config));
}

/** W with O(1) pre-activations and an E away from the identity, so every term matters. */
function parameters(config: RunConfig, seed: number): { W: Mat; E: Mat } {
  const { d } = config.data;
  const { m } = config.model;
  const W = gaussianMatrix(d, m, seed, 0.7);
  const E = gaussianMatrix(m, m, seed + 1, 0.3).map((row, j) => row.map((x, r) => (j === r ? (config.head.mode === 'full' ? 1 + x : 1) : config.head.mode === 'none' ? 0 : x)));
  return { W, E };
}

describe('gradients agree with finite differences of an independent float64 reference', () => {
  for (const backward of BACKWARDS) {
    for (const head of HEADS) {
      for (const norm of NORMS) {
        for (const stop of STOPS) {
          it(`${backward}, head ${head}, norm ${norm}, stop-grad ${stop}`, () => {
            const config = smallConfig({ head: { mode: head }, norm: { mode: norm }, stopGrad: { mode: stop }, model: { m: 2, backward } });
            const { W, E } = parameters(config, 11);
            const views = referenceViews(config, 3);
            const o = refOptions(config);
            const got = modelGradients(config, W, E, 3);

            expect(got.loss).toBeCloseTo(referenceLoss(W, W, E, views, o), 4);

            // A stop-gradient holds its branch at the current W: only the other branch moves.
            const lossOfW = (Wm: Mat) => referenceLoss(stop === 'online' ? W : Wm, stop === 'target' ? W : Wm, E, views, o);
            const fdW = finiteDifference(W, lossOfW);
            expect(relativeError(got.dW, fdW)).toBeLessThan(2e-3);

            const trainable = (j: number, r: number) => head === 'full' || (head === 'offdiag' && j !== r);
            if (head === 'none' || stop === 'online') {
              // No trainable entry reaches the loss through an unstopped path.
              expect(got.dE === null || got.dE.flat().every((x) => x === 0)).toBe(true);
            } else {
              const fdE = finiteDifference(E, (Em) => referenceLoss(W, W, Em, views, o)).map((row, j) => row.map((x, r) => (trainable(j, r) ? x : 0)));
              expect(got.dE).not.toBeNull();
              expect(relativeError(got.dE!, fdE)).toBeLessThan(2e-3);
            }
          });
        }
      }
    }
  }

  it('truncated activation, both backward passes', () => {
    for (const backward of BACKWARDS) {
      const config = smallConfig({ model: { m: 3, activation: 'truncated', rho: 0.5, backward } });
      const { W, E } = parameters(config, 5);
      const views = referenceViews(config, 7);
      const o = refOptions(config);
      const got = modelGradients(config, W, E, 7);
      const fdW = finiteDifference(W, (Wm) => referenceLoss(Wm, W, E, views, o));
      expect(relativeError(got.dW, fdW)).toBeLessThan(2e-3);
    }
  });
});

describe('gradients agree with the closed form of SPEC §2 (BN, stop-grad on the target)', () => {
  for (const backward of BACKWARDS) {
    for (const m of [2, 3]) {
      it(`${backward}, m = ${m}`, () => {
        const config = smallConfig({ model: { m, backward }, head: { mode: 'full' } });
        const { W, E } = parameters(config, 23 + m);
        const views = referenceViews(config, 1);
        const closed = closedFormBnTargetGradients(W, E, views, refOptions(config));
        // The reference closed form itself agrees with finite differences …
        const fd = finiteDifference(W, (Wm) => referenceLoss(Wm, W, E, views, refOptions(config)));
        expect(relativeError(closed.dW, fd)).toBeLessThan(1e-6);
        // … and the model agrees with it.
        const got = modelGradients(config, W, E, 1);
        expect(relativeError(got.dW, closed.dW)).toBeLessThan(2e-3);
        expect(relativeError(got.dE!, closed.dE)).toBeLessThan(2e-3);
      });
    }
  }

  it('the two backward passes agree with each other to float32 rounding', () => {
    const base = { head: { mode: 'offdiag' } };
    const a = smallConfig({ ...base, model: { m: 3, backward: 'closed-form' } });
    const b = smallConfig({ ...base, model: { m: 3, backward: 'autodiff' } });
    const { W, E } = parameters(a, 99);
    const ga = modelGradients(a, W, E, 4);
    const gb = modelGradients(b, W, E, 4);
    expect(relativeError(ga.dW, gb.dW)).toBeLessThan(1e-4);
    expect(relativeError(ga.dE!, gb.dE!)).toBeLessThan(1e-4);
  });
});
