import { describe, it, expect } from 'vitest';
import {
  choleskyPsd,
  identity,
  invertSpd,
  jacobiEigenSymmetric,
  matMul,
  solveLower,
  solveUpper,
  transpose,
} from '../../src/model/linalg.js';
import { mulberry32 } from '../helpers/test-rng.js';


/** Uniform(-1, 1) rows×cols matrix. */
function randomMatrix(rows: number, cols: number, rand: () => number): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => 2 * rand() - 1);
}

/** B Bᵀ + I for a random n×n B: symmetric with every eigenvalue ≥ 1. */
function randomSpd(n: number, seed: number): Float64Array {
  const b = randomMatrix(n, n, mulberry32(seed));
  const a = matMul(b, transpose(b, n, n), n, n, n);
  for (let i = 0; i < n; i++) a[i * n + i] += 1;
  return a;
}

/** Frobenius norm, written out here rather than borrowed from the module under test. */
function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  const diff = Array.from(got, (g, i) => g - want[i]);
  return frob(diff) / Math.max(frob(want), Number.MIN_VALUE);
}

function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]));
  return m;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12): void {
  expect(maxAbsDiff(got, want)).toBeLessThan(tol);
}

function expectNoNaN(a: ArrayLike<number>): void {
  expect(Array.from(a).every((x) => Number.isFinite(x))).toBe(true);
}

function expectLowerTriangular(l: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
}

/** L Lᵀ computed with an independent triple loop. */
function llt(l: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += l[i * n + k] * l[j * n + k];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** V diag(λ) Vᵀ computed with an independent triple loop. */
function reconstruct(values: ArrayLike<number>, vectors: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * values[k] * vectors[j * n + k];
      out[i * n + j] = s;
    }
  }
  return out;
}

function expectSortedDescending(values: ArrayLike<number>): void {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
}

function expectOrthonormalColumns(v: ArrayLike<number>, n: number, tol: number): void {
  const vtv = matMul(transpose(v, n, n), v, n, n, n);
  expect(maxAbsDiff(vtv, identity(n))).toBeLessThan(tol);
}

