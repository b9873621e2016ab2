/**
 * The two-sided Page–Hinkley test (Page 1954, Hinkley 1971) for shifts in the mean of a
 * standardised series: cumulative deviations from the segment's running mean, less an allowed
 * drift, against a threshold.
 */

export interface PageHinkleyOptions {
  /** Allowed drift δ per sample, in the units fed in (σ of the noise after standardising). */
  readonly delta: number;
  /** Alarm threshold λ on the cumulative statistic. */
  readonly lambda: number;
  /**
   * The reference mean forgets: after `memory` samples it becomes an exponential average with
   * weight 1/memory, so a slow trend is followed instead of accumulating. A slope of s per sample
   * leaves the reference about s·memory behind, which eats into δ.
   */
  readonly memory: number;
  /**
   * Deviations are divided by a running noise scale (from |x_t − x_{t−1}|, which a mean shift
   * barely moves), so a noisier segment does not read as a shift. It starts at 1 (the units fed
   * in) counted as 10 samples, averages the first differences with weight 1/(10 + k) and, from
   * k = scaleMemory − 10, forgets with weight 1/scaleMemory. 0 keeps the scale at 1.
   */
  readonly scaleMemory: number;
}

/**
 * Defaults for a series standardised by its warm-up noise, tuned on the synthetic suites of
 * tests/operators/phases/change-points (figures in bench/change-points.ts).
 */
export const DEFAULT_PAGE_HINKLEY_OPTIONS: PageHinkleyOptions = {
  // Half the 1σ shift that is the least worth reporting: shifts of 2σ and more rise at ≥ 1.5 per
  // sample and cross λ within about 8 samples.
  delta: 0.5,
  // About 0.06 false alarms per 10,000 samples of stationary noise (measured over 10⁶ samples),
  // so that together with bocpd the pair stays well under 1.
  lambda: 12,
  // A trend of 0.001σ per sample then gives about 0.3 alarms per 10,000 samples, 0.002σ about
  // 0.9, 0.003σ about 4 (a shorter memory follows trends better but makes a noisier reference).
  memory: 100,
  scaleMemory: 50,
};

export interface PageHinkleyAlarm {
  readonly direction: 'up' | 'down';
  /** Samples since the estimated change (the sample after the statistic's turning point). */
  readonly lag: number;
  /** The cumulative statistic at the alarm (> lambda), in units of the tracked noise scale. */
  readonly statistic: number;
  /** Reference mean at the turning point, and the mean of the samples since (units fed in). */
  readonly meanBefore: number;
  readonly meanAfter: number;
}

/** One side's cumulative sum, its extreme so far, and what followed the extreme. */
export interface PageHinkleySide {
  readonly sum: number;
  /** The running minimum (up side) or maximum (down side) of `sum`. */
  readonly extreme: number;
  /** Sample index (since the last reset) where the extreme was reached. */
  readonly at: number;
  /** Reference mean at that point (0 for the start of a segment), and the sum of the samples after it. */
  readonly meanAt: number;
  readonly sumSince: number;
}

/** Everything a {@link PageHinkley} remembers; plain JSON. */
export interface PageHinkleyState {
  /** Samples since the last reset. */
  readonly t: number;
  /** Samples in the reference mean (capped at `memory`). */
  readonly n: number;
  readonly mean: number;
  /** Running noise scale, the differences averaged into it, and the previous sample (null before the first). */
  readonly scale: number;
  readonly scaleCount: number;
  readonly previous: number | null;
  readonly up: PageHinkleySide;
  readonly down: PageHinkleySide;
}

/**
 * Watches for a rise (Σ((x − m)/s − δ) climbing more than λ above its minimum) and a fall
 * (Σ((x − m)/s + δ) dropping more than λ below its maximum), where m is the running mean of the
 * samples before x in the current segment and s the running noise scale. An alarm estimates the
 * change at the sample after the turning point (the extreme), then restarts the test afresh.
 *
 * @example
 * const ph = new PageHinkley({ delta: 0.5, lambda: 12 });
 * for (const z of standardised) {
 *   const alarm = ph.update(z);
 *   if (alarm) console.log(`mean went ${alarm.direction} ${alarm.lag} samples ago`);
 * }
 */
export class PageHinkley {
  readonly options: PageHinkleyOptions;
  private t = 0;
  private n = 0;
  private mean = 0;
  private scale = 1;
  private scaleCount = 0;
  private previous: number | null = null;
  private up: Side = freshSide();
  private down: Side = freshSide();

  constructor(options: Partial<PageHinkleyOptions> = {}) {
    this.options = validatePageHinkleyOptions({ ...DEFAULT_PAGE_HINKLEY_OPTIONS, ...options });
  }

