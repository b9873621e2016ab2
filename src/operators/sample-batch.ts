import { map, type OperatorFunction } from 'rxjs';
import type { RunConfig } from '../config/schema.js';
import { samplePatchBatch } from '../model/data.js';
import type { SampledFrame, Tick } from './frames.js';

/**
 * Maps each tick t to the batch of step t, a pure function of (seed, t).
 * @example ticks$.pipe(sampleBatch(config))
 */
export function sampleBatch(config: RunConfig): OperatorFunction<Tick, SampledFrame> {
  return map((step) => ({ step, config, batch: samplePatchBatch(config, step) }));
}
