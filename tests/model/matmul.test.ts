import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { selectBackend } from '../../src/model/backend.js';
import { samplePatchBatch } from '../../src/model/data.js';
import { matMulABt, matMulAtB } from '../../src/model/matmul.js';
import { disposeStep, PatchModel } from '../../src/model/patch-model.js';
import { tf, type Tensor2D } from '../../src/model/tf.js';
import { TrainState } from '../../src/model/train-state.js';
import { applyViews, sampleViewMask } from '../../src/model/views.js';

/** max |a − b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** The same product computed in float64 by a triple loop: (r×k)·(c×k)ᵀ. */
function abtByHand(a: Float32Array, b: Float32Array, r: number, c: number, k: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) for (let t = 0; t < k; t++) out[i * c + j] += a[i * k + t] * b[j * k + t];
  return out;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('matMulABt and matMulAtB on wasm', () => {
  it('match a float64 triple loop for narrow and wide results', () => {
    for (const [r, c, k] of [
      [2, 2, 1000],
      [40, 24, 3000],
    ]) {
      const [a, b] = [tf.randomNormal([r, k], 0, 1, 'float32', 1) as Tensor2D, tf.randomNormal([c, k], 0, 1, 'float32', 2) as Tensor2D];
      const expected = abtByHand(a.dataSync() as Float32Array, b.dataSync() as Float32Array, r, c, k);
      const abt = matMulABt(a, b);
      const atb = tf.tidy(() => matMulAtB(tf.transpose(a) as Tensor2D, tf.transpose(b) as Tensor2D));
      expect(abt.shape).toEqual([r, c]);
      expect(relativeError(abt.dataSync(), expected)).toBeLessThan(1e-5);
      // (Aᵀ)ᵀ·Bᵀ is the same A·Bᵀ.
      expect(atb.shape).toEqual([r, c]);
      expect(relativeError(atb.dataSync(), expected)).toBeLessThan(1e-5);
      [a, b, abt, atb].forEach((t) => t.dispose());
    }
  });

  it('leave the closed-form backward pass equal to autodiff at m = 20 (the explicitly transposed path)', () => {
    const grads = (backward: 'closed-form' | 'autodiff', noise: 'explicit' | 'projected') => {
      const { config } = resolveConfig({ overrides: { data: { d: 24, batchSize: 64, noise }, model: { m: 20, backward }, init: { mode: 'random' }, head: { mode: 'full' } } });
      const model = new PatchModel(config);
      const state = TrainState.create(config);
      const views = applyViews(config, samplePatchBatch(config, 3), sampleViewMask(config, 3));
      const out = model.forwardBackward(state, views);
      const result = { W: out.gradW.dataSync(), E: out.gradE!.dataSync() };
      disposeStep(out);
      state.dispose();
      model.dispose();
      return result;
    };
    for (const noise of ['explicit', 'projected'] as const) {
      const closed = grads('closed-form', noise);
      const auto = grads('autodiff', noise);
      expect(relativeError(closed.W, auto.W), `${noise} ∂L/∂W`).toBeLessThan(1e-3);
      expect(relativeError(closed.E, auto.E), `${noise} ∂L/∂E`).toBeLessThan(1e-3);
    }
  });
});
