import { describe, expect, it } from 'vitest';
import { Rng, RngStream, type RngStreamId } from '../../src/model/rng.js';

/**
 * P(|Z| > x) = erfc(x/√2) for a standard normal Z, by the continued fraction of erfc, which
 * converges fast for the x ≥ 3 it is used at here (checked against tabled values below).
 */
function normalTwoSidedTail(x: number): number {
  const z = x / Math.SQRT2;
  // Lentz continued fraction for erfc(z) = exp(-z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...))))
  let f = z;
  for (let n = 60; n >= 1; n--) f = z + n / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

function uniforms(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniform());
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Sample moments: mean, (biased) variance, skewness and kurtosis. */
function moments(x: ArrayLike<number>): { mean: number; variance: number; skewness: number; kurtosis: number } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

describe('Rng keying', () => {
  it('the same key gives identical sequences of every kind of draw', () => {
    const a = Rng.keyed(42, 1234, RngStream.data, 3);
    const b = Rng.keyed(42, 1234, RngStream.data, 3);
    for (let i = 0; i < 2000; i++) {
      expect(a.nextU32()).toBe(b.nextU32());
      expect(a.uniform()).toBe(b.uniform());
      expect(a.below(17)).toBe(b.below(17));
      expect(a.sign()).toBe(b.sign());
      expect(a.normal()).toBe(b.normal());
    }
  });

  it('sub defaults to 0', () => {
    const a = Rng.keyed(5, 6, RngStream.noise);
    const b = Rng.keyed(5, 6, RngStream.noise, 0);
    for (let i = 0; i < 100; i++) expect(a.nextU32()).toBe(b.nextU32());
  });

  const n = 100_000;
  const base: [number, number, RngStreamId, number] = [7, 100, RngStream.noise, 0];
  const variants: [string, [number, number, RngStreamId, number]][] = [
    ['seed', [8, 100, RngStream.noise, 0]],
    ['step', [7, 101, RngStream.noise, 0]],
    ['stream', [7, 100, RngStream.augment, 0]],
    ['sub', [7, 100, RngStream.noise, 1]],
    ['seed/step swapped', [100, 7, RngStream.noise, 0]],
    ['step beyond 2^32', [7, 100 + 2 ** 32, RngStream.noise, 0]],
  ];
  it.each(variants)('a different %s gives a different, nearly uncorrelated sequence', (_label, key) => {
    const a = uniforms(Rng.keyed(...base), n);
    const b = uniforms(Rng.keyed(...key), n);
    let equal = 0;
    for (let i = 0; i < n; i++) if (a[i] === b[i]) equal++;
    // Two independent 32-bit streams agree at a position with probability 2^-32.
    expect(equal).toBeLessThan(3);
    // The sample correlation of independent samples has standard error 1/√n.
    expect(Math.abs(correlation(a, b))).toBeLessThan(5 / Math.sqrt(n));
    // Also lagged by one, in case one stream is a shifted copy of the other.
    expect(Math.abs(correlation(a.subarray(1), b.subarray(0, n - 1)))).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(correlation(a.subarray(0, n - 1), b.subarray(1)))).toBeLessThan(5 / Math.sqrt(n));
  });

  it('all the named streams of one (seed, step) are distinct', () => {
    const ids = Object.values(RngStream);
    expect(new Set(ids).size).toBe(ids.length);
    const firsts = ids.map((id) => {
      const r = Rng.keyed(0, 0, id);
      return `${r.nextU32()},${r.nextU32()}`;
    });
    expect(new Set(firsts).size).toBe(ids.length);
  });

  it('consecutive steps are not shifted copies of each other', () => {
    const a = uniforms(Rng.keyed(1, 10, RngStream.data), 64);
    const b = uniforms(Rng.keyed(1, 11, RngStream.data), 64);
    const setA = new Set(a);
    expect(b.filter((x) => setA.has(x)).length).toBe(0);
  });
});

