import { tf, type Tensor } from './tf.js';

type RefCounting = { incRef(dataId: object): void };

/** The portable stop-gradient: identity forward, zero gradient backward. */
const zeroGradient = tf.customGrad(((x: Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: Tensor) => Tensor;

/**
 * Identity in the forward pass, no gradient in the backward pass (tfjs has no stop-gradient op).
 *
 * Where the backend counts references to its buffers (wasm, cpu), the result is a new tensor over
 * the same buffer made without running a kernel, as the backends' own reshape does. The tape
 * then never connects it to its input, so autodiff runs no backward ops for what is computed
 * from it alone — the zero-gradient fallback would still differentiate through that branch.
 */
export function stopGradient<T extends Tensor>(x: T): T {
  const backend = tf.backend() as unknown as Partial<RefCounting>;
  try {
    backend.incRef!(x.dataId);
  } catch {
    return zeroGradient(x) as T;
  }
  return tf.engine().makeTensorFromDataId(x.dataId, x.shape, x.dtype) as T;
}
