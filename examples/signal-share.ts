/**
 * A metric plug-in written as an RxJS operator (metricOperator): per neuron, the share of ‖w_j‖²
 * that lies in the span of the two features, |Vᵀw_j|² / ‖w_j‖² with V = [v_1 v_2] orthonormal.
 * 1 means the neuron is pure signal, 0 pure noise; at initialisation it is about 2/d.
 *
 *   phasewatch run --metrics examples/signal-share.ts
 *
 * records `signalShare.w1` … `signalShare.w<m>`. An operator sees every recorded step's frame
 * and must emit synchronously while the frame is pushed (here: `map`); tensors made in it are
 * freed when the push ends. Any RxJS operator works (`scan` for running statistics, `filter` to
 * skip steps), but state kept in a closure is not saved with checkpoints: use defineMetric's
 * `init` for memory that a resumed run must continue.
 */
import { map } from 'rxjs';
import { metricOperator } from '../src/index.js';

export default metricOperator(
  'signalShare',
  (frames) =>
    frames.pipe(
      map(({ step, W, features, tf }) => {
        const inSpan = tf.sum(tf.square(tf.matMul(features, W, true, false)), 0);
        const shares = tf.div(inSpan, tf.sum(tf.square(W), 0)).dataSync();
        return { step, values: Object.fromEntries(Array.from(shares, (share, j) => [`w${j + 1}`, share])) };
      }),
    ),
  'share of each neuron’s squared norm in the span of v_1 and v_2',
);