  /** Feeds one standardised sample; returns an alarm when the mean has shifted. Non-finite samples are ignored. */
  update(x: number): PageHinkleyAlarm | null {
    if (!Number.isFinite(x)) return null;
    const { delta, lambda, memory, scaleMemory } = this.options;
    this.t++;
    if (scaleMemory > 0 && this.previous !== null) {
      if (this.scaleCount + SCALE_PRIOR < scaleMemory) this.scaleCount++;
      this.scale += (Math.abs(x - this.previous) * HALF_SQRT_PI - this.scale) / Math.min(this.scaleCount + SCALE_PRIOR, scaleMemory);
    }
    this.previous = x;
    // The first sample of a segment is its own reference: it has no deviation to add.
    const dev = this.n === 0 ? 0 : (x - this.mean) / this.scale;
    const { up, down, t } = this;
    up.sum += dev - delta;
    if (up.sum < up.extreme) setExtreme(up, t, this.n === 0 ? x : this.mean);
    else up.sumSince += x;
    down.sum += dev + delta;
    if (down.sum > down.extreme) setExtreme(down, t, this.n === 0 ? x : this.mean);
    else down.sumSince += x;
    if (this.n < memory) this.n++;
    this.mean += (x - this.mean) / this.n;

    const upStat = up.sum - up.extreme;
    const downStat = down.extreme - down.sum;
    if (upStat <= lambda && downStat <= lambda) return null;
    const side = upStat >= downStat ? up : down;
    const count = t - side.at;
    const meanAfter = side.sumSince / count;
    const alarm: PageHinkleyAlarm = {
      direction: side === up ? 'up' : 'down',
      lag: count - 1,
      statistic: Math.max(upStat, downStat),
      meanBefore: side.meanAt,
      meanAfter,
    };
    // Restart on a fresh segment: the samples since the turning point often include a few from
    // before the change, and a reference built on them would soon raise a second alarm.
    this.t = 0;
    this.n = 0;
    this.mean = 0;
    this.up = freshSide();
    this.down = freshSide();
    return alarm;
  }

  snapshot(): PageHinkleyState {
    return { t: this.t, n: this.n, mean: this.mean, scale: this.scale, scaleCount: this.scaleCount, previous: this.previous, up: { ...this.up }, down: { ...this.down } };
  }

  /** A detector that continues exactly where the one that took `state` left off. */
  static restore(options: Partial<PageHinkleyOptions>, state: PageHinkleyState): PageHinkley {
    const ph = new PageHinkley(options);
    const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    const sideOk = (s: PageHinkleySide) => s && finite(s.sum) && finite(s.extreme) && finite(s.at) && finite(s.meanAt) && finite(s.sumSince);
    if (!(Number.isInteger(state.t) && state.t >= 0 && Number.isInteger(state.n) && state.n >= 0 && state.n <= ph.options.memory && finite(state.mean))) {
      throw new RangeError('PageHinkley.restore: t, n (≤ memory) and mean must be finite non-negative counts and a finite mean');
    }
    if (!(finite(state.scale) && state.scale > 0 && Number.isInteger(state.scaleCount) && state.scaleCount >= 0 && (state.previous === null || finite(state.previous)))) {
      throw new RangeError('PageHinkley.restore: scale must be finite and > 0, previous finite or null');
    }
    if (!sideOk(state.up) || !sideOk(state.down)) throw new RangeError('PageHinkley.restore: up and down must hold finite sums');
    ph.t = state.t;
    ph.n = state.n;
    ph.mean = state.mean;
    ph.scale = state.scale;
    ph.scaleCount = state.scaleCount;
    ph.previous = state.previous;
    ph.up = { ...state.up };
    ph.down = { ...state.down };
    return ph;
  }
}

/** E|x_t − x_{t−1}| = 2σ/√π for Gaussian noise, so σ = E|Δx|·√π/2. */
const HALF_SQRT_PI = Math.sqrt(Math.PI) / 2;
/** The starting scale of 1 weighs as much as this many differences: the warm-up estimated it. */
const SCALE_PRIOR = 10;

type Side = { -readonly [K in keyof PageHinkleySide]: PageHinkleySide[K] };

function freshSide(): Side {
  return { sum: 0, extreme: 0, at: 0, meanAt: 0, sumSince: 0 };
}

function setExtreme(side: Side, at: number, meanAt: number): void {
  side.extreme = side.sum;
  side.at = at;
  side.meanAt = meanAt;
  side.sumSince = 0;
}

/** Checks every option, naming the offending field. */
export function validatePageHinkleyOptions(o: PageHinkleyOptions): PageHinkleyOptions {
  if (!(Number.isFinite(o.delta) && o.delta >= 0)) throw new RangeError(`PageHinkley: delta must be finite and ≥ 0, got ${o.delta}`);
  if (!(Number.isFinite(o.lambda) && o.lambda > 0)) throw new RangeError(`PageHinkley: lambda must be finite and > 0, got ${o.lambda}`);
  if (!(Number.isInteger(o.memory) && o.memory >= 1)) throw new RangeError(`PageHinkley: memory must be an integer ≥ 1, got ${o.memory}`);
  if (!(Number.isFinite(o.scaleMemory) && (o.scaleMemory === 0 || o.scaleMemory >= 1))) {
    throw new RangeError(`PageHinkley: scaleMemory must be 0 or a finite number ≥ 1, got ${o.scaleMemory}`);
  }
  return o;
}
