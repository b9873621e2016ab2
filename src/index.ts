/**
 * phasewatch as a library: configs, the model, the RxJS operators, runs and the store.
 * @example
 * import { resolveConfig, Run } from 'phasewatch';
 * const run = new Run(resolveConfig({ preset: 'head-none' }).config);
 * run.metrics$.subscribe(({ step, values }) => console.log(step, values.cos_2_1));
 * await run.start();
 * run.dispose();
 */
export { resolveConfig, validateConfig, parseAssignments } from './config/load.js';
export { PRESETS, PRESET_NAMES, type PresetName } from './config/presets.js';
export { RunConfigSchema, type RunConfig, type RunConfigInput } from './config/schema.js';
export { ConfigError, PhasewatchError, PluginError, StateError, UsageError } from './errors.js';
export { BACKENDS, selectBackend, type BackendName } from './model/backend.js';
export { samplePatchBatch, noiseAt, type PatchBatch } from './model/data.js';
export { applyViews, sampleViewMask, type ViewBatch } from './model/views.js';
export { PatchModel, disposeStep, type StepTensors } from './model/patch-model.js';
export { TrainState, type TrainStateSnapshot } from './model/train-state.js';
export { Rng, RngStream } from './model/rng.js';
export { sampleBatch } from './operators/sample-batch.js';
export { augment } from './operators/augment.js';
export { forwardBackward } from './operators/forward-backward.js';
export { optimiserStep } from './operators/optimiser-step.js';
export { extractMetrics } from './operators/extract-metrics.js';
export { trainingPipeline } from './operators/training-pipeline.js';
export { coreMetricNames } from './operators/metrics/core-metrics.js';
export {
  defineMetric,
  metricOperator,
  isMetricPlugin,
  type MetricDefinition,
  type MetricPlugin,
  type ComputeMetricPlugin,
  type OperatorMetricPlugin,
  type MetricValue,
  type MetricValues,
} from './operators/metrics/define-metric.js';
export type { StepFrame } from './operators/metrics/step-frame.js';
export { MetricPluginHost, type MetricPluginHostOptions, type MetricPluginState } from './operators/metrics/metric-plugin-host.js';
export { MetricModules, metricPluginsFor, withMetricFiles, type MetricModuleInfo } from './operators/metrics/metric-modules.js';
export { loadMetricModule } from './operators/metrics/load-metric-module.js';
export { builtinMetrics } from './operators/metrics/builtins/builtin-metrics.js';
export { optimalPredictor, directPredUpdate, directPredHead, unitDiagonal, effectiveRank, frobeniusDistance } from './operators/metrics/closed-form-predictors.js';
export type { RunMemory } from './streams/run-memory.js';
export type { MetricRecord, SampledFrame, AugmentedFrame, DifferentiatedFrame, SteppedFrame, Tick } from './operators/frames.js';
export { Run, type RunOutcome, type CheckpointEvent } from './streams/run.js';
export { RunControl, type ControlState } from './streams/run-control.js';
export { pullTicks } from './streams/ticks.js';
export { RunRecorder } from './streams/run-recorder.js';
export { Store } from './store/store.js';
export { encodeCheckpoint, decodeCheckpoint } from './store/checkpoint-codec.js';
export { analyseTrajectory, PHASE_THRESHOLDS, type PhaseMarks, type Trajectory } from './analysis/trajectory.js';
export { batches$ } from './streams/batches.js';
export { detectPhases } from './operators/phases/detect-phases.js';
export { detectChangePoints } from './operators/phases/detect-change-points.js';
export { PhaseDetector, type PhaseDetectorState } from './operators/phases/phase-detector.js';
export { TheoryDetector, DEFAULT_THEORY_OPTIONS, type TheoryDetectorOptions } from './operators/phases/theory-detector.js';
export { SeriesChangeDetector, DEFAULT_SERIES_CHANGE_OPTIONS, type ChangePoint, type SeriesChangeDetectorOptions } from './operators/phases/series-change-detector.js';
export { Bocpd, DEFAULT_BOCPD_OPTIONS, type BocpdOptions, type BocpdAlarm } from './operators/phases/bocpd.js';
export { PageHinkley, DEFAULT_PAGE_HINKLEY_OPTIONS, type PageHinkleyOptions } from './operators/phases/page-hinkley.js';
export { PHASES, RUN_STATES, type PhaseEvent, type RunPhaseEvent, type PhaseName, type RunStateName } from './operators/phases/phase-event.js';
export { groundTruthBoundaries, type Boundary } from './analysis/phase-boundaries.js';
