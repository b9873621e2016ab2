import type { Tensor2D } from '../../../model/tf.js';
import { batchCovariance } from '../batch-covariance.js';
import { effectiveRank } from '../closed-form-predictors.js';
import { defineMetric } from '../define-metric.js';

/**
 * The effective rank (Roy & Vetterli) of the representations' correlation matrix over the
 * batch, for the online view f(X^(1)) and the target view f(X^(2)): m when the m coordinates are
 * uncorrelated, 1 at dimensional collapse (all neurons carry the same feature). Correlations,
 * not covariances, since BatchNorm rescales every coordinate to unit variance before the loss.
 */
export const rankMetric = defineMetric({
  name: 'rank',
  description: 'effective rank of the correlation matrix of the representations (m: uncorrelated, 1: collapsed)',
  compute: ({ f1, f2, tf, config }) => {
    const m = config.model.m;
    const correlation = (f: Tensor2D) => {
      const cov = batchCovariance(f);
      const variances = tf.sum(tf.mul(cov, tf.eye(m)), 1, true);
      const scale = tf.sqrt(tf.maximum(variances, 1e-30));
      return tf.div(tf.div(cov, scale), tf.transpose(scale));
    };
    const data = tf.concat([tf.reshape(correlation(f1), [-1]), tf.reshape(correlation(f2), [-1])]).dataSync();
    const online = effectiveRank(data.subarray(0, m * m), m);
    const target = effectiveRank(data.subarray(m * m), m);
    return { online: Number.isFinite(online) ? online : null, target: Number.isFinite(target) ? target : null };
  },
});
