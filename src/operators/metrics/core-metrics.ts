import type { PatchModel, StepTensors } from '../../model/patch-model.js';
import { tf } from '../../model/tf.js';
import type { TrainState } from '../../model/train-state.js';
import { batchCovariance } from './batch-covariance.js';

/** Head entries are recorded one by one up to this m; beyond it only their summaries. */
export const FULL_HEAD_UP_TO = 4;

/**
 * The names of the SPEC §3 metrics for m neurons, in recording order (1-based indices as in
 * the paper: `cos_2_1` is the cosine between w_2 and v_1, `E_2_1` is E's entry (2, 1)).
 */
export function coreMetricNames(m: number): string[] {
  const names = ['loss'];
  for (const kind of ['M', 'cos']) for (let j = 1; j <= m; j++) for (let l = 1; l <= 2; l++) names.push(`${kind}_${j}_${l}`);
  for (let j = 1; j <= m; j++) names.push(`wnorm_${j}`, `noise_${j}`);
  if (m <= FULL_HEAD_UP_TO) for (let j = 1; j <= m; j++) for (let r = 1; r <= m; r++) names.push(`E_${j}_${r}`);
  names.push('E_dist_I', 'E_offdiag_max');
  for (let j = 1; j <= m; j++) names.push(`varF_${j}`, `varG_${j}`, `subshare_${j}`);
  return names;
}

/**
 * Computes the SPEC §3 metrics at the state after an update, with the loss and batch
 * statistics of that update's forward pass, in one read-back from the device:
 * - `M_j_l` = ⟨w_j, v_ℓ⟩ and `cos_j_l` = M/‖w_j‖; `wnorm_j` = ‖w_j‖;
 * - `noise_j` = ‖w_j − Σ_ℓ M_jℓ v_ℓ‖/‖w_j‖, the part of w_j outside the feature span;
 * - `E_j_r`, `E_dist_I` = ‖E − I‖_F, `E_offdiag_max` = max_{j≠r} |E_jr|;
 * - `varF_j`, `varG_j`: pre-BN batch variances of F_j and G_j;
 * - `subshare_j` = Var(Σ_{r≠j} E_jr f_r)/Var(f_j) on view 1: how much of F_j the head substitutes.
 */
export function computeCoreMetrics(model: PatchModel, state: TrainState, tensors: StepTensors): Record<string, number> {
  const m = model.config.model.m;
  const packed = tf.tidy(() => {
    const overlaps = tf.matMul(model.basis, state.W, true, false);
    const squaredNorms = tf.sum(tf.square(state.W), 0);
    const varF = tf.moments(tensors.F, 1).variance;
    const varG = tf.moments(tensors.G, 1).variance;
    const cov = batchCovariance(tensors.f1);
    return tf.concat([tf.reshape(tensors.loss, [1]), tf.reshape(overlaps, [-1]), squaredNorms, tf.reshape(state.E, [-1]), varF, varG, tf.reshape(cov, [-1])]);
  });
  const data = packed.dataSync();
  packed.dispose();

  let at = 0;
  const take = (n: number) => data.subarray(at, (at += n));
  const [loss] = take(1);
  const overlaps = take(2 * m); // [ℓ][j]
  const sq = take(m);
  const E = take(m * m);
  const varF = take(m);
  const varG = take(m);
  const cov = take(m * m);

  const out: Record<string, number> = { loss };
  for (const kind of ['M', 'cos'] as const) {
    for (let j = 0; j < m; j++) {
      const norm = Math.sqrt(sq[j]);
      for (let l = 0; l < 2; l++) {
        const value = overlaps[l * m + j];
        out[`${kind}_${j + 1}_${l + 1}`] = kind === 'M' ? value : value / norm;
      }
    }
  }
  for (let j = 0; j < m; j++) {
    const inSpan = overlaps[j] ** 2 + overlaps[m + j] ** 2;
    out[`wnorm_${j + 1}`] = Math.sqrt(sq[j]);
    out[`noise_${j + 1}`] = Math.sqrt(Math.max(0, sq[j] - inSpan) / sq[j]);
  }
  let distI = 0;
  let offMax = 0;
  for (let j = 0; j < m; j++) {
    for (let r = 0; r < m; r++) {
      const e = E[j * m + r];
      if (m <= FULL_HEAD_UP_TO) out[`E_${j + 1}_${r + 1}`] = e;
      distI += (e - (j === r ? 1 : 0)) ** 2;
      if (j !== r) offMax = Math.max(offMax, Math.abs(e));
    }
  }
  out.E_dist_I = Math.sqrt(distI);
  out.E_offdiag_max = offMax;
  for (let j = 0; j < m; j++) {
    // Var(Σ_{r≠j} E_jr f_r) = e_jᵀ C e_j with e_j row j of E without its diagonal.
    let substituted = 0;
    for (let r = 0; r < m; r++) {
      if (r === j) continue;
      for (let q = 0; q < m; q++) if (q !== j) substituted += E[j * m + r] * cov[r * m + q] * E[j * m + q];
    }
    out[`varF_${j + 1}`] = varF[j];
    out[`varG_${j + 1}`] = varG[j];
    out[`subshare_${j + 1}`] = substituted / cov[j * m + j];
  }
  return out;
}
