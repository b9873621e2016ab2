import { choleskyPsd, invertSpd, jacobiEigenSymmetric, matMul, transpose } from './linalg.js';

/**
 * The host-side linear algebra of the exact fast noise (SPEC §2) for one W.
 *
 * Noise enters the forward pass only through u = Wᵀξ ~ N(0, σ_ξ² WᵀW), so we sample that
 * m-vector directly. In the backward pass the W-gradient needs Σ_p ξ_p c_pᵀ over noise
 * patches; splitting ξ into its part in range(W) — fixed by u — and the independent rest gives
 *   Σ ξ cᵀ = W(WᵀW)⁻¹ Σ u cᵀ + (I − Π_W) Z Lᵀ σ_ξ,   L Lᵀ = Σ c cᵀ,   Z ∈ R^{d×m} iid N(0, 1),
 * exact in distribution at a cost independent of N·P·d.
 */
export class NoiseGeometry {
  private constructor(
    readonly d: number,
    readonly m: number,
    /** W, d×m row-major, in float64. */
    readonly w: Float64Array,
    /** L_W with L_W L_Wᵀ = WᵀW. */
    readonly gramFactor: Float64Array,
    /** (WᵀW)⁻¹, or its pseudo-inverse when W has lost rank. */
    readonly gramInverse: Float64Array,
  ) {}

  /** @param w W as read back from the device, d×m row-major. */
  static of(w: ArrayLike<number>, d: number, m: number): NoiseGeometry {
    const w64 = Float64Array.from(w);
    const gram = matMul(transpose(w64, d, m), w64, m, d, m);
    return new NoiseGeometry(d, m, w64, choleskyPsd(gram, m), safeInverse(gram, m));
  }

  /** σ_ξ·L_W (m×m): multiplies standard normals ε into noise pre-activations u = Wᵀξ. */
  noiseFactor(sigma: number): Float32Array {
    return Float32Array.from(this.gramFactor, (x) => x * sigma);
  }

  /**
   * A draw of Σ_p ξ_p c_pᵀ (d×m) given the noise pre-activations' statistics.
   * @param sumUC Σ_p u_p c_pᵀ (m×m row-major, [a][b] = Σ u_a c_b)
   * @param sumCC Σ_p c_p c_pᵀ (m×m)
   * @param z d×m standard normals (fresh, from the step's `backward` stream)
   */
  noiseGradient(sumUC: ArrayLike<number>, sumCC: ArrayLike<number>, z: ArrayLike<number>, sigma: number): Float32Array {
    const { d, m, w } = this;
    // In range(W): W (WᵀW)⁻¹ Σ u cᵀ.
    const inRange = matMul(w, matMul(this.gramInverse, sumUC, m, m, m), d, m, m);
    // Orthogonal to range(W): (Z − W (WᵀW)⁻¹ Wᵀ Z) Lᵀ σ.
    const wtz = matMul(transpose(w, d, m), z, m, d, m);
    const projected = matMul(w, matMul(this.gramInverse, wtz, m, m, m), d, m, m);
    const residual = new Float64Array(d * m);
    for (let i = 0; i < d * m; i++) residual[i] = z[i] - projected[i];
    const spread = matMul(residual, transpose(choleskyPsd(sumCC, m), m, m), d, m, m);
    const out = new Float32Array(d * m);
    for (let i = 0; i < d * m; i++) out[i] = inRange[i] + sigma * spread[i];
    return out;
  }
}

/**
 * (WᵀW)⁻¹ when W has full column rank; otherwise the pseudo-inverse, so the projector
 * W(WᵀW)⁺Wᵀ stays the projector onto range(W) even after neurons collapse onto each other.
 */
function safeInverse(gram: Float64Array, m: number): Float64Array {
  try {
    return invertSpd(gram, m);
  } catch {
    const { values, vectors } = jacobiEigenSymmetric(gram, m);
    const cutoff = 1e-12 * Math.max(values[0], 0);
    const out = new Float64Array(m * m);
    for (let k = 0; k < m; k++) {
      if (!(values[k] > cutoff)) continue;
      for (let a = 0; a < m; a++) {
        for (let b = 0; b < m; b++) out[a * m + b] += (vectors[a * m + k] * vectors[b * m + k]) / values[k];
      }
    }
    return out;
  }
}
