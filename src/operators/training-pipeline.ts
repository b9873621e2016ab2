import { map, pipe, type OperatorFunction } from 'rxjs';
import type { PatchModel } from '../model/patch-model.js';
import type { MetricPluginHost } from './metrics/metric-plugin-host.js';
import type { TrainState } from '../model/train-state.js';
import { augment } from './augment.js';
import { extractMetrics } from './extract-metrics.js';
import { forwardBackward } from './forward-backward.js';
import { owningFrame, type MetricRecord, type SteppedFrame, type Tick } from './frames.js';
import { optimiserStep } from './optimiser-step.js';
import { sampleBatch } from './sample-batch.js';

export interface TrainingPipelineOptions {
  /** Record metrics every this many steps. */
  readonly metricsEvery: number;
  /** Computes the metric plug-ins at recorded steps (absent: core metrics only). */
  readonly metricHost?: MetricPluginHost;
  /** Called after each update, before metrics, with the state at its new step. */
  readonly afterStep?: (frame: SteppedFrame) => void;
}

/**
 * The whole training step as one operator: ticks in, metric records out.
 * sampleBatch → augment → forwardBackward → optimiserStep → extractMetrics.
 * @example pullTicks(control, range).pipe(trainingPipeline(model, state, { metricsEvery: 10 }))
 */
export function trainingPipeline(model: PatchModel, state: TrainState, options: TrainingPipelineOptions): OperatorFunction<Tick, MetricRecord> {
  const afterStep = options.afterStep;
  return pipe(
    sampleBatch(model.config),
    augment(),
    forwardBackward(model, state),
    optimiserStep(),
    // The hook sees a frame that still holds tensors; if it throws, owningFrame frees them.
    afterStep ? map((frame: SteppedFrame) => owningFrame(frame, (f) => (afterStep(f), f))) : (frames) => frames,
    extractMetrics(model, { every: options.metricsEvery, plugins: options.metricHost }),
  );
}
