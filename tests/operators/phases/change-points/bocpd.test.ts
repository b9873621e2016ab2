import { describe, expect, it } from 'vitest';
import {
  Bocpd,
  logGamma,
  normalGammaLogPredictive,
  normalGammaUpdate,
  type BocpdAlarm,
  type BocpdOptions,
} from '../../../../src/operators/phases/bocpd.js';
import { gaussian, mulberry32 } from '../../../helpers/test-rng.js';

/** Γ(x) for x a positive multiple of ½, from factorials: Γ(n) = (n−1)!, Γ(k + ½) = (2k)!·√π / (4^k·k!). */
function gammaHalfInteger(x: number): number {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  if (Number.isInteger(x)) return fact(x - 1);
  const k = x - 0.5;
  return (fact(2 * k) * Math.sqrt(Math.PI)) / (4 ** k * fact(k));
}

/** Student-t density with ν degrees of freedom, location m and scale s (ν a positive integer). */
function studentT(x: number, nu: number, m: number, s: number): number {
  const z = (x - m) / s;
  return (gammaHalfInteger((nu + 1) / 2) / (gammaHalfInteger(nu / 2) * Math.sqrt(nu * Math.PI) * s)) * (1 + (z * z) / nu) ** (-(nu + 1) / 2);
}

/** Normal–Gamma posterior after a batch of samples, in closed form (not the sequential update). */
function batchPosterior(prior: { mu: number; kappa: number; alpha: number; beta: number }, xs: readonly number[]) {
  const n = xs.length;
  if (n === 0) return prior;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return {
    mu: (prior.kappa * prior.mu + n * mean) / (prior.kappa + n),
    kappa: prior.kappa + n,
    alpha: prior.alpha + n / 2,
    beta: prior.beta + ss / 2 + (prior.kappa * n * (mean - prior.mu) ** 2) / (2 * (prior.kappa + n)),
  };
}

/**
 * The run-length posterior by brute force in probability space: every run length r = 1 … t kept
 * apart, the predictive of run r computed from the last min(r, maxR) samples by the batch formula,
 * each sample an outlier (scored by the prior predictive) with probability ε. Returns, per t,
 * P(min(r, maxR)) indexed by run length.
 */
function referencePosterior(xs: readonly number[], o: BocpdOptions): number[][] {
  const prior = { mu: o.mu0, kappa: o.kappa0, alpha: o.alpha0, beta: o.beta0 };
  const H = 1 / o.expectedRunLength;
  const eps = o.outlierProbability;
  const predictive = (x: number, p: typeof prior) => studentT(x, 2 * p.alpha, p.mu, Math.sqrt((p.beta * (p.kappa + 1)) / (p.alpha * p.kappa)));
  let P = [1]; // P[r], r = 0 … t
  const out: number[][] = [];
  xs.forEach((x, i) => {
    const q = predictive(x, prior);
    const next = new Array<number>(i + 2).fill(0);
    P.forEach((p, r) => {
      const window = xs.slice(i - Math.min(r, o.maxRunLength), i);
      next[r + 1] += p * (1 - H) * ((1 - eps) * predictive(x, batchPosterior(prior, window)) + eps * q);
    });
    next[1] += H * q;
    const z = next.reduce((s, v) => s + v, 0);
    P = next.map((v) => v / z);
    const merged = new Array<number>(Math.min(i + 1, o.maxRunLength) + 1).fill(0);
    P.forEach((p, r) => (merged[Math.min(r, o.maxRunLength)] += p));
    out.push(merged);
  });
  return out;
}

const handPrior = { mu0: 0, kappa0: 1, alpha0: 1, beta0: 1 };

