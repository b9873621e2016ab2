import { defer, map, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../frames.js';
import type { PhaseEvent, PhaseName } from './phase-event.js';
import { SeriesChangeDetector, type ChangePoint, type SeriesChangeDetectorOptions } from './series-change-detector.js';

/**
 * Watches chosen series of a metric stream for change points (Bayesian online change-point
 * detection and a two-sided Page–Hinkley test on each) and attaches them to the records that
 * raised them as `change-point` events. Works on any series, custom metrics included; each
 * subscription has its own detectors. Runs use {@link PhaseDetector}, which adds the theory
 * rules and checkpoints the detectors; this operator is for your own pipelines.
 * @example metrics$.pipe(detectChangePoints(['loss', 'myMetric'], { warmup: 30 }))
 * @param series names to watch (records without one are passed through)
 * @param options detector settings (defaults: {@link DEFAULT_SERIES_CHANGE_OPTIONS})
 */
export function detectChangePoints(series: readonly string[], options: Partial<SeriesChangeDetectorOptions> = {}): MonoTypeOperatorFunction<MetricRecord> {
  // Validate before anything subscribes: a bad option is the caller's error, not the stream's.
  new SeriesChangeDetector(series[0] ?? 'check', options);
  return (source) =>
    defer(() => {
      const watchers = series.map((name) => new SeriesChangeDetector(name, options));
      return source.pipe(
        map((record) => {
          const events: PhaseEvent[] = [];
          for (const watcher of watchers) {
            const value = record.values[watcher.series];
            if (value !== undefined) for (const change of watcher.update(record.step, value)) events.push(changePointEvent(change, null));
          }
          return events.length ? { ...record, events: [...(record.events ?? []), ...events] } : record;
        }),
      );
    });
}

/** A change point as a detector event, in the phase the run was in. */
export function changePointEvent(change: ChangePoint, phase: PhaseName | null): PhaseEvent {
  const how = change.direction === 'variance' ? 'its noise level changed' : `its level went ${change.direction}`;
  return {
    kind: 'change-point',
    detector: change.detector,
    step: change.step,
    detectedAt: change.detectedAt,
    label: change.direction,
    phase,
    series: change.series,
    confidence: change.confidence,
    evidence: change.evidence,
    message: `change point on ${change.series} at step ${change.step}: ${how} (${change.detector}, detected at step ${change.detectedAt})`,
  };
}
