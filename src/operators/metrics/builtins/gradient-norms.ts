import { defineMetric } from '../define-metric.js';

/** ‖∂L/∂W‖_F and ‖∂L/∂E‖_F (the latter over the trainable entries; absent when the head does not train). */
export const gradientsMetric = defineMetric({
  name: 'grads',
  description: 'gradient norms per parameter group: ‖∂L/∂W‖ and ‖∂L/∂E‖',
  compute: ({ gradW, gradE, tf }) => {
    const norms = tf.stack(gradE ? [tf.norm(gradW), tf.norm(gradE)] : [tf.norm(gradW)]).dataSync();
    return { W: norms[0], E: gradE ? norms[1] : null };
  },
});
