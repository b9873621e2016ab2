import type { RunConfig } from '../config/schema.js';
import { viewSizes } from '../config/schema.js';
import type { PatchBatch } from './data.js';
import { chooseSubset, identityOrder } from './data.js';
import { Rng, RngStream } from './rng.js';

/**
 * The two augmented views of a batch, laid out for the model.
 *
 * Because σ(0) = 0 a masked patch contributes nothing, so instead of two masked copies of
 * every sample we give each (view v, sample i) a block of H slots, columns (v·N + i)·H …
 * (v·N + i)·H + H − 1, filled with the noise of the patches that view keeps. Feature patches
 * have zero noise, so their slots (and the empty padding of the smaller view) add σ(0) = 0. The feature
 * patches themselves — which all share the pre-activation s·α_ℓ·⟨w_j, v_ℓ⟩ — enter through
 * their count per view. Summing σ over a block then gives f_j of that view.
 */
export interface ViewBatch {
  readonly step: number;
  readonly N: number;
  readonly P: number;
  /** Slot width: max(|𝒫|, P − |𝒫|). */
  readonly H: number;
  /** N×P, 1 where patch p of sample i is kept by view 1 (view 2 keeps the rest). */
  readonly viewMask: Uint8Array;
  readonly noiseKind: PatchBatch['noiseKind'];
  readonly noiseDim: number;
  /** noiseDim × (2·N·H): the noise of the patch in each slot (row-major). */
  readonly noise: Float32Array;
  /** 2 × 2N: row ℓ holds s_i·α_ℓ in the columns of samples carrying feature ℓ. */
  readonly selector: Float32Array;
  /** 2N: feature patches of sample i in view v, at column v·N + i. */
  readonly featureCount: Float32Array;
  readonly label: Uint8Array;
  readonly sign: Int8Array;
}

/**
 * Draws the augmentation of step `step`: which patches view 1 keeps (a uniform subset of size
 * |𝒫| per sample, fresh every step). A pure function of (config, seed, step).
 */
export function sampleViewMask(config: RunConfig, step: number): Uint8Array {
  const { batchSize: N, P } = config.data;
  const [first] = viewSizes(config);
  const rng = Rng.keyed(config.seed, step, RngStream.augment);
  const mask = new Uint8Array(N * P);
  const order = identityOrder(P);
  for (let i = 0; i < N; i++) {
    chooseSubset(rng, order, first);
    for (let r = 0; r < first; r++) mask[i * P + order[r]] = 1;
  }
  return mask;
}

/** Splits a batch into its two views using a view mask from {@link sampleViewMask}. */
export function applyViews(config: RunConfig, batch: PatchBatch, viewMask: Uint8Array): ViewBatch {
  const { N, P } = batch;
  const H = Math.max(...viewSizes(config));
  const { noiseDim } = batch;
  const noisePerSample = P - config.data.k;
  const compact = N * noisePerSample;
  const cols = 2 * N * H;
  const noise = new Float32Array(noiseDim * cols);
  const featureCount = new Float32Array(2 * N);
  for (let i = 0; i < N; i++) {
    let slot1 = i * H;
    let slot2 = (N + i) * H;
    let from = i * noisePerSample;
    for (let p = 0; p < P; p++) {
      const ip = i * P + p;
      const inFirst = viewMask[ip] === 1;
      if (batch.featureMask[ip]) {
        featureCount[inFirst ? i : N + i] += 1;
        continue;
      }
      const to = inFirst ? slot1++ : slot2++;
      for (let row = 0; row < noiseDim; row++) noise[row * cols + to] = batch.noise[row * compact + from];
      from += 1;
    }
  }
  const alpha = [config.data.alpha1, config.data.alpha2];
  const selector = new Float32Array(2 * 2 * N);
  for (let i = 0; i < N; i++) {
    const l = batch.label[i];
    const value = batch.sign[i] * alpha[l];
    selector[l * 2 * N + i] = value;
    selector[l * 2 * N + N + i] = value;
  }
  return {
    step: batch.step,
    N,
    P,
    H,
    viewMask,
    noiseKind: batch.noiseKind,
    noiseDim,
    noise,
    selector,
    featureCount,
    label: batch.label,
    sign: batch.sign,
  };
}
