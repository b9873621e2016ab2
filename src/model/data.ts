import type { RunConfig } from '../config/schema.js';
import { Rng, RngStream } from './rng.js';

/**
 * One batch of synthetic patch data (SPEC §1), as plain typed arrays.
 *
 * Sample i carries feature ℓ_i ∈ {0 = v_1, 1 = v_2} with sign s_i on the k patches of
 * S(X_i); every other patch is noise. The noise is stored per patch in the form the model
 * consumes: in `projected` mode the m-dimensional standard normal ε with Wᵀξ = σ_ξ·L_W·ε
 * (L_W L_Wᵀ = WᵀW), in `explicit` mode the d-dimensional ξ itself, already scaled by σ_ξ.
 */
export interface PatchBatch {
  readonly step: number;
  readonly N: number;
  readonly P: number;
  /** 0 for the strong feature v_1, 1 for the weak feature v_2. */
  readonly label: Uint8Array;
  /** +1 or −1: the shared sign of the sample's feature patches. */
  readonly sign: Int8Array;
  /** N×P, 1 where patch p of sample i is a feature patch. */
  readonly featureMask: Uint8Array;
  readonly noiseKind: 'projected' | 'explicit';
  /** Rows of the noise layout: m (projected) or d (explicit). */
  readonly noiseDim: number;
  /**
   * noiseDim × N·(P − k), row-major: the noise of sample i's P − k noise patches, in patch
   * order, at columns i·(P − k) … i·(P − k) + P − k − 1 (every sample has exactly k feature patches).
   */
  readonly noise: Float32Array;
}

/**
 * Draws the batch of step `step`: a pure function of (config, seed, step).
 * @example const batch = samplePatchBatch(config, 1200);
 */
export function samplePatchBatch(config: RunConfig, step: number): PatchBatch {
  const { batchSize: N, P, k, pStrong, sigmaXi, noise: noiseKind } = config.data;
  const rng = Rng.keyed(config.seed, step, RngStream.data);
  const label = new Uint8Array(N);
  const sign = new Int8Array(N);
  const featureMask = new Uint8Array(N * P);
  const order = identityOrder(P);
  for (let i = 0; i < N; i++) {
    label[i] = rng.uniform() < pStrong ? 0 : 1;
    sign[i] = rng.sign();
    chooseSubset(rng, order, k);
    for (let r = 0; r < k; r++) featureMask[i * P + order[r]] = 1;
  }

  const noiseDim = noiseKind === 'projected' ? config.model.m : config.data.d;
  // Only noise patches get draws, in one tight loop over a compact layout.
  const noise = new Float32Array(noiseDim * N * (P - k));
  Rng.keyed(config.seed, step, RngStream.noise).fillNormal(noise, noiseKind === 'projected' ? 1 : sigmaXi);
  return { step, N, P, label, sign, featureMask, noiseKind, noiseDim, noise };
}

/**
 * The noise of patch p of sample i in row `row` (a coordinate of ξ, or of ε in projected mode);
 * 0 for a feature patch. For inspection and tests; the model reads the compact layout directly.
 */
export function noiseAt(batch: PatchBatch, row: number, i: number, p: number): number {
  const { N, P } = batch;
  if (batch.featureMask[i * P + p]) return 0;
  const perSample = batch.noise.length / batch.noiseDim / N;
  let before = 0;
  for (let q = 0; q < p; q++) before += 1 - batch.featureMask[i * P + q];
  return batch.noise[row * N * perSample + i * perSample + before];
}

/** [0, 1, …, size − 1], the starting permutation for {@link chooseSubset}. */
export function identityOrder(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, p) => p);
}

/**
 * Moves a uniformly random `size`-subset of the values in `order` (a permutation of
 * [0, order.length)) to order[0 .. size), by a partial Fisher–Yates shuffle. The permutation
 * need not be reset between calls: a partial shuffle of any fixed permutation gives a uniform
 * subset, and the sequence of calls is itself a pure function of the generator's key.
 */
export function chooseSubset(rng: Rng, order: Uint8Array, size: number): void {
  const n = order.length;
  for (let r = 0; r < size; r++) {
    const pick = r + rng.below(n - r);
    const tmp = order[r];
    order[r] = order[pick];
    order[pick] = tmp;
  }
}
