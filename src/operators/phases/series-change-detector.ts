/**
 * Change points of one named metric series: the series standardised against its warm-up, then
 * watched by Bayesian online change-point detection and a two-sided Page–Hinkley test.
 */
import { Bocpd, type BocpdOptions, type BocpdState } from './bocpd.js';
import { PageHinkley, type PageHinkleyOptions, type PageHinkleyState } from './page-hinkley.js';
import { WarmupNormaliser, type WarmupNormaliserState } from './warmup-normaliser.js';

export interface ChangePoint {
  readonly series: string;
  readonly detector: 'bocpd' | 'page-hinkley';
  /** Estimated step of the change (step of the sample at which the new regime began). */
  readonly step: number;
  /** Step of the sample whose arrival triggered the alarm. */
  readonly detectedAt: number;
  /**
   * 0..1. bocpd: the posterior probability of a change within its window (≥ its threshold, 0.9 by
   * default). page-hinkley: min(1, statistic / (2·lambda)): 0.5 for a statistic just over the
   * threshold, 1 for twice it (statistic/lambda alone would always read 1, as an alarm needs
   * statistic > lambda).
   */
  readonly confidence: number;
  /** Mean up, mean down, or (bocpd) a change without a clear shift of the mean. */
  readonly direction: 'up' | 'down' | 'variance';
  /**
   * The numbers behind the alarm. Means and sds are in the series' own units; `lag` and
   * `runLength` count samples; `meanShiftZ` is in the warm-up's noise σ; `statistic` and `lambda`
   * in Page–Hinkley's running noise scale.
   */
  readonly evidence: Readonly<Record<string, number>>;
}

export interface SeriesChangeDetectorOptions {
  /** Samples that fix the centre and noise scale of the series (see WarmupNormaliser). */
  readonly warmup: number;
  readonly bocpd: Partial<BocpdOptions>;
  /** Page–Hinkley options, or false to run bocpd alone. */
  readonly pageHinkley: Partial<PageHinkleyOptions> | false;
  readonly bocpdEnabled: boolean;
  /**
   * Steps of the last `history` samples are kept to turn a lag back into a step; an older
   * estimated change (a Page–Hinkley turning point can lie far back) is reported at the oldest one.
   */
  readonly history: number;
  /**
   * A bocpd change is `up`/`down` when its mean moved by more than this many standard errors
   * (of the before and after segments), else `variance`.
   */
  readonly meanShiftSe: number;
}

export const DEFAULT_SERIES_CHANGE_OPTIONS: SeriesChangeDetectorOptions = {
  warmup: 50,
  bocpd: {},
  pageHinkley: {},
  bocpdEnabled: true,
  history: 256,
  meanShiftSe: 3,
};

/** Everything a {@link SeriesChangeDetector} remembers; plain JSON. */
export interface SeriesChangeDetectorState {
  readonly normaliser: WarmupNormaliserState;
  /** Steps of the warm-up samples not yet released by the normaliser. */
  readonly pendingSteps: number[];
  /** Steps of the last processed samples, oldest first (at most `history`). */
  readonly steps: number[];
  readonly bocpd: BocpdState | null;
  readonly pageHinkley: PageHinkleyState | null;
}

/** Shared by every update that finds nothing, so the common case allocates no array. */
const NONE: readonly ChangePoint[] = Object.freeze([]);

function append(list: readonly ChangePoint[], cp: ChangePoint): readonly ChangePoint[] {
  return list === NONE ? [cp] : [...list, cp];
}

/**
 * Feeds one series, step by step, to a warm-up normaliser and the enabled detectors, and turns
 * their alarms into {@link ChangePoint}s with steps (a series need not be recorded every step).
 * Both detectors report independently, so one change may give one point from each. The warm-up
 * samples reach the detectors together when the window fills; an alarm among them carries the
 * step of the warm-up sample that raised it as `detectedAt`, though it is returned only then.
 *
 * @example
 * const loss = new SeriesChangeDetector('loss');
 * for (const record of records) for (const cp of loss.update(record.step, record.loss)) events.push(cp);
 */
export class SeriesChangeDetector {
  readonly series: string;
  readonly options: SeriesChangeDetectorOptions;
  private normaliser: WarmupNormaliser;
  private bocpd: Bocpd | null;
  private pageHinkley: PageHinkley | null;
  private pendingSteps: number[] = [];
  /** Ring of processed samples' steps. */
  private readonly steps: Float64Array;
  private processed = 0;

  constructor(series: string, options: Partial<SeriesChangeDetectorOptions> = {}) {
    this.series = series;
    this.options = { ...DEFAULT_SERIES_CHANGE_OPTIONS, ...options };
    const { history, meanShiftSe, bocpdEnabled, pageHinkley } = this.options;
    if (!(Number.isInteger(history) && history >= 1)) throw new RangeError(`SeriesChangeDetector: history must be an integer ≥ 1, got ${history}`);
    if (!(meanShiftSe >= 0 && Number.isFinite(meanShiftSe))) throw new RangeError(`SeriesChangeDetector: meanShiftSe must be finite and ≥ 0, got ${meanShiftSe}`);
    this.normaliser = new WarmupNormaliser(this.options.warmup);
    this.bocpd = bocpdEnabled ? new Bocpd(this.options.bocpd) : null;
    this.pageHinkley = pageHinkley === false ? null : new PageHinkley(pageHinkley);
    this.steps = new Float64Array(history);
  }

