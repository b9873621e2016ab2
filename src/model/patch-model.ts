import type { RunConfig } from '../config/schema.js';
import { autodiffBackward, closedFormBackward, type BackwardPass } from './backward.js';
import { featureBasis } from './features.js';
import { buildModelFunctions, type ForwardInputs, type ForwardOutputs } from './forward.js';
import { headMask, headTrains } from './head.js';
import { NoiseGeometry } from './noise-geometry.js';
import { Rng, RngStream } from './rng.js';
import { matMulABt, matMulAtB } from './matmul.js';
import { tf, type Tensor, type Tensor2D } from './tf.js';
import type { TrainState } from './train-state.js';
import type { ViewBatch } from './views.js';

/** One forward/backward pass: the forward outputs plus the gradients of the trainable groups. */
export interface StepTensors extends ForwardOutputs {
  readonly gradW: Tensor2D;
  /** Already masked to the head's trainable entries; null when the head does not train. */
  readonly gradE: Tensor2D | null;
}

/** Disposes every tensor of a step. */
export function disposeStep(step: StepTensors | ForwardOutputs): void {
  for (const t of Object.values(step)) if (t) (t as Tensor).dispose();
}

/**
 * The paper's model for one config: holds the constant tensors (feature basis, head mask) and
 * computes the loss and its gradients for a state and a batch of views.
 *
 * In `projected` noise mode the noise pre-activations u = Wᵀξ are a sampled input; the
 * backward pass yields c = ∂L/∂u per noise slot and the W-gradient of the noise patches is
 * then drawn exactly by {@link NoiseGeometry.noiseGradient}.
 */
export class PatchModel {
  readonly basis: Tensor2D;
  private readonly mask: Tensor2D | null;
  private readonly backward: BackwardPass;
  private readonly d: number;
  private readonly m: number;

  constructor(readonly config: RunConfig) {
    this.d = config.data.d;
    this.m = config.model.m;
    this.basis = tf.tensor2d(Float32Array.from(featureBasis(config)), [this.d, 2]);
    this.mask = headTrains(config) ? tf.tensor2d(headMask(config), [this.m, this.m]) : null;
    const setup = { config, fns: buildModelFunctions(config), headMask: this.mask };
    this.backward = config.model.backward === 'autodiff' ? autodiffBackward(setup) : closedFormBackward(setup);
  }

  /**
   * Loss, forward outputs and gradients at the state's current parameters.
   * The caller owns every returned tensor (see {@link disposeStep}).
   */
  forwardBackward(state: TrainState, views: ViewBatch): StepTensors {
    const projected = views.noiseKind === 'projected';
    const geometry = projected ? NoiseGeometry.of(state.W.dataSync(), this.d, this.m) : null;
    return tf.tidy(() => {
      const noise = this.noiseInput(views, geometry);
      const { outputs, grads } = this.backward(state.W as Tensor2D, state.E as Tensor2D, { inputs: this.inputs(views), noise, projected });
      let gradW = grads.gradW;
      if (geometry) {
        const c = grads.noiseCotangent!;
        // Σ u cᵀ and Σ c cᵀ over all noise slots (empty slots have u = 0 and c = σ'(0)·g = 0).
        const moments = matMulABt(tf.concat([noise, c]) as Tensor2D, c).dataSync();
        const m2 = this.m * this.m;
        const z = new Float64Array(this.d * this.m);
        Rng.keyed(this.config.seed, views.step, RngStream.backward).fillNormal(z);
        const noiseGrad = geometry.noiseGradient(moments.subarray(0, m2), moments.subarray(m2), z, this.config.data.sigmaXi);
        gradW = tf.add(gradW, tf.tensor2d(noiseGrad, [this.d, this.m])) as Tensor2D;
      }
      return { ...outputs, gradW, gradE: grads.gradE } as unknown as Record<string, Tensor>;
    }) as unknown as StepTensors;
  }

  /**
   * Pre-activations ⟨w_j, ξ⟩ of the noise slots (m × 2·N·H, row-major; zero where a slot holds
   * no noise patch): drawn directly in projected mode, computed from ξ in explicit mode.
   */
  noisePreactivations(state: TrainState, views: ViewBatch): Float32Array {
    const geometry = views.noiseKind === 'projected' ? NoiseGeometry.of(state.W.dataSync(), this.d, this.m) : null;
    const pre = tf.tidy(() => {
      const noise = this.noiseInput(views, geometry);
      return geometry ? noise : matMulAtB(state.W as Tensor2D, noise);
    });
    const values = pre.dataSync() as Float32Array;
    pre.dispose();
    return values;
  }

  dispose(): void {
    this.basis.dispose();
    this.mask?.dispose();
  }

  /** projected: u = σ_ξ L_W ε (m × slots); explicit: ξ (d × slots). */
  private noiseInput(views: ViewBatch, geometry: NoiseGeometry | null): Tensor2D {
    const raw = tf.tensor2d(views.noise, [views.noiseDim, views.noise.length / views.noiseDim]);
    if (!geometry) return raw;
    return tf.matMul(tf.tensor2d(geometry.noiseFactor(this.config.data.sigmaXi), [this.m, this.m]), raw) as Tensor2D;
  }

  private inputs(views: ViewBatch): ForwardInputs {
    const N = views.N;
    const counts = new Float32Array(this.m * 2 * N);
    for (let j = 0; j < this.m; j++) counts.set(views.featureCount, j * 2 * N);
    return {
      basis: this.basis,
      selector: tf.tensor2d(views.selector, [2, 2 * N]),
      counts: tf.tensor2d(counts, [this.m, 2 * N]),
      N,
      H: views.H,
    };
  }
}
