import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../frames.js';
import type { PhaseDetector } from './phase-detector.js';

/**
 * Runs every metric record past the run's detectors and attaches the events it raised
 * (`record.events`, absent when none). The detector's memory lives in the detector, not in the
 * subscription, so it can be checkpointed between records and a resumed run detects exactly as
 * an uninterrupted one.
 * @example records$.pipe(detectPhases(PhaseDetector.fromConfig(config)))
 */
export function detectPhases(detector: PhaseDetector): MonoTypeOperatorFunction<MetricRecord> {
  return map((record) => {
    const events = detector.observe(record);
    return events.length ? { ...record, events: [...(record.events ?? []), ...events] } : record;
  });
}
