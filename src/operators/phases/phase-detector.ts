import type { RunConfig } from '../../config/schema.js';
import type { MetricRecord } from '../frames.js';
import type { PhaseEvent, PhaseName } from './phase-event.js';
import { changePointEvent } from './detect-change-points.js';
import { DEFAULT_SERIES_CHANGE_OPTIONS, SeriesChangeDetector, type SeriesChangeDetectorOptions, type SeriesChangeDetectorState } from './series-change-detector.js';
import { DEFAULT_THEORY_OPTIONS, TheoryDetector, type TheoryDetectorState } from './theory-detector.js';

/** The detectors' memory, as plain JSON: saved with every checkpoint, restored on resume and branch. */
export interface PhaseDetectorState {
  readonly version: 1;
  readonly theory: TheoryDetectorState | null;
  readonly changePoints: Readonly<Record<string, SeriesChangeDetectorState>>;
}

/**
 * All the detectors of a run behind one `observe`: the SPEC §3 theory rules (when enabled) and
 * one online change-point detector per watched series (`phases.changePoints.series`).
 * @example
 * const detector = PhaseDetector.fromConfig(config);
 * const events = detector.observe({ step: 10, values: { loss: 1.9, … } });
 */
export class PhaseDetector {
  private constructor(
    private readonly theory: TheoryDetector | null,
    private readonly watchers: ReadonlyMap<string, SeriesChangeDetector>,
  ) {}

  /** Detectors for a run's config, continuing from `state` when given (a checkpoint's). */
  static fromConfig(config: RunConfig, state?: PhaseDetectorState): PhaseDetector {
    const { theory, changePoints } = config.phases;
    const theoryDetector = theory.enabled
      ? new TheoryDetector({ ...DEFAULT_THEORY_OPTIONS, m: config.model.m, headless: config.head.mode === 'none', peakDrop: theory.peakDrop, stallWindow: theory.stallWindow }, state?.theory ?? undefined)
      : null;
    const options = changePointOptions(config);
    const watchers = new Map<string, SeriesChangeDetector>();
    if (changePoints.bocpd.enabled || changePoints.pageHinkley.enabled) {
      for (const series of changePoints.series) {
        const saved = state?.changePoints[series];
        watchers.set(series, saved ? SeriesChangeDetector.restore(series, options, saved) : new SeriesChangeDetector(series, options));
      }
    }
    return new PhaseDetector(theoryDetector, watchers);
  }

  /** The theory phase the run is in (null before the first record or with the theory rules off). */
  get phase(): PhaseName | null {
    return this.theory?.phase ?? null;
  }

  /** Reads one metric record; returns the events it raised, theory first. */
  observe(record: MetricRecord): PhaseEvent[] {
    const events = this.theory ? this.theory.observe(record) : [];
    const phase = this.phase;
    for (const [series, watcher] of this.watchers) {
      const value = record.values[series];
      if (value === undefined) continue;
      for (const change of watcher.update(record.step, value)) events.push(changePointEvent(change, phase));
    }
    return events;
  }

  snapshot(): PhaseDetectorState {
    const changePoints: Record<string, SeriesChangeDetectorState> = {};
    for (const [series, watcher] of this.watchers) changePoints[series] = watcher.snapshot();
    return { version: 1, theory: this.theory?.snapshot() ?? null, changePoints };
  }
}

/** The change-point detector settings of a run's config (`phases.changePoints`). */
export function changePointOptions(config: RunConfig): SeriesChangeDetectorOptions {
  const { warmup, bocpd, pageHinkley } = config.phases.changePoints;
  return {
    ...DEFAULT_SERIES_CHANGE_OPTIONS,
    warmup,
    bocpdEnabled: bocpd.enabled,
    bocpd: { expectedRunLength: bocpd.expectedRunLength, threshold: bocpd.threshold, maxRunLength: bocpd.maxRunLength },
    pageHinkley: pageHinkley.enabled ? { delta: pageHinkley.delta, lambda: pageHinkley.lambda } : false,
  };
}
