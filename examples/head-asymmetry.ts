/**
 * A metric plug-in written with defineMetric: how far the prediction head is from symmetric, and
 * the largest off-diagonal entry it has reached so far.
 *
 *   phasewatch run --metrics examples/head-asymmetry.ts
 *
 * records `headAsym.asym` = ‖E − Eᵀ‖_F and `headAsym.peak` = max over time of max_{j≠r} |E_jr|.
 * In phase II the head is strongly asymmetric (E_21 grows, E_12 does not); it is symmetric again
 * once it has returned to the identity. The running peak is the plug-in's memory: it is saved with
 * every checkpoint, so a resumed or branched run continues it.
 */
import { defineMetric } from '../src/index.js';

export default defineMetric({
  name: 'headAsym',
  description: '‖E − Eᵀ‖_F and the running peak of the largest off-diagonal |E_jr|',
  init: () => ({ peak: 0 }),
  compute: ({ E, tf, config }, state) => {
    const offDiagonal = tf.sub(1, tf.eye(config.model.m));
    const [asym, largest] = tf.stack([tf.norm(tf.sub(E, tf.transpose(E))), tf.max(tf.abs(tf.mul(E, offDiagonal)))]).dataSync();
    state.peak = Math.max(state.peak, largest);
    return { asym, peak: state.peak };
  },
});
