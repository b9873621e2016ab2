/**
 * Bayesian online change-point detection (Adams & MacKay 2007, arXiv:0710.3742) for a
 * standardised series: Gaussian segments of unknown mean and precision (Normal–Gamma prior),
 * constant hazard, run lengths truncated so that memory and time per sample are bounded.
 */

export interface BocpdOptions {
  /** Prior expected segment length: the hazard is H = 1/expectedRunLength. */
  readonly expectedRunLength: number;
  /** Normal–Gamma prior of a new segment: mean μ₀ … */
  readonly mu0: number;
  /** … pseudo-count κ₀ of that mean (small: a new segment's level is learnt from its first sample) … */
  readonly kappa0: number;
  /** … and Gamma(α₀, rate β₀) on the precision (prior noise variance about β₀/α₀ in the units fed in). */
  readonly alpha0: number;
  readonly beta0: number;
  /**
   * Longest run length tracked. Longer runs are merged into this one, whose predictive then uses
   * the last `maxRunLength` samples (a sliding window, which also lets a slowly trending segment
   * be followed); memory and time per update are O(maxRunLength).
   */
  readonly maxRunLength: number;
  /** Alarm when P(a change within the last `window` samples) reaches this posterior probability. */
  readonly threshold: number;
  /** L: "a change happened recently" means run length ≤ L (the new segment holds at most L samples). */
  readonly window: number;
  /**
   * Re-arm: after an alarm (and at the start, where every run is short) no alarm is raised until
   * P(run length ≤ L) has fallen below `rearm`; so one change gives one alarm.
   */
  readonly rearm: number;
  /**
   * ε: each sample may be an outlier with this probability, scored by the prior predictive
   * instead of its segment's. Without it one wild sample is so unlikely under a long Gaussian
   * segment that "a new segment began there" wins and stays; with it, a lone outlier costs every
   * run alike, while a real change still wins within a sample or two (0 turns it off).
   */
  readonly outlierProbability: number;
}

/**
 * Defaults for a series standardised by its warm-up noise (σ ≈ 1), tuned on the synthetic suites
 * of tests/operators/phases/change-points (mean shifts of 2–5σ, σ ×3 or ÷3, steps at SNR 2–10,
 * stationary and trending noise); the figures are in bench/change-points.ts.
 */
export const DEFAULT_BOCPD_OPTIONS: BocpdOptions = {
  expectedRunLength: 250,
  mu0: 0,
  kappa0: 0.01,
  // A diffuse precision prior (0.1 pseudo-samples): a segment whose σ is a ninth of the warm-up's
  // is learnt from its own samples within a few of them; Gamma(1, 1) would need dozens.
  alpha0: 0.05,
  beta0: 0.03,
  maxRunLength: 400,
  // 0.9 rather than 0.5: false alarms on stationary noise fall from about 1.7 to 0.2 per 10,000
  // samples, for about one sample more delay.
  threshold: 0.9,
  // A fall of σ to a third needs 10–30 samples before the short run wins; a window of 10 would
  // miss most of them. Changes closer together than the window are reported once.
  window: 50,
  rearm: 0.3,
  outlierProbability: 0.01,
};

/** What an alarm reports, in the (standardised) units fed in. */
export interface BocpdAlarm {
  /** Samples since the estimated change: 0 when the sample just fed in is the first of the new segment. */
  readonly lag: number;
  /** Posterior probability that a change happened within the last `window` samples. */
  readonly probability: number;
  /** MAP run length just before the change: how long the previous segment had lasted. */
  readonly runLength: number;
  /** Posterior mean of the segment before the change (MAP run length then) and of the new segment. */
  readonly meanBefore: number;
  readonly meanAfter: number;
  /** Posterior noise scale √(β/α) of the segment before and of the new segment. */
  readonly sdBefore: number;
  readonly sdAfter: number;
}

