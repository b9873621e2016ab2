import type { RunConfig } from '../config/schema.js';
import { Rng, RngStream } from './rng.js';

/**
 * The two orthonormal feature directions as a d×2 row-major matrix (column 0 = v_1, the
 * strong feature; column 1 = v_2, the weak one).
 *
 * `axis` gives e_1, e_2. `random` draws a pair from the seed; under isotropic noise it is
 * equivalent in distribution, and it exercises code that must not assume axis-aligned features.
 */
export function featureBasis(config: RunConfig): Float64Array {
  const d = config.data.d;
  const basis = new Float64Array(d * 2);
  if (config.data.features === 'axis') {
    basis[0 * 2 + 0] = 1;
    basis[1 * 2 + 1] = 1;
    return basis;
  }
  const rng = Rng.keyed(config.seed, 0, RngStream.features);
  const a = Array.from({ length: d }, () => rng.normal());
  const b = Array.from({ length: d }, () => rng.normal());
  const na = Math.hypot(...a);
  for (let i = 0; i < d; i++) a[i] /= na;
  const proj = a.reduce((s, ai, i) => s + ai * b[i], 0);
  for (let i = 0; i < d; i++) b[i] -= proj * a[i];
  const nb = Math.hypot(...b);
  for (let i = 0; i < d; i++) {
    basis[i * 2] = a[i];
    basis[i * 2 + 1] = b[i] / nb;
  }
  return basis;
}
