/**
 * An independent float64 reference of the model of SPEC §1–2, written for the tests from the
 * spec alone: materialised patches, masked views, σ, head, normalisation, loss; the spec's
 * closed-form gradients for BatchNorm; and central finite differences of the loss.
 * It shares no code with src/ beyond reading a batch's raw draws.
 */
import type { RunConfig } from '../../src/config/schema.js';
import { noiseAt, type PatchBatch } from '../../src/model/data.js';

export type Mat = number[][];

export interface Views {
  /** X1[i][p] and X2[i][p]: d-vectors, zero where the view masks the patch. */
  X1: number[][][];
  X2: number[][][];
}

/** Materialises both views of an explicit-noise batch: X_p = s·α_ℓ·v_ℓ or ξ_p, masked. */
export function materialiseViews(config: RunConfig, batch: PatchBatch, viewMask: Uint8Array, basis: Float64Array): Views {
  const { N, P } = batch;
  const d = config.data.d;
  const alpha = [config.data.alpha1, config.data.alpha2];
  const X1: number[][][] = [];
  const X2: number[][][] = [];
  for (let i = 0; i < N; i++) {
    X1.push([]);
    X2.push([]);
    for (let p = 0; p < P; p++) {
      const ip = i * P + p;
      const x = new Array<number>(d).fill(0);
      if (batch.featureMask[ip]) {
        const l = batch.label[i];
        for (let r = 0; r < d; r++) x[r] = batch.sign[i] * alpha[l] * basis[r * 2 + l];
      } else {
        for (let r = 0; r < d; r++) x[r] = noiseAt(batch, r, i, p);
      }
      const zero = new Array<number>(d).fill(0);
      X1[i].push(viewMask[ip] ? x : zero);
      X2[i].push(viewMask[ip] ? zero : x);
    }
  }
  return { X1, X2 };
}

export interface RefOptions {
  norm: 'bn' | 'l2' | 'off';
  eps: number;
  sigma: (z: number) => number;
  sigmaPrime: (z: number) => number;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/** f_j(X) = Σ_p σ(⟨w_j, X_p⟩) for every sample: N×m. W is d×m (W[r][j]). */
export function encode(W: Mat, X: number[][][], sigma: (z: number) => number): Mat {
  const m = W[0].length;
  const cols = Array.from({ length: m }, (_, j) => W.map((row) => row[j]));
  return X.map((patches) => cols.map((w) => patches.reduce((s, x) => s + sigma(dot(w, x)), 0)));
}

/** Column-wise (per output coordinate) or row-wise (per sample) normalisation of an N×m matrix. */
export function normalise(Z: Mat, norm: RefOptions['norm'], eps: number): { Y: Mat; s: number[] } {
  const N = Z.length;
  const m = Z[0].length;
  if (norm === 'off') return { Y: Z.map((r) => [...r]), s: [] };
  if (norm === 'l2') {
    const s = Z.map((r) => Math.sqrt(dot(r, r) + eps));
    return { Y: Z.map((r, i) => r.map((x) => x / s[i])), s };
  }
  const mean = Array.from({ length: m }, (_, j) => Z.reduce((a, r) => a + r[j], 0) / N);
  const s = Array.from({ length: m }, (_, j) => Math.sqrt(Z.reduce((a, r) => a + (r[j] - mean[j]) ** 2, 0) / N + eps));
  return { Y: Z.map((r) => r.map((x, j) => (x - mean[j]) / s[j])), s };
}

/**
 * L = (1/2N) Σ_i ‖F̃_i − G̃_i‖² with F = E f(X^(1)) computed with W_online and G = f(X^(2))
 * with W_target: differentiating only one argument is what a stop-gradient on the other means.
 */
export function referenceLoss(Wonline: Mat, Wtarget: Mat, E: Mat, views: Views, o: RefOptions): number {
  const f1 = encode(Wonline, views.X1, o.sigma);
  const G = encode(Wtarget, views.X2, o.sigma);
  const F = f1.map((row) => E.map((erow) => dot(erow, row)));
  const Ft = normalise(F, o.norm, o.eps).Y;
  const Gt = normalise(G, o.norm, o.eps).Y;
  const N = F.length;
  return Ft.reduce((a, r, i) => a + r.reduce((b, x, j) => b + (x - Gt[i][j]) ** 2, 0), 0) / (2 * N);
}

/** Central finite differences of `loss` with respect to every entry of `M` (step h). */
export function finiteDifference(M: Mat, loss: (M: Mat) => number, h = 1e-6): Mat {
  return M.map((row, a) =>
    row.map((_, b) => {
      const plus = M.map((r) => [...r]);
      const minus = M.map((r) => [...r]);
      plus[a][b] += h;
      minus[a][b] -= h;
      return (loss(plus) - loss(minus)) / (2 * h);
    }),
  );
}

/**
 * The closed-form gradients of SPEC §2 for BN with the stop-gradient on the target:
 * g = (F̃ − G̃)/N; ∂L/∂F = (g − mean_b g − F̃ ⊙ mean_b(g ⊙ F̃)) / s_F column-wise;
 * ∂L/∂E = (∂L/∂F)ᵀ f(X^(1)); ∂L/∂f = (∂L/∂F) E; ∂L/∂w_j = Σ_{i,p} (∂L/∂f_ij)·σ'(⟨w_j, X_ip⟩)·X_ip.
 */
export function closedFormBnTargetGradients(W: Mat, E: Mat, views: Views, o: RefOptions): { dW: Mat; dE: Mat } {
  const f1 = encode(W, views.X1, o.sigma);
  const G = encode(W, views.X2, o.sigma);
  const F = f1.map((row) => E.map((erow) => dot(erow, row)));
  const { Y: Ft, s: sF } = normalise(F, 'bn', o.eps);
  const Gt = normalise(G, 'bn', o.eps).Y;
  const N = F.length;
  const m = E.length;
  const g = Ft.map((r, i) => r.map((x, j) => (x - Gt[i][j]) / N));
  const meanG = Array.from({ length: m }, (_, j) => g.reduce((a, r) => a + r[j], 0) / N);
  const meanGF = Array.from({ length: m }, (_, j) => g.reduce((a, r, i) => a + r[j] * Ft[i][j], 0) / N);
  const dF = g.map((r, i) => r.map((x, j) => (x - meanG[j] - Ft[i][j] * meanGF[j]) / sF[j]));
  const dE = E.map((_, j) => E.map((__, r) => dF.reduce((a, row, i) => a + row[j] * f1[i][r], 0)));
  const df = dF.map((row) => E[0].map((_, r) => row.reduce((a, x, j) => a + x * E[j][r], 0)));
  const d = W.length;
  const dW = W.map((row) => row.map(() => 0));
  for (let i = 0; i < N; i++) {
    for (const x of views.X1[i]) {
      for (let j = 0; j < m; j++) {
        const w = W.map((row) => row[j]);
        const coef = df[i][j] * o.sigmaPrime(dot(w, x));
        for (let r = 0; r < d; r++) dW[r][j] += coef * x[r];
      }
    }
  }
  return { dW, dE };
}

export function toMat(flat: ArrayLike<number>, rows: number, cols: number): Mat {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => flat[r * cols + c]));
}

/** max |a − b| / (max |b| + tiny): the error of a relative to the scale of b. */
export function relativeError(a: Mat, b: Mat): number {
  let err = 0;
  let scale = 0;
  a.forEach((row, r) =>
    row.forEach((x, c) => {
      err = Math.max(err, Math.abs(x - b[r][c]));
      scale = Math.max(scale, Math.abs(b[r][c]));
    }),
  );
  return err / (scale + 1e-12);
}