/** Everything a {@link Bocpd} remembers; plain JSON (finite numbers only). */
export interface BocpdState {
  /** Samples fed in. */
  readonly count: number;
  readonly armed: boolean;
  /** Sample number (1-based) of the last alarm, 0 before any: a new alarm must place its change after it. */
  readonly lastAlarm: number;
  /** log P(run length = r | data) for r = 1 … min(count, maxRunLength). */
  readonly logR: number[];
  /** Posterior mean and β of the Normal–Gamma for the same run lengths (κ and α follow from r). */
  readonly mu: number[];
  readonly beta: number[];
  /** Per sample of the last min(count, window), oldest first: MAP run length and its mean and scale. */
  readonly mapRunLength: number[];
  readonly mapMean: number[];
  readonly mapSd: number[];
}

/**
 * Run lengths with a log posterior below this are held at it: e^-1000 is 0 in doubles anyway, and
 * the floor keeps every stored log-probability finite however long a run lasts.
 */
const LOG_FLOOR = -1000;
/** Inputs are clamped to ±1e100 so that squared deviations cannot overflow to Infinity. */
const X_MAX = 1e100;

/**
 * Adams & MacKay's run-length filter with a Normal–Gamma model, in log space.
 *
 * Run length r counts the samples of the current segment including the latest one (r = 1: the
 * latest sample opened a new segment). Each update evaluates the Student-t predictive of every
 * run length, grows each run with probability 1 − H, and gives mass H times the prior predictive
 * to r = 1. It alarms when P(r ≤ window) reaches `threshold`, estimating the change at the MAP
 * run length among r ≤ window, and then waits for that mass to fall back (re-arm).
 *
 * @example
 * const detector = new Bocpd({ expectedRunLength: 250 });
 * for (const z of standardised) {
 *   const alarm = detector.update(z);
 *   if (alarm) console.log(`change ${alarm.lag} samples ago, p = ${alarm.probability}`);
 * }
 */
export class Bocpd {
  readonly options: BocpdOptions;
  private readonly logH: number;
  private readonly log1mH: number;
  private readonly logEps: number;
  private readonly log1mEps: number;
  /** Per run length r (index r; index 0 is the prior): log P(r), posterior mean, β. */
  private readonly logR: Float64Array;
  private readonly mu: Float64Array;
  private readonly beta: Float64Array;
  /**
   * Per r, fixed by the options: κ_r = κ₀ + r, α_r + ½, and with f_r = (κ_r + 1)/(α_r κ_r) (the
   * t scale² is β f_r): 1/(2α_r f_r) and the density's constant less ½·log f_r.
   */
  private readonly kappa: Float64Array;
  private readonly alpha: Float64Array;
  private readonly alphaHalf: Float64Array;
  private readonly invTwoAlphaS: Float64Array;
  private readonly logConst: Float64Array;
  private readonly prob: Float64Array;
  /** Ring of the last `window` samples' MAP run length, mean and scale (for meanBefore). */
  private readonly mapR: Float64Array;
  private readonly mapMu: Float64Array;
  private readonly mapSd: Float64Array;
  private count = 0;
  private armed = false;
  private lastAlarm = 0;

  constructor(options: Partial<BocpdOptions> = {}) {
    this.options = validateBocpdOptions({ ...DEFAULT_BOCPD_OPTIONS, ...options });
    const { expectedRunLength, mu0, kappa0, alpha0, beta0, maxRunLength: M, window } = this.options;
    this.logH = -Math.log(expectedRunLength);
    this.log1mH = Math.log1p(-1 / expectedRunLength);
    this.logEps = Math.log(this.options.outlierProbability);
    this.log1mEps = Math.log1p(-this.options.outlierProbability);
    this.logR = new Float64Array(M + 1);
    this.mu = new Float64Array(M + 1);
    this.beta = new Float64Array(M + 1);
    this.kappa = new Float64Array(M + 1);
    this.alpha = new Float64Array(M + 1);
    this.alphaHalf = new Float64Array(M + 1);
    this.invTwoAlphaS = new Float64Array(M + 1);
    this.logConst = new Float64Array(M + 1);
    this.prob = new Float64Array(M + 1);
    for (let r = 0; r <= M; r++) {
      const kappa = kappa0 + r;
      const alpha = alpha0 + r / 2;
      this.kappa[r] = kappa;
      this.alpha[r] = alpha;
      this.alphaHalf[r] = alpha + 0.5;
      const f = (kappa + 1) / (alpha * kappa);
      this.invTwoAlphaS[r] = 1 / (2 * alpha * f);
      this.logConst[r] = logGamma(alpha + 0.5) - logGamma(alpha) - 0.5 * Math.log(2 * alpha * Math.PI) - 0.5 * Math.log(f);
    }
    this.mu[0] = mu0;
    this.beta[0] = beta0;
    this.mapR = new Float64Array(window);
    this.mapMu = new Float64Array(window);
    this.mapSd = new Float64Array(window);
  }

