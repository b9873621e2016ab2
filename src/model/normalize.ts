import type { RunConfig } from '../config/schema.js';
import { tf, type Tensor, type Tensor2D } from './tf.js';

/** A normalised m×N matrix (samples as columns) and the factor it was scaled by. */
export interface Normalized {
  readonly y: Tensor2D;
  /** r = 1/sqrt(var + eps) per row (bn), 1/sqrt(‖x‖² + eps) per column (l2); null for off. */
  readonly scale: Tensor | null;
}

/** The normalisation after the head, with its closed-form backward pass. */
export interface Normalizer {
  forward(x: Tensor2D): Normalized;
  /** ∂L/∂x from ∂L/∂y, for the y and scale of {@link forward}. */
  backward(dy: Tensor2D, out: Normalized): Tensor2D;
}

/**
 * - `bn`: BatchNorm per output coordinate over the batch, no affine, biased variance:
 *   y = (x − mean)·r. Backward: dx = r·(dy − mean(dy) − y ⊙ mean(dy ⊙ y)), row by row
 *   (exact with eps: r³(x − μ) = r·y).
 * - `l2`: each sample divided by sqrt(‖x‖² + eps). Backward: dx = r·(dy − y·Σ_j y_j dy_j).
 * - `off`: identity.
 */
export function makeNormalizer(config: RunConfig): Normalizer {
  const eps = config.norm.eps;
  switch (config.norm.mode) {
    case 'bn':
      return {
        forward: (x) => {
          const centred = tf.sub(x, tf.mean(x, 1, true));
          const scale = tf.rsqrt(tf.add(tf.mean(tf.square(centred), 1, true), eps));
          return { y: tf.mul(centred, scale), scale };
        },
        backward: (dy, { y, scale }) =>
          tf.mul(tf.sub(tf.sub(dy, tf.mean(dy, 1, true)), tf.mul(y, tf.mean(tf.mul(dy, y), 1, true))), scale!),
      };
    case 'l2':
      return {
        forward: (x) => {
          const scale = tf.rsqrt(tf.add(tf.sum(tf.square(x), 0, true), eps));
          return { y: tf.mul(x, scale), scale };
        },
        backward: (dy, { y, scale }) => tf.mul(tf.sub(dy, tf.mul(y, tf.sum(tf.mul(dy, y), 0, true))), scale!),
      };
    case 'off':
      return {
        forward: (x) => ({ y: x, scale: null }),
        backward: (dy) => dy,
      };
  }
}
