import type { RunConfig } from '../config/schema.js';
import { outputsOf, type ForwardInputs, type ForwardOutputs, type ModelFunctions } from './forward.js';
import { matMulABt, matMulAtB } from './matmul.js';
import { tf, type Tensor, type Tensor2D } from './tf.js';

/** What a backward pass needs besides the parameters. */
export interface BackwardInputs {
  readonly inputs: ForwardInputs;
  /** projected: the noise pre-activations u = Wᵀξ (m × cols); explicit: ξ itself (d × cols). */
  readonly noise: Tensor2D;
  readonly projected: boolean;
}

/** Gradients of one step. */
export interface Gradients {
  /**
   * ∂L/∂W. In projected mode this holds only the feature patches' part; the noise patches'
   * part is drawn from {@link Gradients.noiseCotangent} by the caller.
   */
  readonly gradW: Tensor2D;
  /** ∂L/∂E masked to the head's trainable entries; null when the head does not train. */
  readonly gradE: Tensor2D | null;
  /** projected mode: c = ∂L/∂u per noise slot (m × cols); null in explicit mode. */
  readonly noiseCotangent: Tensor2D | null;
}

/** A backward pass: forward outputs (kept alive for later stages) and gradients. */
export type BackwardPass = (W: Tensor2D, E: Tensor2D, data: BackwardInputs) => { outputs: ForwardOutputs; grads: Gradients };

interface BackwardSetup {
  readonly config: RunConfig;
  readonly fns: ModelFunctions;
  /** m×m 0/1 mask of E's trainable entries, or null when E does not train. */
  readonly headMask: Tensor2D | null;
}

/**
 * The hand-derived backward pass of SPEC §2, in few tfjs ops (autodiff spends ~4 kernels of
 * bookkeeping per op; this is several times faster and agrees with it to float rounding):
 * g = (F̃ − G̃)/N; ∂L/∂F and ∂L/∂G through the normaliser (each zero on its stop-gradient side);
 * ∂L/∂E = (∂L/∂F) f(X^(1))ᵀ masked; ∂L/∂f = Eᵀ ∂L/∂F (view 1) and ∂L/∂G (view 2); then through
 * σ into the feature overlaps and the noise pre-activations.
 */
export function closedFormBackward({ config, fns, headMask }: BackwardSetup): BackwardPass {
  const m = config.model.m;
  const stopMode = config.stopGrad.mode;
  return (W, E, { inputs, noise, projected }) => {
    const { N, H } = inputs;
    const noisePre = projected ? noise : matMulAtB(W, noise);
    const trace = fns.forward(W, E, noisePre, inputs);
    const g = tf.div(trace.diff, N) as Tensor2D;
    const dF = stopMode === 'online' ? null : fns.normalizer.backward(g, trace.online);
    const dG = stopMode === 'target' ? null : fns.normalizer.backward(tf.neg(g) as Tensor2D, trace.target);
    const gradE = dF && headMask ? (tf.mul(matMulABt(dF, trace.f1), headMask) as Tensor2D) : null;
    const df1 = dF ? matMulAtB(E, dF) : tf.zeros([m, N]);
    const df = tf.concat([df1, dG ?? tf.zeros([m, N])], 1);
    const dFeaturePre = tf.mul(tf.mul(df, inputs.counts), fns.activation.derivative(trace.featurePre));
    const dOverlaps = matMulABt(inputs.selector, dFeaturePre as Tensor2D);
    let gradW = tf.matMul(inputs.basis, dOverlaps) as Tensor2D;
    const dNoisePre = tf.reshape(
      tf.mul(tf.reshape(fns.activation.derivative(noisePre), [m, 2 * N, H]), tf.reshape(df, [m, 2 * N, 1])),
      noisePre.shape,
    ) as Tensor2D;
    if (!projected) gradW = tf.add(gradW, matMulABt(noise, dNoisePre)) as Tensor2D;
    return { outputs: outputsOf(trace), grads: { gradW, gradE, noiseCotangent: projected ? dNoisePre : null } };
  };
}

/**
 * The reference backward pass: tfjs autodiff (tf.valueAndGrads) through the forward graph.
 * In projected mode the noise pre-activations are differentiated as an input, giving c.
 */
export function autodiffBackward({ config, fns, headMask: mask }: BackwardSetup): BackwardPass {
  // With the online branch stopped, E reaches the loss through no differentiable path.
  const headMask = config.stopGrad.mode === 'online' ? null : mask;
  return (W, E, { inputs, noise, projected }) => {
    let outputs: ForwardOutputs | null = null;
    const lossOf = (w: Tensor, e: Tensor, pre: Tensor) => {
      // Keep only what later stages read; valueAndGrads disposes the rest of the forward pass.
      outputs = outputsOf(fns.forward(w as Tensor2D, e as Tensor2D, pre as Tensor2D, inputs));
      Object.values(outputs).forEach((t: Tensor) => tf.keep(t));
      return outputs.loss;
    };
    const params: Tensor[] = headMask ? [W, E] : [W];
    const withE = (args: Tensor[]) => (headMask ? args : [args[0], E, ...args.slice(1)]);
    const { grads } = projected
      ? tf.valueAndGrads((...args: Tensor[]) => lossOf(...(withE(args) as [Tensor, Tensor, Tensor])))([...params, noise])
      : tf.valueAndGrads((...args: Tensor[]) => {
          const [w, e] = withE(args);
          return lossOf(w, e, tf.matMul(w, noise, true, false));
        })(params);
    return {
      outputs: outputs as unknown as ForwardOutputs,
      grads: {
        gradW: grads[0] as Tensor2D,
        gradE: headMask ? (tf.mul(grads[1], headMask) as Tensor2D) : null,
        noiseCotangent: projected ? (grads[grads.length - 1] as Tensor2D) : null,
      },
    };
  };
}