  /** Samples fed in so far. */
  get samples(): number {
    return this.count;
  }

  /** Feeds one standardised sample; returns an alarm when a change is detected. Non-finite samples are ignored. */
  update(value: number): BocpdAlarm | null {
    if (!Number.isFinite(value)) return null;
    const x = value > X_MAX ? X_MAX : value < -X_MAX ? -X_MAX : value;
    const { maxRunLength: M, window: L, threshold, rearm } = this.options;
    const { logR, mu, beta, kappa, alphaHalf, invTwoAlphaS, logConst, log1mH, log1mEps } = this;
    const top = Math.min(this.count, M);
    const lo = this.count === 0 ? 0 : 1;
    const logPrior = this.logPredictive(0, x);
    const outlier = this.logEps + logPrior;
    // Grow every run by one, from the top down so each slot is read before it is overwritten.
    // (logPredictive and logAddExp are inlined here: this loop is the whole cost of an update.)
    let merged = 0;
    for (let r = top; r >= lo; r--) {
      const m = mu[r];
      const b = beta[r];
      const d = x - m;
      const own = logConst[r] - 0.5 * Math.log(b) - alphaHalf[r] * Math.log1p((d * d * invTwoAlphaS[r]) / b);
      let mixed = own;
      if (outlier > -Infinity) {
        const inlier = log1mEps + own;
        mixed = inlier > outlier ? inlier + Math.log1p(Math.exp(outlier - inlier)) : outlier + Math.log1p(Math.exp(inlier - outlier));
      }
      const grown = logR[r] + mixed + log1mH;
      if (r === M) {
        merged = grown;
        continue;
      }
      const k = kappa[r];
      logR[r + 1] = r + 1 === M && top === M ? logAddExp(grown, merged) : grown;
      mu[r + 1] = (k * m + x) / (k + 1);
      beta[r + 1] = b + (k * d * d) / (2 * (k + 1));
    }
    // A change: the latest sample opens a new segment, scored by the prior predictive (index 0).
    const change = this.logH + logPrior;
    logR[1] = lo === 0 ? logAddExp(logR[1], change) : change;
    const k0 = kappa[0];
    const d0 = x - mu[0];
    mu[1] = (k0 * mu[0] + x) / (k0 + 1);
    beta[1] = beta[0] + (k0 * d0 * d0) / (2 * (k0 + 1));
    this.count++;

    const newTop = Math.min(this.count, M);
    let max = -Infinity;
    for (let r = 1; r <= newTop; r++) if (logR[r] > max) max = logR[r];
    let sum = 0;
    for (let r = 1; r <= newTop; r++) sum += this.prob[r] = Math.exp(logR[r] - max);
    const logEvidence = max + Math.log(sum);
    let short = 0;
    let shortR = 1;
    let mapR = 1;
    for (let r = 1; r <= newTop; r++) {
      const v = logR[r] - logEvidence;
      logR[r] = v < LOG_FLOOR ? LOG_FLOOR : v;
      const p = (this.prob[r] /= sum);
      if (p > this.prob[mapR]) mapR = r;
      if (r <= L) {
        short += p;
        if (p > this.prob[shortR]) shortR = r;
      }
    }

    let alarm: BocpdAlarm | null = null;
    const t = this.count;
    // The change must fall after the last alarm, or a lingering posterior would report it twice.
    if (this.armed && short >= threshold && t - shortR >= Math.max(1, this.lastAlarm)) {
      const before = (t - shortR) % L;
      alarm = {
        lag: shortR - 1,
        probability: Math.min(1, short),
        runLength: this.mapR[before],
        meanBefore: this.mapMu[before],
        meanAfter: mu[shortR],
        sdBefore: this.mapSd[before],
        sdAfter: Math.sqrt(beta[shortR] / this.alpha[shortR]),
      };
      this.armed = false;
      this.lastAlarm = t;
    } else if (!this.armed && short < rearm) {
      this.armed = true;
    }
    const slot = t % L;
    this.mapR[slot] = mapR;
    this.mapMu[slot] = mu[mapR];
    this.mapSd[slot] = Math.sqrt(beta[mapR] / this.alpha[mapR]);
    return alarm;
  }

