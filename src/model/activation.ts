import type { RunConfig } from '../config/schema.js';
import { stopGradient } from './stop-gradient.js';
import { tf, type Tensor } from './tf.js';

/** σ and its derivative, elementwise on pre-activations (σ with tfjs gradients). */
export interface Activation {
  value(h: Tensor): Tensor;
  derivative(h: Tensor): Tensor;
}

/**
 * The encoder's activation: σ(z) = z³, or its truncated variant — z³ for |z| ≤ ρ and the
 * tangent line beyond (ρ³ + 3ρ²(|z| − ρ), odd), which keeps σ and σ' continuous while
 * bounding the growth of large pre-activations. Both have σ(0) = σ'(0) = 0, which the patch
 * layout relies on: empty slots contribute nothing forward or backward.
 */
export function makeActivation(config: RunConfig): Activation {
  if (config.model.activation === 'cubic') {
    return {
      value: (h) => tf.mul(tf.square(h), h),
      derivative: (h) => tf.mul(tf.square(h), 3),
    };
  }
  const rho = config.model.rho;
  // The branch condition is not differentiable (and tfjs has no gradient for it): keep it off the tape.
  const inside = (h: Tensor) => tf.lessEqual(tf.abs(stopGradient(h)), rho);
  return {
    value: (h) => {
      const linear = tf.mul(tf.sign(h), tf.add(tf.mul(tf.sub(tf.abs(h), rho), 3 * rho * rho), rho ** 3));
      return tf.where(inside(h), tf.mul(tf.square(h), h), linear);
    },
    derivative: (h) => tf.where(inside(h), tf.mul(tf.square(h), 3), tf.fill(h.shape, 3 * rho * rho)),
  };
}