  /** Feeds the series' value at `step`; returns the change points detected now (usually none). Non-finite values are ignored. */
  update(step: number, value: number): readonly ChangePoint[] {
    if (!Number.isFinite(step)) throw new RangeError(`SeriesChangeDetector.update: step must be finite, got ${step}`);
    if (!Number.isFinite(value)) return NONE;
    if (this.normaliser.ready) return this.process(step, this.normaliser.normalise(value), NONE);
    this.pendingSteps.push(step);
    const released = this.normaliser.push(value);
    if (released.length === 0) return NONE;
    let found = NONE;
    released.forEach((z, i) => (found = this.process(this.pendingSteps[i], z, found)));
    this.pendingSteps = [];
    return found;
  }

  snapshot(): SeriesChangeDetectorState {
    const kept = Math.min(this.processed, this.steps.length);
    const steps: number[] = [];
    for (let i = this.processed - kept; i < this.processed; i++) steps.push(this.steps[i % this.steps.length]);
    return {
      normaliser: this.normaliser.snapshot(),
      pendingSteps: [...this.pendingSteps],
      steps,
      bocpd: this.bocpd ? this.bocpd.snapshot() : null,
      pageHinkley: this.pageHinkley ? this.pageHinkley.snapshot() : null,
    };
  }

  /** A detector that continues exactly where the one that took `state` left off (same options required). */
  static restore(series: string, options: Partial<SeriesChangeDetectorOptions>, state: SeriesChangeDetectorState): SeriesChangeDetector {
    const d = new SeriesChangeDetector(series, options);
    if ((d.bocpd === null) !== (state.bocpd === null) || (d.pageHinkley === null) !== (state.pageHinkley === null)) {
      throw new RangeError('SeriesChangeDetector.restore: the state was taken with other detectors enabled');
    }
    d.normaliser = WarmupNormaliser.restore(d.options.warmup, state.normaliser);
    if (state.pendingSteps.length !== state.normaliser.buffer.length) throw new RangeError('SeriesChangeDetector.restore: pendingSteps must match the warm-up buffer');
    if (state.steps.length > d.steps.length) throw new RangeError(`SeriesChangeDetector.restore: more steps than history (${d.steps.length})`);
    if (![...state.pendingSteps, ...state.steps].every(Number.isFinite)) throw new RangeError('SeriesChangeDetector.restore: steps must be finite');
    d.pendingSteps = [...state.pendingSteps];
    // Processed-sample counts past the ring do not matter: only the ring's order does.
    d.processed = state.steps.length;
    d.steps.set(state.steps);
    if (state.bocpd) d.bocpd = Bocpd.restore(d.options.bocpd, state.bocpd);
    if (state.pageHinkley && d.options.pageHinkley !== false) d.pageHinkley = PageHinkley.restore(d.options.pageHinkley, state.pageHinkley);
    return d;
  }

  /** Runs the detectors on one standardised sample; appends any change points to `found`. */
  private process(step: number, z: number, found: readonly ChangePoint[]): readonly ChangePoint[] {
    const H = this.steps.length;
    this.steps[this.processed % H] = step;
    this.processed++;
    let out = found;
    const n = this.normaliser;
    const scale = n.scale as number;
    const b = this.bocpd?.update(z);
    if (b) {
      const se = Math.sqrt((b.sdBefore * b.sdBefore) / Math.max(1, b.runLength) + (b.sdAfter * b.sdAfter) / (b.lag + 1));
      const shift = b.meanAfter - b.meanBefore;
      out = append(out, {
        series: this.series,
        detector: 'bocpd',
        step: this.stepAt(b.lag, step),
        detectedAt: step,
        confidence: b.probability,
        direction: Math.abs(shift) > this.options.meanShiftSe * se ? (shift > 0 ? 'up' : 'down') : 'variance',
        evidence: {
          probability: b.probability,
          lag: b.lag,
          runLength: b.runLength,
          meanBefore: n.denormalise(b.meanBefore),
          meanAfter: n.denormalise(b.meanAfter),
          sdBefore: b.sdBefore * scale,
          sdAfter: b.sdAfter * scale,
          meanShiftZ: shift,
        },
      });
    }
    const p = this.pageHinkley?.update(z);
    if (p) {
      const lambda = this.pageHinkley!.options.lambda;
      out = append(out, {
        series: this.series,
        detector: 'page-hinkley',
        step: this.stepAt(p.lag, step),
        detectedAt: step,
        confidence: Math.min(1, p.statistic / (2 * lambda)),
        direction: p.direction,
        evidence: {
          statistic: p.statistic,
          lambda,
          lag: p.lag,
          meanBefore: n.denormalise(p.meanBefore),
          meanAfter: n.denormalise(p.meanAfter),
          meanShiftZ: p.meanAfter - p.meanBefore,
        },
      });
    }
    return out;
  }

  /** Step of the sample `lag` samples before the latest one (the oldest kept when older). */
  private stepAt(lag: number, latest: number): number {
    if (lag <= 0) return latest;
    const H = this.steps.length;
    const back = Math.min(lag, Math.min(this.processed, H) - 1);
    return this.steps[(this.processed - 1 - back) % H];
  }
}
