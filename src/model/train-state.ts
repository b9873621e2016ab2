import type { RunConfig } from '../config/schema.js';
import { StateError } from '../errors.js';
import { featureBasis } from './features.js';
import { initialHead, initialWeights } from './init.js';
import { createOptimizer, type OptimizerSnapshot, type ParamOptimizer } from './optimizers.js';
import { tf, type Variable } from './tf.js';

/** Everything that evolves during training, as plain typed arrays. */
export interface TrainStateSnapshot {
  /** Updates applied so far. */
  readonly step: number;
  readonly d: number;
  readonly m: number;
  /** d×m row-major. */
  readonly W: Float32Array;
  /** m×m row-major. */
  readonly E: Float32Array;
  readonly optimizer: OptimizerSnapshot;
}

/**
 * The trainable state of a run: encoder W (d×m), head E (m×m), the optimiser and its slots,
 * and the step counter. `snapshot()`/`restore()` copy it to and from typed arrays exactly, so
 * a resumed or branched run continues bit for bit.
 */
export class TrainState {
  step = 0;
  readonly optimizer: ParamOptimizer;

  private constructor(
    readonly config: RunConfig,
    readonly W: Variable,
    readonly E: Variable,
  ) {
    this.optimizer = createOptimizer(config, {
      W: { variable: W, learningRate: config.optim.lrW },
      E: { variable: E, learningRate: config.optim.lrE },
    });
  }

  /** A fresh state at step 0 from the config's initialisation. */
  static create(config: RunConfig): TrainState {
    const { d } = config.data;
    const { m } = config.model;
    const W = tf.tidy(() => tf.variable(tf.tensor2d(initialWeights(config, featureBasis(config)), [d, m]), true, undefined, 'float32'));
    const E = tf.tidy(() => tf.variable(tf.tensor2d(initialHead(config), [m, m]), true, undefined, 'float32'));
    return new TrainState(config, W, E);
  }

  /**
   * A state for `config` continuing from a snapshot. The optimiser's slots carry over when the
   * config keeps the same optimiser kind; a different kind starts with fresh slots.
   * @throws StateError when the snapshot's shapes do not fit the config.
   */
  static fromSnapshot(config: RunConfig, snapshot: TrainStateSnapshot): TrainState {
    const state = TrainState.create(config);
    try {
      state.restore(snapshot);
    } catch (error) {
      state.dispose();
      throw error;
    }
    return state;
  }

  snapshot(): TrainStateSnapshot {
    return {
      step: this.step,
      d: this.config.data.d,
      m: this.config.model.m,
      W: Float32Array.from(this.W.dataSync()),
      E: Float32Array.from(this.E.dataSync()),
      optimizer: this.optimizer.snapshot(),
    };
  }

  /** @throws StateError when the snapshot was taken with a different d or m. */
  restore(snapshot: TrainStateSnapshot): void {
    const { d } = this.config.data;
    const { m } = this.config.model;
    if (snapshot.d !== d || snapshot.m !== m) {
      throw new StateError(`saved state has d = ${snapshot.d}, m = ${snapshot.m}; this config has d = ${d}, m = ${m} — a state can only continue with the same d and m`);
    }
    if (snapshot.W.length !== d * m || snapshot.E.length !== m * m) {
      throw new StateError(`saved state is malformed: W has ${snapshot.W.length} values (expected ${d * m}), E has ${snapshot.E.length} (expected ${m * m})`);
    }
    tf.tidy(() => {
      this.W.assign(tf.tensor2d(snapshot.W, [d, m]));
      // Without a head E ≡ I, whatever head the state was trained with (a branch that drops the head).
      this.E.assign(this.config.head.mode === 'none' ? tf.eye(m) : tf.tensor2d(snapshot.E, [m, m]));
    });
    if (snapshot.optimizer.kind === this.optimizer.kind) this.optimizer.restore(snapshot.optimizer);
    this.step = snapshot.step;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.W.dispose();
    this.E.dispose();
  }
}
