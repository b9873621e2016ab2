import { filter, map, type OperatorFunction } from 'rxjs';
import type { PatchModel } from '../model/patch-model.js';
import { disposeStep } from '../model/patch-model.js';
import type { MetricRecord, SteppedFrame } from './frames.js';
import { computeCoreMetrics } from './metrics/core-metrics.js';
import type { MetricPluginHost } from './metrics/metric-plugin-host.js';

export interface ExtractMetricsOptions {
  /** Record when the state's step is a multiple of this (1 = every step). */
  readonly every: number;
  /** Metric plug-ins computed on the same frames (their failures stay inside the host). */
  readonly plugins?: MetricPluginHost;
}

/**
 * Turns stepped frames into plain metric records (one batched read-back per recorded step for
 * the core metrics, then the plug-ins' own) and
 * ends the life of every tensor the frame carried: nothing past this operator holds a tensor.
 * Steps that are not recorded emit nothing.
 * @example frames$.pipe(extractMetrics(model, { every: 10 }))
 */
export function extractMetrics(model: PatchModel, options: ExtractMetricsOptions): OperatorFunction<SteppedFrame, MetricRecord> {
  const { every, plugins } = options;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`extractMetrics: every must be a positive integer, got ${every}`);
  return (source) =>
    source.pipe(
      map((frame): MetricRecord | null => {
        try {
          const step = frame.state.step;
          if (step % every !== 0) return null;
          const core = computeCoreMetrics(model, frame.state, frame.tensors);
          if (!plugins) return { step, values: core };
          const { values, events } = plugins.measure(model, frame, core);
          return { step, values: { ...core, ...values }, ...(events.length ? { events } : {}) };
        } finally {
          disposeStep(frame.tensors);
        }
      }),
      filter((record): record is MetricRecord => record !== null),
    );
}