  /**
   * The run-length posterior as probabilities, index = run length (0 … min(samples, maxRunLength));
   * the last entry also holds every longer run. A copy, for inspection and tests.
   */
  runLengthPosterior(): Float64Array {
    const top = Math.min(this.count, this.options.maxRunLength);
    const out = new Float64Array(top + 1);
    if (this.count === 0) out[0] = 1;
    else for (let r = 1; r <= top; r++) out[r] = Math.exp(this.logR[r]);
    return out;
  }

  /** Normal–Gamma posterior parameters of run length r (r = 0: the prior). */
  runLengthParameters(r: number): NormalGammaParameters {
    const top = Math.min(this.count, this.options.maxRunLength);
    if (!Number.isInteger(r) || r < 0 || r > top) throw new RangeError(`Bocpd.runLengthParameters: run length ${r} is not tracked (0 … ${top})`);
    return { mu: this.mu[r], kappa: this.kappa[r], alpha: this.alpha[r], beta: this.beta[r] };
  }

  snapshot(): BocpdState {
    const top = Math.min(this.count, this.options.maxRunLength);
    const L = this.options.window;
    const order: number[] = [];
    for (let i = Math.max(1, this.count - L + 1); i <= this.count; i++) order.push(i % L);
    return {
      count: this.count,
      armed: this.armed,
      lastAlarm: this.lastAlarm,
      logR: Array.from(this.logR.subarray(1, top + 1)),
      mu: Array.from(this.mu.subarray(1, top + 1)),
      beta: Array.from(this.beta.subarray(1, top + 1)),
      mapRunLength: order.map((s) => this.mapR[s]),
      mapMean: order.map((s) => this.mapMu[s]),
      mapSd: order.map((s) => this.mapSd[s]),
    };
  }

  /** A detector that continues exactly where the one that took `state` left off (same options required). */
  static restore(options: Partial<BocpdOptions>, state: BocpdState): Bocpd {
    const b = new Bocpd(options);
    const { maxRunLength: M, window: L } = b.options;
    const { count } = state;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`Bocpd.restore: count must be a non-negative integer, got ${count}`);
    const top = Math.min(count, M);
    const kept = Math.min(count, L);
    for (const key of ['logR', 'mu', 'beta'] as const) checkArray(state[key], top, key);
    for (const key of ['mapRunLength', 'mapMean', 'mapSd'] as const) checkArray(state[key], kept, key);
    b.count = count;
    if (!(Number.isInteger(state.lastAlarm) && state.lastAlarm >= 0 && state.lastAlarm <= count)) throw new RangeError('Bocpd.restore: lastAlarm must be an integer in [0, count]');
    if (typeof state.armed !== 'boolean') throw new RangeError('Bocpd.restore: armed must be a boolean');
    b.armed = state.armed;
    b.lastAlarm = state.lastAlarm;
    b.logR.set(state.logR, 1);
    b.mu.set(state.mu, 1);
    b.beta.set(state.beta, 1);
    for (let j = 0; j < kept; j++) {
      const slot = (count - kept + 1 + j) % L;
      b.mapR[slot] = state.mapRunLength[j];
      b.mapMu[slot] = state.mapMean[j];
      b.mapSd[slot] = state.mapSd[j];
    }
    return b;
  }

  /** log Student-t predictive of x under run length r's posterior, from the per-r constants. */
  private logPredictive(r: number, x: number): number {
    const d = x - this.mu[r];
    return this.logConst[r] - 0.5 * Math.log(this.beta[r]) - this.alphaHalf[r] * Math.log1p((d * d * this.invTwoAlphaS[r]) / this.beta[r]);
  }
}

