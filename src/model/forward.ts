import type { RunConfig } from '../config/schema.js';
import { makeActivation, type Activation } from './activation.js';
import { makeNormalizer, type Normalized, type Normalizer } from './normalize.js';
import { stopGradient } from './stop-gradient.js';
import { tf, type Scalar, type Tensor2D } from './tf.js';

/** The per-step inputs of the loss graph, as tensors (see `ViewBatch` for the layout). */
export interface ForwardInputs {
  /** d×2: v_1, v_2 as columns. */
  readonly basis: Tensor2D;
  /** 2×2N: s_i·α_ℓ in row ℓ_i. */
  readonly selector: Tensor2D;
  /** m×2N: feature patches of each (view, sample), repeated over rows. */
  readonly counts: Tensor2D;
  /** Batch size N and slot width H of the noise layout. */
  readonly N: number;
  readonly H: number;
}

/** What one forward pass produces; matrices are m×N with samples as columns. */
export interface ForwardOutputs {
  readonly loss: Scalar;
  /** f(X^(1)) and f(X^(2)): encoder outputs of the two views, before the head. */
  readonly f1: Tensor2D;
  readonly f2: Tensor2D;
  /** F = E f(X^(1)) (online) and G = f(X^(2)) (target), before normalisation. */
  readonly F: Tensor2D;
  readonly G: Tensor2D;
}

/** The forward outputs plus the intermediates the closed-form backward pass reuses. */
export interface ForwardTrace extends ForwardOutputs {
  /** m×2N: pre-activation shared by the feature patches of each (view, sample). */
  readonly featurePre: Tensor2D;
  /** m×(2·N·H): pre-activations of the noise slots. */
  readonly noisePre: Tensor2D;
  readonly online: Normalized;
  readonly target: Normalized;
  /** F̃ − G̃. */
  readonly diff: Tensor2D;
}

/** The model's pure functions for one config: activation, normalisation and the forward pass. */
export interface ModelFunctions {
  readonly activation: Activation;
  readonly normalizer: Normalizer;
  forward(W: Tensor2D, E: Tensor2D, noisePre: Tensor2D, inputs: ForwardInputs): ForwardTrace;
}

/**
 * Builds the loss of SPEC §2: L = (1/2N) Σ_i ‖F̃_i − G̃_i‖², F̃ = norm(E f(X^(1))),
 * G̃ = norm(f(X^(2))), with the stop-gradient on the configured branch. Pre-activations of all
 * patches of both views are computed once and summed per (view, sample) block, since masked
 * patches contribute σ(0) = 0.
 */
export function buildModelFunctions(config: RunConfig): ModelFunctions {
  const activation = makeActivation(config);
  const normalizer = makeNormalizer(config);
  const m = config.model.m;
  const stopMode = config.stopGrad.mode;

  const forward = (W: Tensor2D, E: Tensor2D, noisePre: Tensor2D, inputs: ForwardInputs): ForwardTrace => {
    const { N, H } = inputs;
    // M = Vᵀ W (2×m): the overlaps ⟨w_j, v_ℓ⟩; a feature patch's pre-activation is s·α_ℓ·M_ℓj.
    const overlaps = tf.matMul(inputs.basis, W, true, false);
    const featurePre = tf.matMul(overlaps, inputs.selector, true, false) as Tensor2D;
    const featureSum = tf.mul(activation.value(featurePre), inputs.counts);
    const noiseSum = tf.reshape(tf.sum(tf.reshape(activation.value(noisePre), [m, 2 * N, H]), 2), [m, 2 * N]);
    const f = tf.add(noiseSum, featureSum);
    const f1 = tf.slice(f, [0, 0], [m, N]) as Tensor2D;
    const f2 = tf.slice(f, [0, N], [m, N]) as Tensor2D;
    const F = tf.matMul(E, f1) as Tensor2D;
    const G = f2;
    const online = normalizer.forward(stopMode === 'online' ? stopGradient(F) : F);
    const target = normalizer.forward(stopMode === 'target' ? stopGradient(G) : G);
    const diff = tf.sub(online.y, target.y) as Tensor2D;
    const loss = tf.div(tf.sum(tf.square(diff)), 2 * N) as Scalar;
    return { loss, f1, f2, F, G, featurePre, noisePre, online, target, diff };
  };
  return { activation, normalizer, forward };
}

/** The public part of a trace (what later pipeline stages may read). */
export function outputsOf(trace: ForwardOutputs): ForwardOutputs {
  return { loss: trace.loss, f1: trace.f1, f2: trace.f2, F: trace.F, G: trace.G };
}

