import type { RunConfig } from '../../../config/schema.js';
import type { MetricPlugin } from '../define-metric.js';
import { rankMetric } from './effective-rank.js';
import { gradientsMetric } from './gradient-norms.js';
import { predictorsMetric } from './predictors.js';

/** The built-in metric plug-ins a config switches on (`metrics.predictors`, `.rank`, `.gradients`). */
export function builtinMetrics(config: RunConfig): MetricPlugin[] {
  const { predictors, rank, gradients } = config.metrics;
  return [...(predictors ? [predictorsMetric] : []), ...(rank ? [rankMetric] : []), ...(gradients ? [gradientsMetric] : [])];
}