describe('Bocpd: the Normal–Gamma model', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
    expect(logGamma(10.5)).toBeCloseTo(Math.log(gammaHalfInteger(10.5)), 12);
    let logFactorial99 = 0;
    for (let k = 2; k <= 99; k++) logFactorial99 += Math.log(k);
    expect(logGamma(100)).toBeCloseTo(logFactorial99, 10);
  });

  it('Student-t log predictive equals a hand computation', () => {
    // μ = 0, κ = 1, α = 1, β = 1: ν = 2, s² = β(κ+1)/(ακ) = 2. For ν = 2 the t density is
    // (1/s)·1/(2√2)·(1 + z²/2)^(−3/2); at x = 1, z² = 1/2, so p = (1/√2)·1/(2√2)·(5/4)^(−3/2) = 2/(5√5).
    const p = { mu: 0, kappa: 1, alpha: 1, beta: 1 };
    expect(normalGammaLogPredictive(1, p)).toBeCloseTo(Math.log(2 / (5 * Math.sqrt(5))), 13);
    // ν = 4 (α = 2), μ = 1, κ = 3, β = 2: s² = 2·4/(2·3) = 4/3. Density 3/8·(1 + z²/4)^(−5/2)/s at z = (2.5 − 1)/s.
    const q = { mu: 1, kappa: 3, alpha: 2, beta: 2 };
    const s = Math.sqrt(4 / 3);
    const z = 1.5 / s;
    expect(normalGammaLogPredictive(2.5, q)).toBeCloseTo(Math.log(((3 / 8) * (1 + (z * z) / 4) ** -2.5) / s), 13);
  });

  it('the posterior after [1, 2, 3] equals the hand calculation, in the function and in the detector', () => {
    // From μ₀ = 0, κ₀ = 1, α₀ = 1, β₀ = 1 and n = 3, x̄ = 2, Σ(x − x̄)² = 2:
    // κ = 4, μ = (0 + 6)/4 = 1.5, α = 2.5, β = 1 + 2/2 + 1·3·(2 − 0)²/(2·4) = 3.5.
    let p = { mu: 0, kappa: 1, alpha: 1, beta: 1 };
    for (const x of [1, 2, 3]) p = normalGammaUpdate(p, x);
    expect(p.kappa).toBe(4);
    expect(p.mu).toBeCloseTo(1.5, 14);
    expect(p.alpha).toBe(2.5);
    expect(p.beta).toBeCloseTo(3.5, 14);

    const b = new Bocpd({ ...handPrior, window: 2, maxRunLength: 10 });
    for (const x of [1, 2, 3]) b.update(x);
    const q = b.runLengthParameters(3);
    expect(q.kappa).toBe(4);
    expect(q.mu).toBeCloseTo(1.5, 14);
    expect(q.alpha).toBe(2.5);
    expect(q.beta).toBeCloseTo(3.5, 14);
    // Run length 2 holds only the last two samples [2, 3]: κ 3, μ 5/3, α 2, β 1 + 0.25 + 1·2·2.5²/(2·3).
    const r2 = b.runLengthParameters(2);
    expect(r2.mu).toBeCloseTo(5 / 3, 14);
    expect(r2.beta).toBeCloseTo(1 + 0.25 + (2 * 6.25) / 6, 14);
    expect(b.runLengthParameters(0)).toEqual({ mu: 0, kappa: 1, alpha: 1, beta: 1 });
  });
});

