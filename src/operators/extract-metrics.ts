import { filter, map, type OperatorFunction } from 'rxjs';
import type { PatchModel } from '../model/patch-model.js';
import { disposeStep } from '../model/patch-model.js';
import type { MetricRecord, SteppedFrame } from './frames.js';
import { computeCoreMetrics } from './metrics/core-metrics.js';

export interface ExtractMetricsOptions {
  /** Record when the state's step is a multiple of this (1 = every step). */
  readonly every: number;
}

/**
 * Turns stepped frames into plain metric records (one batched read-back per recorded step) and
 * ends the life of every tensor the frame carried: nothing past this operator holds a tensor.
 * Steps that are not recorded emit nothing.
 * @example frames$.pipe(extractMetrics(model, { every: 10 }))
 */
export function extractMetrics(model: PatchModel, options: ExtractMetricsOptions): OperatorFunction<SteppedFrame, MetricRecord> {
  const { every } = options;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`extractMetrics: every must be a positive integer, got ${every}`);
  return (source) =>
    source.pipe(
      map((frame): MetricRecord | null => {
        try {
          const step = frame.state.step;
          return step % every === 0 ? { step, values: computeCoreMetrics(model, frame.state, frame.tensors) } : null;
        } finally {
          disposeStep(frame.tensors);
        }
      }),
      filter((record): record is MetricRecord => record !== null),
    );
}
