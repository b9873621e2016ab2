import type { RunConfig } from '../config/schema.js';
import { tf, type Tensor, type Variable } from './tf.js';

/** One trainable tensor and its learning rate. */
export interface ParamGroup {
  readonly variable: Variable;
  readonly learningRate: number;
}

/** What an optimiser saves: its step counter and its slot variables, by slot name. */
export interface OptimizerSnapshot {
  readonly kind: RunConfig['optim']['kind'];
  readonly iterations: number;
  readonly slots: Record<string, Float32Array>;
}

/**
 * An optimiser in the tfjs shape (`applyGradients`, `getConfig`, `dispose`), with a separate
 * learning rate per parameter group (η for W, η_E for E) and named slots (`W/m`, `E/v`).
 */
export interface ParamOptimizer {
  readonly kind: RunConfig['optim']['kind'];
  /** Applies one update from gradients keyed by group name; the gradients are not disposed. */
  applyGradients(grads: Readonly<Record<string, Tensor>>): void;
  getConfig(): Record<string, number | string>;
  snapshot(): OptimizerSnapshot;
  restore(snapshot: OptimizerSnapshot): void;
  dispose(): void;
}

/** Plain SGD: θ ← θ − η·g, per group. */
export class Sgd implements ParamOptimizer {
  readonly kind = 'sgd' as const;
  private iterations = 0;

  constructor(private readonly groups: Readonly<Record<string, ParamGroup>>) {}

  applyGradients(grads: Readonly<Record<string, Tensor>>): void {
    tf.tidy(() => {
      for (const [name, group] of Object.entries(this.groups)) {
        const grad = grads[name];
        if (!grad || group.learningRate === 0) continue;
        group.variable.assign(tf.sub(group.variable, tf.mul(grad, group.learningRate)));
      }
    });
    this.iterations += 1;
  }

  getConfig(): Record<string, number | string> {
    return { kind: this.kind, ...learningRates(this.groups) };
  }

  snapshot(): OptimizerSnapshot {
    return { kind: this.kind, iterations: this.iterations, slots: {} };
  }

  restore(snapshot: OptimizerSnapshot): void {
    this.iterations = snapshot.iterations;
  }

  dispose(): void {}
}

/**
 * Adam (Kingma & Ba) with bias correction, as tfjs computes it:
 * m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; θ ← θ − η·m̂ / (√v̂ + ε).
 */
export class Adam implements ParamOptimizer {
  readonly kind = 'adam' as const;
  private iterations = 0;
  private readonly slots = new Map<string, Variable>();

  constructor(
    private readonly groups: Readonly<Record<string, ParamGroup>>,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    for (const [name, group] of Object.entries(groups)) {
      for (const slot of ['m', 'v']) {
        this.slots.set(`${name}/${slot}`, tf.tidy(() => tf.variable(tf.zerosLike(group.variable), false, undefined, 'float32')));
      }
    }
  }

  applyGradients(grads: Readonly<Record<string, Tensor>>): void {
    const t = this.iterations + 1;
    const correction1 = 1 - this.beta1 ** t;
    const correction2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const [name, group] of Object.entries(this.groups)) {
        const grad = grads[name];
        if (!grad || group.learningRate === 0) continue;
        const m = this.slots.get(`${name}/m`)!;
        const v = this.slots.get(`${name}/v`)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2)));
        const mHat = tf.div(m, correction1);
        const vHat = tf.div(v, correction2);
        group.variable.assign(tf.sub(group.variable, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), group.learningRate)));
      }
    });
    this.iterations = t;
  }

  getConfig(): Record<string, number | string> {
    return { kind: this.kind, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, ...learningRates(this.groups) };
  }

  snapshot(): OptimizerSnapshot {
    const slots: Record<string, Float32Array> = {};
    for (const [name, slot] of this.slots) slots[name] = Float32Array.from(slot.dataSync());
    return { kind: this.kind, iterations: this.iterations, slots };
  }

  restore(snapshot: OptimizerSnapshot): void {
    this.iterations = snapshot.iterations;
    tf.tidy(() => {
      for (const [name, slot] of this.slots) {
        const saved = snapshot.slots[name];
        slot.assign(saved ? tf.tensor(saved, slot.shape) : tf.zerosLike(slot));
      }
    });
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
  }
}

/** The optimiser a config asks for, over the given parameter groups. */
export function createOptimizer(config: RunConfig, groups: Readonly<Record<string, ParamGroup>>): ParamOptimizer {
  const o = config.optim;
  return o.kind === 'adam' ? new Adam(groups, o.beta1, o.beta2, o.eps) : new Sgd(groups);
}

function learningRates(groups: Readonly<Record<string, ParamGroup>>): Record<string, number> {
  return Object.fromEntries(Object.entries(groups).map(([name, g]) => [`lr${name}`, g.learningRate]));
}
