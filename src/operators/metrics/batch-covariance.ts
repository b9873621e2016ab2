import { matMulABt } from '../../model/matmul.js';
import { tf, type Tensor2D } from '../../model/tf.js';

/**
 * E_batch[a bᵀ] over the columns (samples) of m×N features, centred by default: the
 * covariances the core metrics and the built-in plug-ins read (Cov f(X⁽¹⁾), C₂₁, DirectPred's
 * uncentred E[f fᵀ]).
 * @example batchCovariance(f2, f1) // (C₂₁)_jr = Cov(f_j(X⁽²⁾), f_r(X⁽¹⁾))
 */
export function batchCovariance(a: Tensor2D, b: Tensor2D = a, centre = true): Tensor2D {
  return tf.tidy(() => {
    const around = (f: Tensor2D) => (centre ? (tf.sub(f, tf.mean(f, 1, true)) as Tensor2D) : f);
    const ca = around(a);
    const cb = b === a ? ca : around(b);
    return tf.div(matMulABt(ca, cb), a.shape[1]) as Tensor2D;
  });
}
