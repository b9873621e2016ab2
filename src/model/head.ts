import type { RunConfig } from '../config/schema.js';

/**
 * Which entries of the prediction head E train, as an m×m row-major 0/1 mask.
 * `offdiag`: the paper's head (diagonal fixed at 1); `full`: all; `none`: E ≡ I.
 */
export function headMask(config: RunConfig): Float32Array {
  const m = config.model.m;
  const mask = new Float32Array(m * m);
  if (config.head.mode === 'none') return mask;
  for (let j = 0; j < m; j++) {
    for (let r = 0; r < m; r++) mask[j * m + r] = config.head.mode === 'full' || j !== r ? 1 : 0;
  }
  return mask;
}

/** True when E has at least one trainable entry. */
export function headTrains(config: RunConfig): boolean {
  return config.head.mode !== 'none' && !(config.head.mode === 'offdiag' && config.model.m === 1);
}
