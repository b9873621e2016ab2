import { median, sampleSd } from '../../analysis/statistics.js';
/**
 * Standardises a series against its own first samples, so that change-point detectors can work
 * in units of the series' noise whatever the metric's scale.
 */

/** Everything a {@link WarmupNormaliser} remembers; plain JSON. */
export interface WarmupNormaliserState {
  /** Finite samples seen so far while warming up (empty once the centre and scale are fixed). */
  readonly buffer: number[];
  /** Fixed once the window has filled; null before. */
  readonly centre: number | null;
  readonly scale: number | null;
}

/** 1.4826·MAD estimates σ for Gaussian data; the first differences of white noise have σ√2. */
const MAD_TO_SIGMA = 1.4826;
/** Scale of a series that was exactly constant during warm-up, relative to its level. */
const RELATIVE_FLOOR = 1e-6;
const EMPTY: readonly number[] = Object.freeze([]);

/**
 * Collects the first `window` finite samples, then fixes centre = median of the window and
 * scale = an estimate of the noise σ, and from then on returns z = (x − centre) / scale.
 *
 * Training metrics trend, so the scale comes from the first differences of the window (a trend
 * shifts every difference alike and the MAD ignores it): 1.4826·MAD(diffs)/√2. When that is 0
 * (a quantised or piecewise-constant series) it falls back to the window's standard deviation,
 * and when that is 0 too, to 10⁻⁶·|centre| (or 1 at centre 0), so that a series constant during
 * warm-up still shows any later change.
 *
 * @example
 * const norm = new WarmupNormaliser(50);
 * for (const x of values) for (const z of norm.push(x)) detector.update(z);
 */
export class WarmupNormaliser {
  readonly window: number;
  private buffer: number[] = [];
  private centreValue: number | null = null;
  private scaleValue: number | null = null;

  /** @param window number of finite samples that fix the centre and scale (integer ≥ 3) */
  constructor(window = 50) {
    if (!Number.isInteger(window) || window < 3) throw new RangeError(`WarmupNormaliser: window must be an integer ≥ 3, got ${window}`);
    this.window = window;
  }

  /** Whether the centre and scale are fixed. */
  get ready(): boolean {
    return this.centreValue !== null;
  }

  /** The median of the warm-up window (null while warming up). */
  get centre(): number | null {
    return this.centreValue;
  }

  /** The noise scale of the warm-up window (null while warming up). */
  get scale(): number | null {
    return this.scaleValue;
  }

  /**
   * Feeds one sample; returns the standardised values that are ready now: none while warming up,
   * the whole window at the moment it fills, then one per sample. Non-finite samples are ignored.
   */
  push(x: number): readonly number[] {
    if (!Number.isFinite(x)) return EMPTY;
    if (this.centreValue !== null) return [this.normalise(x)];
    this.buffer.push(x);
    if (this.buffer.length < this.window) return EMPTY;
    const { centre, scale } = warmupCentreScale(this.buffer);
    this.centreValue = centre;
    this.scaleValue = scale;
    const out = this.buffer.map((v) => (v - centre) / scale);
    this.buffer = [];
    return out;
  }

  /** z of one value once ready (no allocation; the caller filters non-finite values). */
  normalise(x: number): number {
    if (this.centreValue === null || this.scaleValue === null) throw new Error('WarmupNormaliser.normalise: still warming up');
    return (x - this.centreValue) / this.scaleValue;
  }

  /** Back to the series' units: centre + scale·z. */
  denormalise(z: number): number {
    if (this.centreValue === null || this.scaleValue === null) throw new Error('WarmupNormaliser.denormalise: still warming up');
    return this.centreValue + this.scaleValue * z;
  }

  snapshot(): WarmupNormaliserState {
    return { buffer: [...this.buffer], centre: this.centreValue, scale: this.scaleValue };
  }

  static restore(window: number, state: WarmupNormaliserState): WarmupNormaliser {
    const n = new WarmupNormaliser(window);
    const ready = state.centre !== null && state.scale !== null;
    if ((state.centre === null) !== (state.scale === null)) throw new RangeError('WarmupNormaliser.restore: centre and scale must both be set or both be null');
    if (ready && !(Number.isFinite(state.centre) && Number.isFinite(state.scale) && (state.scale as number) > 0)) {
      throw new RangeError('WarmupNormaliser.restore: centre must be finite and scale finite and > 0');
    }
    if (ready ? state.buffer.length !== 0 : state.buffer.length >= window) {
      throw new RangeError(`WarmupNormaliser.restore: buffer of ${state.buffer.length} samples does not fit a window of ${window}`);
    }
    if (!state.buffer.every(Number.isFinite)) throw new RangeError('WarmupNormaliser.restore: buffer holds a non-finite value');
    n.buffer = [...state.buffer];
    n.centreValue = state.centre;
    n.scaleValue = state.scale;
    return n;
  }
}

/** Centre (median) and noise scale of a warm-up window of finite values, as described on {@link WarmupNormaliser}. */
export function warmupCentreScale(values: readonly number[]): { centre: number; scale: number } {
  const centre = median(values);
  const diffs = values.slice(1).map((v, i) => v - values[i]);
  const mid = median(diffs);
  let scale = (MAD_TO_SIGMA * median(diffs.map((d) => Math.abs(d - mid)))) / Math.SQRT2;
  if (!(scale > 0)) scale = sampleSd(values);
  if (!(scale > 0)) scale = centre !== 0 ? RELATIVE_FLOOR * Math.abs(centre) : 1;
  return { centre, scale };
}