describe('Bocpd: the run-length posterior', () => {
  const xs = [0.3, -0.5, 0.1, 2.8, 3.4, 2.9, 3.1, -0.2, 0.4];
  const cases: [string, Partial<BocpdOptions>][] = [
    ['without truncation', { maxRunLength: 20 }],
    ['truncated at 3', { maxRunLength: 3 }],
    ['without the outlier term', { maxRunLength: 3, outlierProbability: 0 }],
  ];
  for (const [name, extra] of cases) {
    it(`matches a brute-force forward computation, ${name}`, () => {
      const b = new Bocpd({ ...handPrior, expectedRunLength: 4, window: 2, ...extra });
      const reference = referencePosterior(xs, b.options);
      xs.forEach((x, t) => {
        b.update(x);
        const got = b.runLengthPosterior();
        expect(got.length).toBe(reference[t].length);
        reference[t].forEach((p, r) => expect(got[r]).toBeCloseTo(p, 12));
      });
    });
  }

  it('sums to 1 after every update, with and without truncation, through changes and outliers', () => {
    const next = mulberry32(11);
    for (const maxRunLength of [20, 400, 3000]) {
      const b = new Bocpd({ maxRunLength, window: 10 });
      for (let t = 0; t < 2500; t++) {
        const x = (t >= 1200 ? 4 : 0) + (t >= 1800 ? 3 : 1) * gaussian(next) + (t === 600 ? 25 : 0);
        b.update(x);
        const p = b.runLengthPosterior();
        expect(p.length).toBe(Math.min(t + 1, maxRunLength) + 1);
        expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it('keeps memory bounded: the state holds maxRunLength run lengths however long the series', () => {
    const b = new Bocpd({ maxRunLength: 100 });
    const next = mulberry32(5);
    for (let t = 0; t < 5000; t++) b.update(gaussian(next));
    expect(b.snapshot().logR).toHaveLength(100);
    expect(b.snapshot().mapMean).toHaveLength(b.options.window);
  });
});

describe('Bocpd: detection', () => {
  /** Alarms (with the sample index at which each fired) over a series. */
  const run = (b: Bocpd, xs: readonly number[]) =>
    xs.flatMap((x, i) => {
      const a = b.update(x);
      return a ? [{ at: i, ...a }] : [];
    });
  const noise = (seed: number, n: number, level = (_: number) => 0, sd = (_: number) => 1) => {
    const next = mulberry32(seed);
    return Array.from({ length: n }, (_, i) => level(i) + sd(i) * gaussian(next));
  };

  it('reports one alarm for a step, with the change located, probability and means', () => {
    const xs = noise(1, 800, (i) => (i >= 400 ? 3 : 0));
    const alarms = run(new Bocpd(), xs);
    expect(alarms).toHaveLength(1);
    const [a] = alarms;
    expect(a.at).toBeGreaterThanOrEqual(400);
    expect(a.at).toBeLessThan(415);
    expect(Math.abs(a.at - a.lag - 400)).toBeLessThanOrEqual(2);
    expect(a.probability).toBeGreaterThanOrEqual(0.9);
    expect(a.probability).toBeLessThanOrEqual(1);
    expect(a.runLength).toBeGreaterThan(300); // the segment before lasted 400 samples (run lengths cap at 400)
    expect(Math.abs(a.meanBefore)).toBeLessThan(0.3);
    expect(Math.abs(a.meanAfter - 3)).toBeLessThan(1.2);
    expect(Math.abs(a.sdBefore - 1)).toBeLessThan(0.2);
  });

  it('reports a fall in variance with the scales before and after', () => {
    const xs = noise(2, 900, () => 0, (i) => (i >= 450 ? 1 / 3 : 1));
    const alarms = run(new Bocpd(), xs);
    expect(alarms).toHaveLength(1);
    expect(alarms[0].at).toBeGreaterThanOrEqual(450);
    expect(alarms[0].at).toBeLessThan(500);
    expect(alarms[0].sdBefore).toBeGreaterThan(0.8);
    expect(alarms[0].sdAfter).toBeLessThan(0.6);
  });

  it('rarely takes a lone outlier for a change, thanks to the outlier term', () => {
    // An 8σ spike at sample 400 of unit noise; alarms within 60 samples after it, over 50 series.
    const near = (options: Partial<BocpdOptions>) => {
      let count = 0;
      for (let seed = 0; seed < 50; seed++) {
        const alarms = run(new Bocpd(options), noise(100 + seed, 600, (i) => (i === 400 ? (seed % 2 ? 8 : -8) : 0)));
        count += alarms.filter((a) => a.at >= 400 && a.at < 460).length;
      }
      return count;
    };
    expect(near({})).toBeLessThanOrEqual(2);
    expect(near({ outlierProbability: 0 })).toBeGreaterThanOrEqual(25);
  });

  it('ignores non-finite samples', () => {
    const b = new Bocpd();
    b.update(0.5);
    const before = JSON.stringify(b.snapshot());
    expect(b.update(NaN)).toBeNull();
    expect(b.update(Infinity)).toBeNull();
    expect(JSON.stringify(b.snapshot())).toBe(before);
  });

  it('validates options loudly, naming the field', () => {
    expect(() => new Bocpd({ expectedRunLength: 1 })).toThrow(/expectedRunLength/);
    expect(() => new Bocpd({ kappa0: 0 })).toThrow(/kappa0/);
    expect(() => new Bocpd({ alpha0: -1 })).toThrow(/alpha0/);
    expect(() => new Bocpd({ beta0: NaN })).toThrow(/beta0/);
    expect(() => new Bocpd({ mu0: Infinity })).toThrow(/mu0/);
    expect(() => new Bocpd({ maxRunLength: 50 })).toThrow(/maxRunLength/);
    expect(() => new Bocpd({ window: 0 })).toThrow(/window/);
    expect(() => new Bocpd({ threshold: 1 })).toThrow(/threshold/);
    expect(() => new Bocpd({ rearm: 0.95 })).toThrow(/rearm/);
    expect(() => new Bocpd({ outlierProbability: 1 })).toThrow(/outlierProbability/);
    expect(() => new Bocpd({ outlierProbability: 1 })).toThrow(RangeError);
  });
});

describe('Bocpd: snapshot and restore', () => {
  const finiteEverywhere = (v: unknown): boolean =>
    typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) ? v.every(finiteEverywhere) : typeof v === 'object' && v !== null ? Object.values(v).every(finiteEverywhere) : true;

  it('continues bit-identically after a JSON round trip, at any point', () => {
    const next = mulberry32(9);
    const xs = Array.from({ length: 3000 }, (_, i) => 2.5 * Math.floor(i / 300) * (i % 600 < 300 ? 1 : -1) + (i % 900 < 450 ? 1 : 2) * gaussian(next));
    for (const cut of [0, 1, 30, 450, 1234]) {
      const a = new Bocpd();
      xs.slice(0, cut).forEach((x) => a.update(x));
      const state = JSON.parse(JSON.stringify(a.snapshot()));
      expect(finiteEverywhere(state)).toBe(true);
      const b = Bocpd.restore({}, state);
      const alarmsA: (BocpdAlarm | null)[] = [];
      const alarmsB: (BocpdAlarm | null)[] = [];
      for (const x of xs.slice(cut)) {
        alarmsA.push(a.update(x));
        alarmsB.push(b.update(x));
      }
      expect(alarmsA.filter(Boolean).length).toBeGreaterThan(2);
      expect(alarmsB).toEqual(alarmsA);
      expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(a.snapshot()));
      expect(Array.from(b.runLengthPosterior())).toEqual(Array.from(a.runLengthPosterior()));
    }
  });

  it('rejects a state that does not fit the options', () => {
    const a = new Bocpd({ maxRunLength: 100 });
    for (let i = 0; i < 200; i++) a.update(Math.sin(i));
    const state = a.snapshot();
    expect(() => Bocpd.restore({ maxRunLength: 120 }, state)).toThrow(/logR/);
    expect(() => Bocpd.restore({ maxRunLength: 100 }, { ...state, mu: state.mu.slice(1) })).toThrow(/mu/);
    expect(() => Bocpd.restore({ maxRunLength: 100 }, { ...state, logR: state.logR.map(() => NaN) })).toThrow(/logR/);
  });
});
