import type { RunConfig } from '../../config/schema.js';
import type { PatchModel } from '../../model/patch-model.js';
import { tf, type Scalar, type Tensor2D } from '../../model/tf.js';
import type { SteppedFrame } from '../frames.js';

/**
 * What a metric plug-in sees at a recorded step: read-only views of the model's state and of
 * the forward/backward pass that led to it.
 *
 * `W` and `E` are the parameters after the update of this step (`step` updates applied); the
 * batch quantities (`f1`, `f2`, `F`, `G`, `loss`, the gradients) come from the forward pass
 * that computed the update, i.e. at the parameters just before it. Matrices hold samples as
 * columns. Every tensor is valid only during the call: keep numbers, not tensors.
 */
export interface StepFrame {
  /** Updates applied so far. */
  readonly step: number;
  readonly config: RunConfig;
  /** Encoder weights w_1..w_m as columns, d×m. */
  readonly W: Tensor2D;
  /** Prediction head, m×m (the identity for head mode `none`). */
  readonly E: Tensor2D;
  /** The feature vectors v_1, v_2 as columns, d×2. */
  readonly features: Tensor2D;
  /** Encoder outputs f(X^(1)) and f(X^(2)) of the batch's two views, m×N. */
  readonly f1: Tensor2D;
  readonly f2: Tensor2D;
  /** Online branch F = E f(X^(1)) and target branch G = f(X^(2)), before normalisation, m×N. */
  readonly F: Tensor2D;
  readonly G: Tensor2D;
  readonly loss: Scalar;
  /** ∂L/∂W (d×m) and ∂L/∂E (m×m, masked to the trainable entries; null when the head does not train). */
  readonly gradW: Tensor2D;
  readonly gradE: Tensor2D | null;
  /** The TensorFlow.js instance the run computes with: use it, not another copy, for tensor math. */
  readonly tf: typeof tf;
}

/**
 * A plug-in's view of a stepped frame. Each tensor is a fresh handle onto the same data
 * (`tf.clone` copies nothing), so a plug-in that disposes one cannot free the run's own; call
 * inside `tf.tidy` so the handles end with the call.
 */
export function stepFrameOf(model: PatchModel, frame: SteppedFrame): StepFrame {
  const { tensors, state } = frame;
  return Object.freeze({
    step: state.step,
    config: frame.config,
    W: tf.clone(state.W) as Tensor2D,
    E: tf.clone(state.E) as Tensor2D,
    features: tf.clone(model.basis),
    f1: tf.clone(tensors.f1),
    f2: tf.clone(tensors.f2),
    F: tf.clone(tensors.F),
    G: tf.clone(tensors.G),
    loss: tf.clone(tensors.loss),
    gradW: tf.clone(tensors.gradW),
    gradE: tensors.gradE ? tf.clone(tensors.gradE) : null,
    tf,
  });
}