describe('Rng uniform draws', () => {
  const n = 200_000;

  it('nextU32 is an unsigned 32-bit integer with fair bits', () => {
    const rng = Rng.keyed(3, 0, RngStream.data);
    const ones = new Float64Array(32);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.nextU32();
      if (!(Number.isInteger(x) && x >= 0 && x < 2 ** 32)) bad++;
      for (let bit = 0; bit < 32; bit++) ones[bit] += (x >>> bit) & 1;
    }
    expect(bad).toBe(0);
    // Each bit is Bernoulli(1/2): SE of the count √(n/4).
    for (let bit = 0; bit < 32; bit++) expect(Math.abs(ones[bit] - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
  });

  it('uniform has mean 1/2 and variance 1/12 within 5 standard errors, on [0, 1)', () => {
    const x = uniforms(Rng.keyed(11, 22, RngStream.data), n);
    let min = Infinity;
    let max = -Infinity;
    for (const v of x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const { mean, variance } = moments(x);
    // SE(mean) = √(1/12 / n); Var((U − 1/2)²) = 1/80 − 1/144 = 1/180, so SE(var) ≈ √(1/180 / n).
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
    // Lag-1 autocorrelation ≈ 0.
    expect(Math.abs(correlation(x.subarray(1), x.subarray(0, n - 1)))).toBeLessThan(5 / Math.sqrt(n));
  });

  it.each([[2], [7], [16], [100]])('below(%i) hits every value with frequencies within 5 SE', (k) => {
    const rng = Rng.keyed(5, 9, RngStream.augment);
    const counts = new Float64Array(k);
    const draws = 50_000 * Math.max(1, Math.ceil(k / 16));
    let bad = 0;
    for (let i = 0; i < draws; i++) {
      const v = rng.below(k);
      if (Number.isInteger(v) && v >= 0 && v < k) counts[v]++;
      else bad++;
    }
    expect(bad).toBe(0);
    const p = 1 / k;
    const se = Math.sqrt(draws * p * (1 - p));
    for (let v = 0; v < k; v++) {
      expect(counts[v]).toBeGreaterThan(0);
      expect(Math.abs(counts[v] - draws * p)).toBeLessThan(5 * se);
    }
  });

  it('below(1) is always 0', () => {
    const rng = Rng.keyed(0, 0, RngStream.data);
    let nonzero = 0;
    for (let i = 0; i < 1000; i++) if (rng.below(1) !== 0) nonzero++;
    expect(nonzero).toBe(0);
  });

  it('sign is ±1 and balanced within 5 SE, with no lag-1 correlation', () => {
    const rng = Rng.keyed(13, 1, RngStream.data);
    const s = Float64Array.from({ length: n }, () => rng.sign());
    let sum = 0;
    let bad = 0;
    for (const v of s) {
      if (v !== 1 && v !== -1) bad++;
      sum += v;
    }
    expect(bad).toBe(0);
    expect(Math.abs(sum)).toBeLessThan(5 * Math.sqrt(n));
    let lag = 0;
    for (let i = 1; i < n; i++) lag += s[i] * s[i - 1];
    expect(Math.abs(lag)).toBeLessThan(5 * Math.sqrt(n));
  });
});

describe('Rng normal draws', () => {
  it('mean 0, variance 1, skewness 0, kurtosis 3 within 5 standard errors on 2·10^5 draws', () => {
    const n = 200_000;
    const rng = Rng.keyed(2024, 5, RngStream.noise);
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const { mean, variance, skewness, kurtosis } = moments(x);
    // Standard errors for a normal sample: mean 1/√n, variance √(2/n), skewness √(6/n), kurtosis √(24/n).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(skewness)).toBeLessThan(5 * Math.sqrt(6 / n));
    expect(Math.abs(kurtosis - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    // Tail beyond 3: p = erfc(3/√2) ≈ 0.0026998.
    const p3 = normalTwoSidedTail(3);
    expect(p3).toBeCloseTo(0.0026998, 6);
    let beyond = 0;
    for (const v of x) if (Math.abs(v) > 3) beyond++;
    expect(Math.abs(beyond - n * p3)).toBeLessThan(5 * Math.sqrt(n * p3 * (1 - p3)));
    // The CDF at a few points, from tables of Φ (binomial SE for each).
    const table: [number, number][] = [
      [-2, 0.0227501319481792],
      [-1, 0.158655253931457],
      [0, 0.5],
      [0.5, 0.691462461274013],
      [1.5, 0.933192798731142],
    ];
    for (const [t, p] of table) {
      let below = 0;
      for (const v of x) if (v < t) below++;
      expect(Math.abs(below - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
  });

  it('the ziggurat tail: P(|x| > 3.5) ≈ 4.65e-4 within 5 SE on 10^6 draws, symmetric', () => {
    const n = 1_000_000;
    const rng = Rng.keyed(99, 7, RngStream.noise);
    const p = normalTwoSidedTail(3.5);
    expect(p).toBeCloseTo(4.6525e-4, 7);
    let pos = 0;
    let neg = 0;
    let farther = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      if (v > 3.5) pos++;
      else if (v < -3.5) neg++;
      if (Math.abs(v) > 4) farther++;
    }
    const beyond = pos + neg;
    expect(Math.abs(beyond - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    // Both signs of the tail: pos ~ Binomial(beyond, 1/2).
    expect(Math.abs(pos - neg)).toBeLessThan(5 * Math.sqrt(beyond));
    // Deeper tail, beyond 4 (p ≈ 6.33e-5): still drawn at the right rate.
    const p4 = normalTwoSidedTail(4);
    expect(Math.abs(farther - n * p4)).toBeLessThan(5 * Math.sqrt(n * p4));
  });

  it('the same draws through fillNormal: tail P(|x| > 3.5) within 5 SE', () => {
    const n = 1_000_000;
    const out = new Float64Array(n);
    Rng.keyed(100, 7, RngStream.noise).fillNormal(out);
    const p = normalTwoSidedTail(3.5);
    let beyond = 0;
    for (const v of out) if (Math.abs(v) > 3.5) beyond++;
    expect(Math.abs(beyond - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    const { mean, variance } = moments(out);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

describe('Rng.fillNormal', () => {
  function reference(seed: number, count: number, scale: number): number[] {
    const rng = Rng.keyed(seed, 3, RngStream.noise);
    return Array.from({ length: count }, () => rng.normal() * scale);
  }

  it.each([[1], [2], [7], [1000], [20_001]])('fills %i values exactly like successive normal()·scale (Float64Array)', (count) => {
    const scale = 0.34;
    const out = new Float64Array(count);
    const rng = Rng.keyed(17, 3, RngStream.noise);
    rng.fillNormal(out, scale);
    const want = reference(17, count, scale);
    for (let i = 0; i < count; i++) if (out[i] !== want[i]) expect([i, out[i]]).toEqual([i, want[i]]);
    // The generator is left exactly where `count` normal() calls leave it.
    const after = Rng.keyed(17, 3, RngStream.noise);
    for (let i = 0; i < count; i++) after.normal();
    for (let i = 0; i < 10; i++) expect(rng.nextU32()).toBe(after.nextU32());
  });

  it('fills a Float32Array with the float32 roundings of the same values (odd length)', () => {
    const count = 10_001;
    const out = new Float32Array(count);
    Rng.keyed(23, 3, RngStream.noise).fillNormal(out, 2.5);
    const want = Float32Array.from(reference(23, count, 2.5));
    let mismatches = 0;
    for (let i = 0; i < count; i++) if (out[i] !== want[i]) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('the default scale is 1', () => {
    const out = new Float64Array(501);
    Rng.keyed(29, 3, RngStream.noise).fillNormal(out);
    expect(Array.from(out)).toEqual(reference(29, 501, 1));
  });

  it('an offset and count fill only that range, with the same values', () => {
    const out = new Float64Array(1000).fill(-7);
    const rng = Rng.keyed(31, 3, RngStream.noise);
    rng.fillNormal(out, 1.5, 101, 333);
    const want = reference(31, 333, 1.5);
    for (let i = 0; i < 1000; i++) {
      if (i < 101 || i >= 434) expect(out[i]).toBe(-7);
      else if (out[i] !== want[i - 101]) expect([i, out[i]]).toEqual([i, want[i - 101]]);
    }
  });

  it('an offset without a count fills to the end', () => {
    const out = new Float64Array(51).fill(-7);
    Rng.keyed(37, 3, RngStream.noise).fillNormal(out, 1, 10);
    expect(Array.from(out.subarray(0, 10))).toEqual(new Array(10).fill(-7));
    expect(Array.from(out.subarray(10))).toEqual(reference(37, 41, 1));
  });

  it('interleaving fillNormal and normal continues one sequence', () => {
    const rng = Rng.keyed(41, 3, RngStream.noise);
    const got: number[] = [];
    const chunk = new Float64Array(77);
    for (let r = 0; r < 30; r++) {
      rng.fillNormal(chunk);
      got.push(...chunk);
      got.push(rng.normal());
    }
    expect(got).toEqual(reference(41, got.length, 1));
  });

  it('count 0 draws nothing', () => {
    const a = Rng.keyed(43, 3, RngStream.noise);
    const b = Rng.keyed(43, 3, RngStream.noise);
    a.fillNormal(new Float64Array(5), 1, 5, 0);
    for (let i = 0; i < 10; i++) expect(a.nextU32()).toBe(b.nextU32());
  });
});