describe('identity / transpose / matMul', () => {
  it('builds the identity', () => {
    expect(Array.from(identity(3))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(identity(0).length).toBe(0);
  });

  it('transposes a 2×3 matrix into a 3×2 matrix', () => {
    // [[1,2,3],[4,5,6]]ᵀ = [[1,4],[2,5],[3,6]]
    expect(Array.from(transpose([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('multiplies (2×3)·(3×2) by hand', () => {
    // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]]
    //   row 0: [7+18+33, 8+20+36]   = [58, 64]
    //   row 1: [28+45+66, 32+50+72] = [139, 154]
    const c = matMul([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], 2, 3, 2);
    expect(c).toBeInstanceOf(Float64Array);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });

  it('rejects arrays of the wrong length', () => {
    expect(() => matMul([1, 2, 3], [1, 2], 2, 2, 1)).toThrow(/matMul/);
  });
});

describe('choleskyPsd', () => {
  // A = L Lᵀ with L = [[2,0,0],[1,3,0],[1,2,4]]; forward, column by column:
  //   l00 = √4 = 2,  l10 = 2/2 = 1,  l20 = 2/2 = 1,
  //   l11 = √(10 − 1²) = 3,  l21 = (7 − 1·1)/3 = 2,
  //   l22 = √(21 − 1² − 2²) = 4.
  const a3 = [4, 2, 2, 2, 10, 7, 2, 7, 21];
  const l3 = [2, 0, 0, 1, 3, 0, 1, 2, 4];

  it('matches the hand-derived 3×3 factor', () => {
    expectClose(choleskyPsd(a3, 3), l3, 1e-15);
  });

  it('accepts Float32Array input and returns Float64Array', () => {
    const l = choleskyPsd(Float32Array.from(a3), 3);
    expect(l).toBeInstanceOf(Float64Array);
    expectClose(l, l3, 1e-15); // every entry above is exact in float32
  });

  it('reconstructs random SPD matrices (B Bᵀ + I)', () => {
    for (const [n, seed] of [
      [1, 1],
      [5, 2],
      [17, 3],
      [64, 4],
    ]) {
      const a = randomSpd(n, seed);
      const l = choleskyPsd(a, n);
      expectLowerTriangular(l, n);
      for (let i = 0; i < n; i++) expect(l[i * n + i]).toBeGreaterThan(0);
      expect(relErr(llt(l, n), a)).toBeLessThan(1e-13);
    }
  });

  it('factors the rank-one v vᵀ exactly, with the dead columns zeroed', () => {
    // v = [1,2,3]: column 0 is v / √1 = v; the next pivots are 4 − 2² = 0 and 9 − 3² = 0.
    const v = [1, 2, 3];
    const a = v.flatMap((vi) => v.map((vj) => vi * vj));
    const l = choleskyPsd(a, 3);
    expect(Array.from(l)).toEqual([1, 0, 0, 2, 0, 0, 3, 0, 0]);
  });

  it('handles a zero leading pivot (v = [0,1,2])', () => {
    // Column 0 has a zero pivot and is dropped; column 1 then takes v / v₁ · √(v₁²) = v.
    const v = [0, 1, 2];
    const a = v.flatMap((vi) => v.map((vj) => vi * vj));
    const l = choleskyPsd(a, 3);
    expectNoNaN(l);
    expect(Array.from(l)).toEqual([0, 0, 0, 0, 1, 0, 0, 2, 0]);
  });

  it('reconstructs random rank-deficient Gram matrices without NaN', () => {
    const rand = mulberry32(99);
    for (const [n, r] of [
      [4, 1],
      [8, 3],
      [32, 5],
      [64, 63],
    ]) {
      const c = randomMatrix(n, r, rand);
      const a = matMul(c, transpose(c, n, r), n, r, n); // rank r, PSD, not PD
      const l = choleskyPsd(a, n);
      expectNoNaN(l);
      expectLowerTriangular(l, n);
      expect(relErr(llt(l, n), a)).toBeLessThan(1e-10);
      // Only r columns can carry mass; the rest must have been zeroed.
      let live = 0;
      for (let j = 0; j < n; j++) if (l[j * n + j] !== 0) live++;
      expect(live).toBeLessThanOrEqual(r);
    }
  });

  it('returns an all-zero L for the all-zero matrix', () => {
    for (const n of [1, 3, 16]) {
      const l = choleskyPsd(new Float64Array(n * n), n);
      expect(Array.from(l).every((x) => x === 0)).toBe(true);
    }
  });

  it('samples with the requested covariance: L z has cov L Lᵀ = A', () => {
    // The use case: x = L z, z ~ N(0, I), has covariance L Lᵀ. Check the identity directly
    // on the basis z = e_k: Σ_k (L e_k)(L e_k)ᵀ = A for the rank-2 Gram matrix below.
    // c₁ = [1,1,0], c₂ = [0,1,1]  ⇒  A = c₁c₁ᵀ + c₂c₂ᵀ = [[1,1,0],[1,2,1],[0,1,1]].
    const a = [1, 1, 0, 1, 2, 1, 0, 1, 1];
    const l = choleskyPsd(a, 3);
    // Hand factor: l00 = 1, l10 = 1, l20 = 0; l11 = √(2−1) = 1, l21 = (1−0)/1 = 1;
    // pivot 2 = 1 − 0² − 1² = 0 → dropped.
    expect(Array.from(l)).toEqual([1, 0, 0, 1, 1, 0, 0, 1, 0]);
    const cov = new Float64Array(9);
    for (let k = 0; k < 3; k++) {
      const e = new Float64Array(3);
      e[k] = 1;
      const x = matMul(l, e, 3, 3, 1);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) cov[i * 3 + j] += x[i] * x[j];
    }
    expect(Array.from(cov)).toEqual(a);
  });
});

describe('solveLower / solveUpper', () => {
  const l = [2, 0, 0, 1, 3, 0, 1, 2, 4];
  const x = [1, 0, -1, 2, 0.5, 1]; // 3×2: [[1,0],[-1,2],[0.5,1]]

  it('solves a hand-made lower-triangular system', () => {
    // B = L X:
    //   row 0: 2·[1,0]                           = [2, 0]
    //   row 1: 1·[1,0] + 3·[-1,2]                = [-2, 6]
    //   row 2: 1·[1,0] + 2·[-1,2] + 4·[0.5,1]    = [1, 8]
    const b = [2, 0, -2, 6, 1, 8];
    expectClose(solveLower(l, b, 3, 2), x, 1e-15);
  });

  it('solves a hand-made upper-triangular system', () => {
    // U = Lᵀ = [[2,1,1],[0,3,2],[0,0,4]];  B = U X:
    //   row 0: 2·[1,0] + 1·[-1,2] + 1·[0.5,1]    = [1.5, 3]
    //   row 1: 3·[-1,2] + 2·[0.5,1]              = [-2, 8]
    //   row 2: 4·[0.5,1]                         = [2, 4]
    const u = [2, 1, 1, 0, 3, 2, 0, 0, 4];
    const b = [1.5, 3, -2, 8, 2, 4];
    expectClose(solveUpper(u, b, 3, 2), x, 1e-15);
  });

  it('ignores the unused triangle', () => {
    // Garbage above (resp. below) the diagonal must not change the answer.
    const lDirty = [2, 9, 9, 1, 3, 9, 1, 2, 4];
    expectClose(solveLower(lDirty, [2, 0, -2, 6, 1, 8], 3, 2), x, 1e-15);
    const uDirty = [2, 1, 1, 9, 3, 2, 9, 9, 4];
    expectClose(solveUpper(uDirty, [1.5, 3, -2, 8, 2, 4], 3, 2), x, 1e-15);
  });

  it('does not modify its inputs', () => {
    const b = Float64Array.from([2, 0, -2, 6, 1, 8]);
    solveLower(l, b, 3, 2);
    expect(Array.from(b)).toEqual([2, 0, -2, 6, 1, 8]);
  });

  it('throws on a zero pivot', () => {
    expect(() => solveLower([1, 0, 5, 0], [1, 1], 2, 1)).toThrow(/solveLower: zero pivot at row 1/);
    expect(() => solveUpper([0, 1, 0, 1], [1, 1], 2, 1)).toThrow(/solveUpper: zero pivot at row 0/);
  });

  it('inverts the Cholesky factor of a random SPD matrix: L (L⁻¹ B) = B', () => {
    const n = 20;
    const a = randomSpd(n, 7);
    const lf = choleskyPsd(a, n);
    const b = randomMatrix(n, 4, mulberry32(8));
    expect(relErr(matMul(lf, solveLower(lf, b, n, 4), n, n, 4), b)).toBeLessThan(1e-13);
    const uf = transpose(lf, n, n);
    expect(relErr(matMul(uf, solveUpper(uf, b, n, 4), n, n, 4), b)).toBeLessThan(1e-13);
  });
});

describe('invertSpd', () => {
  it('matches the 2×2 closed form', () => {
    // [[4,2],[2,3]]⁻¹ = 1/(4·3 − 2·2) · [[3,−2],[−2,4]] = [[0.375,−0.25],[−0.25,0.5]]
    expectClose(invertSpd([4, 2, 2, 3], 2), [0.375, -0.25, -0.25, 0.5], 1e-15);
  });

  it('inverts a diagonal matrix entrywise', () => {
    expectClose(invertSpd([2, 0, 0, 0, 4, 0, 0, 0, 0.5], 3), [0.5, 0, 0, 0, 0.25, 0, 0, 0, 2], 1e-15);
  });

  it('gives A⁻¹ A ≈ I and a symmetric inverse on random SPD matrices', () => {
    for (const [n, seed] of [
      [3, 11],
      [10, 12],
      [64, 13],
    ]) {
      const a = randomSpd(n, seed);
      const inv = invertSpd(a, n);
      expect(maxAbsDiff(matMul(inv, a, n, n, n), identity(n))).toBeLessThan(1e-10);
      expect(maxAbsDiff(matMul(a, inv, n, n, n), identity(n))).toBeLessThan(1e-10);
      expect(Array.from(inv)).toEqual(Array.from(transpose(inv, n, n)));
    }
  });

  it('throws for indefinite, singular and zero matrices', () => {
    // [[1,2],[2,1]] has eigenvalues 3 and −1; the second pivot is 1 − 2²/1 = −3.
    expect(() => invertSpd([1, 2, 2, 1], 2)).toThrow(
      'invertSpd: matrix is not positive definite (pivot k = 1)',
    );
    // v vᵀ is singular: the second pivot is exactly 0.
    expect(() => invertSpd([1, 2, 2, 4], 2)).toThrow(/not positive definite \(pivot k = 1\)/);
    expect(() => invertSpd(new Float64Array(9), 3)).toThrow(/not positive definite \(pivot k = 0\)/);
    expect(() => invertSpd([-1], 1)).toThrow(/not positive definite/);
  });
});

describe('jacobiEigenSymmetric', () => {
  it('sorts the eigenvalues of a diagonal matrix descending, vectors permuted to match', () => {
    const { values, vectors } = jacobiEigenSymmetric([1, 0, 0, 0, 0, 5, 0, 0, 0, 0, -2, 0, 0, 0, 0, 3], 4);
    expect(Array.from(values)).toEqual([5, 3, 1, -2]);
    // Column j is e_{original index of values[j]}: 5 ↦ e₁, 3 ↦ e₃, 1 ↦ e₀, −2 ↦ e₂.
    const want = [
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 1, 0, 0],
    ].flat();
    expect(Array.from(vectors, Math.abs)).toEqual(want);
  });

  it('matches the 2×2 closed form λ = (a+d)/2 ± √(((a−d)/2)² + b²)', () => {
    for (const [a, b, d] of [
      [2, 1, 2],
      [4, -2.5, 1],
      [1e-3, 7, -3],
      [5, 1e-9, 5],
    ]) {
      const mean = (a + d) / 2;
      const r = Math.sqrt(((a - d) / 2) ** 2 + b * b);
      const { values, vectors } = jacobiEigenSymmetric([a, b, b, d], 2);
      expect(values[0]).toBeCloseTo(mean + r, 12);
      expect(values[1]).toBeCloseTo(mean - r, 12);
      // (A − λI) v = 0 ⇒ v ∥ (b, λ − a) for b ≠ 0; compare up to sign.
      for (let j = 0; j < 2; j++) {
        const u = [b, values[j] - a];
        const nu = Math.hypot(u[0], u[1]);
        const dot = (vectors[j] * u[0] + vectors[2 + j] * u[1]) / nu;
        expect(Math.abs(dot)).toBeCloseTo(1, 9);
      }
    }
  });

  it('gives the textbook 2×2 example exactly: [[2,1],[1,2]] → 3, 1 with (1,±1)/√2', () => {
    const { values, vectors } = jacobiEigenSymmetric([2, 1, 1, 2], 2);
    expectClose(values, [3, 1], 1e-15);
    const s = Math.SQRT1_2;
    expectClose(Array.from(vectors, Math.abs), [s, s, s, s], 1e-15);
    // The two columns have opposite sign patterns: (1,1) and (1,−1) up to sign.
    expect(Math.sign(vectors[0] * vectors[2])).toBe(1);
    expect(Math.sign(vectors[1] * vectors[3])).toBe(-1);
  });

  it('matches the 3×3 closed form for tridiag(−1, 2, −1)', () => {
    // det(A − λI) = (2−λ)[(2−λ)² − 1] − (2−λ) = (2−λ)[(2−λ)² − 2]
    //   ⇒ λ ∈ {2 + √2, 2, 2 − √2}; eigenvectors (1, ∓√2, 1)/2 and (1, 0, −1)/√2.
    const { values, vectors } = jacobiEigenSymmetric([2, -1, 0, -1, 2, -1, 0, -1, 2], 3);
    expectClose(values, [2 + Math.SQRT2, 2, 2 - Math.SQRT2], 1e-14);
    const want = [
      [0.5, -Math.SQRT1_2, 0.5],
      [Math.SQRT1_2, 0, -Math.SQRT1_2],
      [0.5, Math.SQRT1_2, 0.5],
    ];
    want.forEach((w, j) => {
      const dot = w[0] * vectors[j] + w[1] * vectors[3 + j] + w[2] * vectors[6 + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 13);
    });
  });

  it('reconstructs random SPD matrices as V diag(λ) Vᵀ with orthonormal V', () => {
    for (const [n, seed] of [
      [3, 21],
      [12, 22],
      [64, 23],
    ]) {
      const a = randomSpd(n, seed);
      const { values, vectors } = jacobiEigenSymmetric(a, n);
      expectSortedDescending(values);
      expect(values[n - 1]).toBeGreaterThanOrEqual(1 - 1e-9); // B Bᵀ + I ⪰ I
      expect(relErr(reconstruct(values, vectors, n), a)).toBeLessThan(1e-9);
      expectOrthonormalColumns(vectors, n, 1e-10);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i];
      expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 8);
    }
  });

  it('handles an indefinite symmetric matrix and Float32Array input', () => {
    const n = 9;
    const rand = mulberry32(31);
    const a = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = 2 * rand() - 1;
    }
    const { values, vectors } = jacobiEigenSymmetric(a, n);
    expectSortedDescending(values);
    expect(values[0]).toBeGreaterThan(0);
    expect(values[n - 1]).toBeLessThan(0);
    expect(relErr(reconstruct(values, vectors, n), a)).toBeLessThan(1e-10);
    expectOrthonormalColumns(vectors, n, 1e-12);
  });

  it('agrees with the rank of a PSD Gram matrix: r positive eigenvalues, the rest ≈ 0', () => {
    const n = 10;
    const r = 3;
    const c = randomMatrix(n, r, mulberry32(41));
    const a = matMul(c, transpose(c, n, r), n, r, n);
    const { values, vectors } = jacobiEigenSymmetric(a, n);
    for (let i = 0; i < r; i++) expect(values[i]).toBeGreaterThan(1e-3);
    for (let i = r; i < n; i++) expect(Math.abs(values[i])).toBeLessThan(1e-12 * values[0] * n);
    expect(relErr(reconstruct(values, vectors, n), a)).toBeLessThan(1e-10);
  });

  it('returns zeros and the identity for the zero matrix', () => {
    const { values, vectors } = jacobiEigenSymmetric(new Float64Array(16), 4);
    expect(Array.from(values)).toEqual([0, 0, 0, 0]);
    expect(Array.from(vectors)).toEqual(Array.from(identity(4)));
  });

  it('stops after maxSweeps', () => {
    // With zero sweeps nothing rotates: the diagonal comes back sorted, off-diagonal ignored.
    const { values, vectors } = jacobiEigenSymmetric([1, 0.5, 0.5, 3], 2, { maxSweeps: 0 });
    expect(Array.from(values)).toEqual([3, 1]);
    expect(Array.from(vectors)).toEqual([0, 1, 1, 0]);
  });

  it('does not modify its input', () => {
    const a = Float64Array.from([2, 1, 1, 2]);
    jacobiEigenSymmetric(a, 2);
    expect(Array.from(a)).toEqual([2, 1, 1, 2]);
  });
});