/** Normal–Gamma parameters: mean μ with pseudo-count κ, precision ~ Gamma(α, rate β). */
export interface NormalGammaParameters {
  readonly mu: number;
  readonly kappa: number;
  readonly alpha: number;
  readonly beta: number;
}

/** The posterior after one more observation x (the conjugate update). */
export function normalGammaUpdate(p: NormalGammaParameters, x: number): NormalGammaParameters {
  const d = x - p.mu;
  return {
    mu: (p.kappa * p.mu + x) / (p.kappa + 1),
    kappa: p.kappa + 1,
    alpha: p.alpha + 0.5,
    beta: p.beta + (p.kappa * d * d) / (2 * (p.kappa + 1)),
  };
}

/**
 * log of the posterior predictive density of x: a Student-t with 2α degrees of freedom, location μ
 * and squared scale β(κ + 1)/(ακ).
 */
export function normalGammaLogPredictive(x: number, p: NormalGammaParameters): number {
  const nu = 2 * p.alpha;
  const s2 = (p.beta * (p.kappa + 1)) / (p.alpha * p.kappa);
  const d = x - p.mu;
  return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI * s2) - ((nu + 1) / 2) * Math.log1p((d * d) / (nu * s2));
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be > 0, got ${x}`);
  if (x < 0.5) return logGamma(x + 1) - Math.log(x); // Γ(x) = Γ(x + 1)/x keeps the series in its accurate range
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logAddExp(a: number, b: number): number {
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

function checkArray(values: unknown, length: number, name: string): void {
  if (!Array.isArray(values) || values.length !== length || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RangeError(`Bocpd.restore: ${name} must hold ${length} finite numbers`);
  }
}

/** Checks every option, naming the offending field. */
export function validateBocpdOptions(o: BocpdOptions): BocpdOptions {
  const fail = (field: keyof BocpdOptions, rule: string) => {
    throw new RangeError(`Bocpd: ${field} must be ${rule}, got ${o[field]}`);
  };
  if (!(Number.isFinite(o.expectedRunLength) && o.expectedRunLength > 1)) fail('expectedRunLength', 'a finite number > 1');
  if (!Number.isFinite(o.mu0)) fail('mu0', 'finite');
  if (!(Number.isFinite(o.kappa0) && o.kappa0 > 0)) fail('kappa0', 'finite and > 0');
  if (!(Number.isFinite(o.alpha0) && o.alpha0 > 0)) fail('alpha0', 'finite and > 0');
  if (!(Number.isFinite(o.beta0) && o.beta0 > 0)) fail('beta0', 'finite and > 0');
  if (!(Number.isInteger(o.window) && o.window >= 1)) fail('window', 'an integer ≥ 1');
  if (!(Number.isInteger(o.maxRunLength) && o.maxRunLength > o.window && o.maxRunLength >= 2)) fail('maxRunLength', `an integer > window (${o.window}) and ≥ 2`);
  if (!(o.threshold > 0 && o.threshold < 1)) fail('threshold', 'in (0, 1)');
  if (!(o.rearm > 0 && o.rearm <= o.threshold)) fail('rearm', `in (0, threshold = ${o.threshold}]`);
  if (!(o.outlierProbability >= 0 && o.outlierProbability < 1)) fail('outlierProbability', 'in [0, 1)');
  return o;
}
