import type { RunConfig } from '../config/schema.js';
import type { PatchBatch } from '../model/data.js';
import { disposeStep, type StepTensors } from '../model/patch-model.js';
import type { TrainState } from '../model/train-state.js';
import type { ViewBatch } from '../model/views.js';
import type { PhaseEvent } from './phases/phase-event.js';

/** A tick: the index t of the update about to be computed (state.step === t before it). */
export type Tick = number;

/** After {@link sampleBatch}: the batch of step t. */
export interface SampledFrame {
  readonly step: Tick;
  readonly config: RunConfig;
  readonly batch: PatchBatch;
}

/** After {@link augment}: the two views of the batch. */
export interface AugmentedFrame extends SampledFrame {
  readonly views: ViewBatch;
}

/** After {@link forwardBackward}: loss, forward outputs and gradients, as tensors it owns. */
export interface DifferentiatedFrame extends AugmentedFrame {
  readonly state: TrainState;
  readonly tensors: StepTensors;
}

/** After {@link optimiserStep}: the update is applied; `state.step` is now `step + 1`. */
export type SteppedFrame = DifferentiatedFrame;

/** Plain numbers recorded at one step: no tensors, safe to share, store and send. */
export interface MetricRecord {
  /** Updates applied when the values were taken. */
  readonly step: number;
  readonly values: Readonly<Record<string, number>>;
  /** Detector events raised by this record (see `detectPhases`); absent when none. */
  readonly events?: readonly PhaseEvent[];
}

/**
 * Runs `fn` on a frame that holds tensors; if `fn` throws, the frame's tensors are disposed
 * before the error travels on, since no later stage will receive them.
 */
export function owningFrame<F extends DifferentiatedFrame, R>(frame: F, fn: (frame: F) => R): R {
  try {
    return fn(frame);
  } catch (error) {
    disposeStep(frame.tensors);
    throw error;
  }
}
