import { fromEigen, invertSpd, jacobiEigenSymmetric, matMul } from '../../model/linalg.js';

/**
 * The closed-form predictors of SPEC §6 on m×m row-major matrices, in float64.
 */

/** A row of B whose diagonal entry is below this in magnitude is not shown (E*_jr = B_jr/B_jj would be noise). */
export const TINY_DIAGONAL = 1e-3;
/** Relative ridge added to C_11 so that a collapsed (singular) covariance still inverts. */
const RIDGE = 1e-9;

export interface OptimalPredictor {
  /** B = C_21 C_11⁻¹. */
  readonly B: Float64Array;
  /** E*_jr = B_jr / B_jj; NaN on the rows whose |B_jj| < {@link TINY_DIAGONAL}. */
  readonly Estar: Float64Array;
  /** Per row: shown (|B_jj| large enough). */
  readonly shown: readonly boolean[];
}

/**
 * The least-squares optimal linear predictor of the target features from the online ones
 * (Liu et al. 2022) with unit diagonal: B = C_21 C_11⁻¹, E*_jr = B_jr / B_jj.
 * @param c11 Cov(f(X^(1))), m×m
 * @param c21 (C_21)_jr = Cov(f_j(X^(2)), f_r(X^(1))), m×m
 * @example optimalPredictor([2, 0, 0, 1], [1, 0.5, 0, 1], 2).Estar // [1, 1, 0, 1]
 */
export function optimalPredictor(c11: ArrayLike<number>, c21: ArrayLike<number>, m: number): OptimalPredictor {
  let trace = 0;
  for (let j = 0; j < m; j++) trace += c11[j * m + j];
  const ridged = Float64Array.from(c11);
  for (let j = 0; j < m; j++) ridged[j * m + j] += (RIDGE * trace) / m;
  const B = matMul(c21, invertSpd(ridged, m), m, m, m);
  const Estar = new Float64Array(m * m);
  const shown: boolean[] = [];
  for (let j = 0; j < m; j++) {
    const diagonal = B[j * m + j];
    const ok = Math.abs(diagonal) >= TINY_DIAGONAL;
    shown.push(ok);
    for (let r = 0; r < m; r++) Estar[j * m + r] = ok ? B[j * m + r] / diagonal : Number.NaN;
  }
  return { B, Estar, shown };
}

/** DirectPred's EMA weight on the previous correlation estimate. */
export const DIRECTPRED_DECAY = 0.3;
/** DirectPred's floor added to every eigenvalue's square root. */
export const DIRECTPRED_EPS = 0.01;

/** F̂ ← 0.3 F̂ + 0.7 R, or R itself when there is no previous estimate. */
export function directPredUpdate(previous: ArrayLike<number> | null, correlation: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(correlation);
  if (previous) for (let i = 0; i < out.length; i++) out[i] = DIRECTPRED_DECAY * previous[i] + (1 - DIRECTPRED_DECAY) * out[i];
  return out;
}

/**
 * DirectPred's predictor (Tian, Chen & Ganguli 2021) from the correlation estimate F̂ = U diag(s) Uᵀ:
 * W_DP = U diag(p) Uᵀ with p_j = √(max(s_j, 0) / max s) + 0.01.
 */
export function directPredHead(Fhat: ArrayLike<number>, m: number): Float64Array {
  const { values, vectors } = jacobiEigenSymmetric(Fhat, m);
  const top = Math.max(...values);
  const p = Array.from(values, (s) => (top > 0 ? Math.sqrt(Math.max(s, 0) / top) : 0) + DIRECTPRED_EPS);
  return fromEigen(p, vectors, m);
}

/** Each row divided by its diagonal entry, so the matrix compares with E (unit diagonal). */
export function unitDiagonal(a: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let j = 0; j < m; j++) for (let r = 0; r < m; r++) out[j * m + r] = a[j * m + r] / a[j * m + j];
  return out;
}

/** ‖a − b‖_F. */
export function frobeniusDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

/**
 * The effective rank exp(H(p)) of a symmetric PSD matrix, p the eigenvalues over their sum
 * (Roy & Vetterli 2007): m for a multiple of I, 1 when all mass lies on one direction.
 */
export function effectiveRank(a: ArrayLike<number>, m: number): number {
  const { values } = jacobiEigenSymmetric(a, m);
  const total = values.reduce((sum, v) => sum + Math.max(v, 0), 0);
  if (!(total > 0)) return Number.NaN;
  let entropy = 0;
  for (const v of values) {
    const p = Math.max(v, 0) / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}
