import { batchCovariance } from '../batch-covariance.js';
import { FULL_HEAD_UP_TO } from '../core-metrics.js';
import { defineMetric } from '../define-metric.js';
import { directPredHead, directPredUpdate, frobeniusDistance, optimalPredictor, unitDiagonal } from '../closed-form-predictors.js';

interface PredictorsState {
  /** DirectPred's running correlation estimate F̂ (m×m, row-major); null before the first call. */
  Fhat: number[] | null;
  /** Running estimates of C_11 and C_21 for E* (m×m, row-major); null before the first call. */
  C11?: number[] | null;
  C21?: number[] | null;
}

/**
 * E*'s covariances are averaged over recorded steps with this weight on the past (about ten
 * batches). SPEC §6 asks for a large evaluation batch: the cubic features are heavy-tailed, so
 * C_21 C_11⁻¹ from one training batch of 1024 swings by ±1 while a neuron is still noise; an
 * average over ten batches (100 steps at the default interval, short beside any phase) is the
 * same estimate from ten times the samples, at no extra forward pass.
 */
export const ESTAR_DECAY = 0.9;

/** a ← decay·a + (1 − decay)·b, or b itself when there is no a yet. */
function runningMean(previous: readonly number[] | null | undefined, next: ArrayLike<number>, decay: number): number[] {
  return Array.from(next, (v, i) => (previous ? decay * previous[i] + (1 - decay) * v : v));
}

function offdiagMax(a: ArrayLike<number>, m: number): number {
  let max = 0;
  for (let j = 0; j < m; j++) for (let r = 0; r < m; r++) if (j !== r) max = Math.max(max, Math.abs(a[j * m + r]));
  return max;
}

/**
 * The closed-form predictors of SPEC §6 beside the learned head, from the step's batch:
 * - `Estar_j_r`: the optimal linear predictor E* = row-normalised C_21 C_11⁻¹ on the centred
 *   pre-BN features, averaged over recent batches ({@link ESTAR_DECAY}); a row is left out while |B_jj| is tiny;
 * - `WDP_j_r`: DirectPred's W_DP from an EMA of E_b[f fᵀ], row-normalised;
 * - `dist_Estar` = ‖E − E*‖_F, `dist_WDP` = ‖E − W_DP‖_F, and the largest off-diagonal entry of each.
 * Entries are recorded for m ≤ 4 (as the head's own); diagonals are 1 by construction and left out.
 */
export const predictorsMetric = defineMetric<PredictorsState>({
  name: 'predictors',
  description: 'optimal linear predictor E* and DirectPred W_DP beside the learned head, and the distances to them',
  init: () => ({ Fhat: null, C11: null, C21: null }),
  compute: ({ f1, f2, E, tf, config }, state) => {
    const m = config.model.m;
    const parts = [batchCovariance(f1), batchCovariance(f2, f1), batchCovariance(f1, f1, false)].map((t) => tf.reshape(t, [-1]));
    const data = tf.concat([...parts, tf.reshape(E, [-1])]).dataSync();
    const m2 = m * m;
    const [c11, c21, correlation, head] = [0, 1, 2, 3].map((i) => data.subarray(i * m2, (i + 1) * m2));

    state.C11 = runningMean(state.C11, c11, ESTAR_DECAY);
    state.C21 = runningMean(state.C21, c21, ESTAR_DECAY);
    const { Estar, shown } = optimalPredictor(state.C11, state.C21, m);
    const Fhat = directPredUpdate(state.Fhat, correlation);
    state.Fhat = Array.from(Fhat);
    const WDP = unitDiagonal(directPredHead(Fhat, m), m);

    const out: Record<string, number | null> = {};
    if (m <= FULL_HEAD_UP_TO) {
      for (let j = 0; j < m; j++) {
        for (let r = 0; r < m; r++) {
          if (j === r) continue;
          out[`Estar_${j + 1}_${r + 1}`] = shown[j] ? Estar[j * m + r] : null;
          out[`WDP_${j + 1}_${r + 1}`] = WDP[j * m + r];
        }
      }
    }
    const allShown = shown.every(Boolean);
    out.dist_Estar = allShown ? frobeniusDistance(head, Estar) : null;
    out.Estar_offdiag_max = allShown ? offdiagMax(Estar, m) : null;
    out.dist_WDP = frobeniusDistance(head, WDP);
    out.WDP_offdiag_max = offdiagMax(WDP, m);
    return out;
  },
});
