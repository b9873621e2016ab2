import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { featureBasis } from '../../src/model/features.js';
import { initialHead, initialWeights } from '../../src/model/init.js';

function config(overrides: Record<string, unknown> = {}): RunConfig {
  return resolveConfig({ overrides }).config;
}

/** Column j of a d×m row-major matrix, in float64. */
function column(a: ArrayLike<number>, rows: number, cols: number, j: number): Float64Array {
  return Float64Array.from({ length: rows }, (_, i) => a[i * cols + j]);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('featureBasis', () => {
  it('axis: v_1 = e_1, v_2 = e_2', () => {
    const c = config();
    const basis = featureBasis(c);
    expect(basis.length).toBe(64 * 2);
    const expected = new Float64Array(128);
    expected[0] = 1; // row 0, column 0
    expected[3] = 1; // row 1, column 1
    expect(basis).toEqual(expected);
  });

  it('random: an orthonormal pair, pure in the seed, not axis-aligned', () => {
    const c = config({ data: { features: 'random' } });
    const basis = featureBasis(c);
    const v1 = column(basis, 64, 2, 0);
    const v2 = column(basis, 64, 2, 1);
    expect(dot(v1, v1)).toBeCloseTo(1, 12);
    expect(dot(v2, v2)).toBeCloseTo(1, 12);
    expect(dot(v1, v2)).toBeCloseTo(0, 12);
    expect(featureBasis(c)).toEqual(basis);
    expect(featureBasis(config({ seed: 1, data: { features: 'random' } }))).not.toEqual(basis);
    // A random unit vector in R^64 has max |coordinate| well below 1.
    expect(Math.max(...v1.map(Math.abs))).toBeLessThan(0.9);
    expect(Math.max(...v2.map(Math.abs))).toBeLessThan(0.9);
  });
});

describe('initialWeights: controlled init', () => {
  it.each([
    ['axis features, defaults', {}],
    ['random features', { data: { features: 'random' } }],
    ['d = 16, m = 5, custom σ_0 and overlaps', { data: { d: 16 }, model: { m: 5 }, init: { sigma0: 0.2, overlap: [[2, -1], [0.5, 3]] } }],
  ])('%s: ⟨w_j, v_ℓ⟩ = σ_0·overlap[ℓ][j] and ‖w_j‖ = 1 for j = 1, 2', (_name, overrides) => {
    const c = config(overrides);
    const { d } = c.data;
    const { m } = c.model;
    const sigma0 = c.init.sigma0 ?? 1 / Math.sqrt(d);
    const basis = featureBasis(c);
    const W = initialWeights(c, basis);
    expect(W).toBeInstanceOf(Float32Array);
    expect(W.length).toBe(d * m);
    const v = [column(basis, d, 2, 0), column(basis, d, 2, 1)];
    for (let j = 0; j < 2; j++) {
      const w = column(W, d, m, j);
      for (let l = 0; l < 2; l++) expect(Math.abs(dot(w, v[l]) - sigma0 * c.init.overlap[l][j])).toBeLessThan(1e-6);
      expect(Math.abs(Math.sqrt(dot(w, w)) - 1)).toBeLessThan(1e-6);
    }
  });

  it('the part outside span{v_1, v_2} is random: different seeds give different w_j with the same overlaps', () => {
    const a = initialWeights(config(), featureBasis(config()));
    const c1 = config({ seed: 5 });
    const b = initialWeights(c1, featureBasis(c1));
    expect(b).not.toEqual(a);
    // Same overlaps with e_1, e_2 (rows 0 and 1 of W), to float32 rounding.
    for (const idx of [0, 1, 2, 3]) expect(Math.abs(b[idx] - a[idx])).toBeLessThan(1e-6);
    // Pure in the seed.
    expect(initialWeights(config(), featureBasis(config()))).toEqual(a);
  });

  it('the residual outside the span spreads over many coordinates (not a fixed direction)', () => {
    const c = config();
    const W = initialWeights(c, featureBasis(c));
    const d = 64;
    for (let j = 0; j < 2; j++) {
      const w = column(W, d, 2, j);
      const residual = w.slice(2);
      const r2 = dot(residual, residual);
      const s = 1 / 8;
      // ‖residual‖² = 1 − σ_0²(o_1j² + o_2j²).
      const o = [
        [1.5, 1],
        [1, 1.3],
      ];
      expect(r2).toBeCloseTo(1 - s * s * (o[0][j] ** 2 + o[1][j] ** 2), 5);
      // No single coordinate carries most of it.
      expect(Math.max(...residual.map((x) => x * x)) / r2).toBeLessThan(0.5);
    }
  });

  it('neurons beyond the first two are N(0, σ_0² I): mean ‖w_j‖² ≈ d σ_0² within 5 SE', () => {
    const c = config({ model: { m: 66 }, init: { sigma0: 0.1 } });
    const d = 64;
    const W = initialWeights(c, featureBasis(c));
    let sum = 0;
    for (let j = 2; j < 66; j++) {
      const w = column(W, d, 66, j);
      sum += dot(w, w);
    }
    const n = 64;
    // ‖w‖² = σ_0² χ²_d: mean d σ_0², variance 2 d σ_0⁴.
    expect(Math.abs(sum / n - d * 0.01)).toBeLessThan(5 * Math.sqrt((2 * d * 1e-4) / n));
  });
});

describe('initialWeights: random init', () => {
  it.each([
    ['default σ_0 = 1/√d', {}, 1 / 8],
    ['σ_0 = 0.05, d = 200', { data: { d: 200 }, init: { sigma0: 0.05 } }, 0.05],
  ])('%s: entries N(0, σ_0²), ‖w_j‖² ≈ d σ_0² within 5 SE', (_name, extra, sigma0) => {
    const c = config({ ...extra, model: { m: 64 }, init: { mode: 'random', ...((extra as { init?: object }).init ?? {}) } });
    const { d } = c.data;
    const m = 64;
    const W = initialWeights(c, featureBasis(c));
    expect(W.length).toBe(d * m);
    let sumSq = 0;
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const w = column(W, d, m, j);
      sumSq += dot(w, w);
      for (const x of w) sum += x;
    }
    const meanNorm2 = sumSq / m;
    const s2 = sigma0 * sigma0;
    expect(Math.abs(meanNorm2 - d * s2)).toBeLessThan(5 * Math.sqrt((2 * d * s2 * s2) / m));
    // Entry mean 0: SE σ_0/√(d m).
    expect(Math.abs(sum / (d * m))).toBeLessThan(5 * sigma0 / Math.sqrt(d * m));
  });

  it('works for m = 1', () => {
    const c = config({ model: { m: 1 }, init: { mode: 'random' } });
    const W = initialWeights(c, featureBasis(c));
    expect(W.length).toBe(64);
    expect(W.every(Number.isFinite)).toBe(true);
  });

  it('random init does not prescribe the overlaps (they are O(σ_0), not σ_0·overlap)', () => {
    const c = config({ model: { m: 64 }, init: { mode: 'random' } });
    const W = initialWeights(c, featureBasis(c));
    // ⟨w_j, e_1⟩ = W[0, j] ~ N(0, 1/64); over 64 neurons their mean square is ≈ 1/64.
    let ms = 0;
    for (let j = 0; j < 64; j++) ms += W[j] ** 2;
    ms /= 64;
    expect(Math.abs(ms - 1 / 64)).toBeLessThan((5 * Math.sqrt(2) * (1 / 64)) / Math.sqrt(64));
  });
});

describe('initialHead', () => {
  it.each([[1], [2], [5]])('is the %i×%i identity', (m) => {
    const c = config({ model: { m }, init: { mode: m < 2 ? 'random' : 'controlled' } });
    const E = initialHead(c);
    expect(E).toBeInstanceOf(Float32Array);
    expect(Array.from(E)).toEqual(Array.from({ length: m * m }, (_, q) => (Math.floor(q / m) === q % m ? 1 : 0)));
  });
});
