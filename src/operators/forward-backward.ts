import { map, type OperatorFunction } from 'rxjs';
import type { PatchModel } from '../model/patch-model.js';
import type { TrainState } from '../model/train-state.js';
import type { AugmentedFrame, DifferentiatedFrame } from './frames.js';

/**
 * Computes loss, forward outputs and gradients at the current state for each frame's views.
 * The emitted frame owns the tensors; a later stage must dispose them.
 * @example frames$.pipe(forwardBackward(model, state))
 */
export function forwardBackward(model: PatchModel, state: TrainState): OperatorFunction<AugmentedFrame, DifferentiatedFrame> {
  return map((frame) => {
    if (state.step !== frame.step) {
      throw new Error(`forwardBackward: frame for step ${frame.step} reached a state at step ${state.step}; ticks must follow the state`);
    }
    return { ...frame, state, tensors: model.forwardBackward(state, frame.views) };
  });
}
