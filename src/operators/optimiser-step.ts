import { map, type OperatorFunction } from 'rxjs';
import { tf } from '../model/tf.js';
import type { DifferentiatedFrame, SteppedFrame } from './frames.js';
import { owningFrame } from './frames.js';

/**
 * Applies the frame's gradients with the state's optimiser (η for W, η_E for E), renormalises
 * the neurons when `model.weightNorm` is `unit`, and advances the step counter. Gradients stay
 * in the frame for the metric stages, which dispose them.
 * @example frames$.pipe(optimiserStep())
 */
export function optimiserStep(): OperatorFunction<DifferentiatedFrame, SteppedFrame> {
  return map((frame) =>
    owningFrame(frame, ({ state, tensors, config }) => {
      state.optimizer.applyGradients(tensors.gradE ? { W: tensors.gradW, E: tensors.gradE } : { W: tensors.gradW });
      if (config.model.weightNorm === 'unit') {
        tf.tidy(() => state.W.assign(tf.div(state.W, tf.norm(state.W, 'euclidean', 0, true))));
      }
      state.step = frame.step + 1;
      return frame;
    }),
  );
}
