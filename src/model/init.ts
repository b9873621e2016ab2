import { initScale, type RunConfig } from '../config/schema.js';
import { Rng, RngStream } from './rng.js';

/**
 * Initial encoder weights W (d×m row-major; column j is w_j).
 *
 * `controlled` (the default, SPEC §2): ⟨w_j, v_ℓ⟩ = σ_0·overlap[ℓ][j] for j ∈ {1, 2}, the
 * rest of w_j random in span{v_1, v_2}^⊥ with ‖w_j‖ = 1 — this makes the race for v_1
 * explicit (neuron 1 wins it). Further neurons, and all of them under `random`, are N(0, σ_0² I).
 */
export function initialWeights(config: RunConfig, basis: Float64Array): Float32Array {
  const { d } = config.data;
  const { m } = config.model;
  const sigma0 = initScale(config);
  const rng = Rng.keyed(config.seed, 0, RngStream.init);
  const w = new Float32Array(d * m);
  for (let j = 0; j < m; j++) {
    const column = Array.from({ length: d }, () => rng.normal());
    if (config.init.mode === 'controlled' && j < 2) {
      const a1 = sigma0 * config.init.overlap[0][j];
      const a2 = sigma0 * config.init.overlap[1][j];
      // Remove the span component of the random direction, then scale it to fill the unit norm.
      const p1 = dotColumn(column, basis, 0);
      const p2 = dotColumn(column, basis, 1);
      for (let i = 0; i < d; i++) column[i] -= p1 * basis[i * 2] + p2 * basis[i * 2 + 1];
      const rest = Math.sqrt(Math.max(0, 1 - a1 * a1 - a2 * a2)) / Math.hypot(...column);
      for (let i = 0; i < d; i++) w[i * m + j] = a1 * basis[i * 2] + a2 * basis[i * 2 + 1] + rest * column[i];
    } else {
      for (let i = 0; i < d; i++) w[i * m + j] = sigma0 * column[i];
    }
  }
  return w;
}

/** The head's initial value, E_0 = I (m×m row-major). */
export function initialHead(config: RunConfig): Float32Array {
  const m = config.model.m;
  const e = new Float32Array(m * m);
  for (let j = 0; j < m; j++) e[j * m + j] = 1;
  return e;
}

function dotColumn(x: readonly number[], basis: Float64Array, l: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * basis[i * 2 + l];
  return s;
}
