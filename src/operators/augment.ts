import { map, type OperatorFunction } from 'rxjs';
import { applyViews, sampleViewMask } from '../model/views.js';
import type { AugmentedFrame, SampledFrame } from './frames.js';

/**
 * Draws the step's complementary patch masks and splits each sample into its two views.
 * @example ticks$.pipe(sampleBatch(config), augment())
 */
export function augment(): OperatorFunction<SampledFrame, AugmentedFrame> {
  return map((frame) => ({ ...frame, views: applyViews(frame.config, frame.batch, sampleViewMask(frame.config, frame.step)) }));
}
