import type { MetricPluginState } from '../operators/metrics/metric-plugin-host.js';
import type { PhaseDetectorState } from '../operators/phases/phase-detector.js';

/**
 * What a run remembers besides its parameters: the detectors' memory and its metric plug-ins'
 * memory (an EMA, say). Saved with every checkpoint, so a resumed run or a branch goes on
 * exactly as an uninterrupted one.
 */
export interface RunMemory {
  readonly detector: PhaseDetectorState;
  readonly metrics: MetricPluginState;
}

/** The memory inside a checkpoint's extras; undefined for checkpoints written before detection. */
export function memoryFromExtras(extras: Readonly<Record<string, unknown>> | undefined): RunMemory | undefined {
  if (!extras?.detector) return undefined;
  return { detector: extras.detector as PhaseDetectorState, metrics: (extras.metrics ?? {}) as MetricPluginState };
}

/** A checkpoint's extras holding `memory`. */
export function memoryExtras(memory: RunMemory | undefined): { extras?: Record<string, unknown> } {
  return memory ? { extras: { detector: memory.detector, metrics: memory.metrics } } : {};
}
