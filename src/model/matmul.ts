import { tf, type Tensor2D } from './tf.js';

/**
 * a·bᵀ and aᵀ·b, choosing how to transpose. tfjs-wasm's matMul with a transposed operand is
 * several times slower than a plain product once both sides of the result are wide: a·bᵀ for
 * 64×16384 operands takes ≈ 40 ms, an explicit transpose and a plain product ≈ 6 ms; for the
 * m = 2 products (a result with a side of 2) the transpose flag is the faster. Measured on this
 * project's CPU machines; other backends keep the flags (the cpu backend is no faster either
 * way, native BLAS transposes for free).
 *
 * The path depends only on the backend and the shapes, so a run stays bit-for-bit reproducible
 * on one backend.
 */

/** Both sides of the result at least this wide: the explicit transpose pays (wasm). */
const WIDE = 16;

function explicitTranspose(rows: number, cols: number): boolean {
  return rows >= WIDE && cols >= WIDE && tf.getBackend() === 'wasm';
}

/** a·bᵀ: (r×k)·(c×k)ᵀ = r×c. */
export function matMulABt(a: Tensor2D, b: Tensor2D): Tensor2D {
  if (!explicitTranspose(a.shape[0], b.shape[0])) return tf.matMul(a, b, false, true);
  return tf.tidy(() => tf.matMul(a, tf.transpose(b)));
}

/** aᵀ·b: (k×r)ᵀ·(k×c) = r×c. */
export function matMulAtB(a: Tensor2D, b: Tensor2D): Tensor2D {
  if (!explicitTranspose(a.shape[1], b.shape[1])) return tf.matMul(a, b, true, false);
  return tf.tidy(() => tf.matMul(tf.transpose(a), b));
}
