/**
 * Counter-based random numbers: every draw is a pure function of (seed, step, stream, sub).
 *
 * A strong 32-bit mix of the key seeds a small fast generator (sfc32) for the draws of that one
 * key. Nothing is carried from step to step, so the batch at step t can be recomputed from
 * (seed, t) alone — which is what makes resume and branching exact without saving RNG state.
 */
export const RngStream = {
  /** The random orthonormal feature pair (features = random). */
  features: 1,
  /** Initial weights. */
  init: 2,
  /** Labels, signs and feature-patch positions of a batch. */
  data: 3,
  /** Noise patches (projected: m-dimensional ε; explicit: d-dimensional ξ). */
  noise: 4,
  /** The augmentation: which patches view 1 keeps. */
  augment: 5,
  /** The Gaussian matrix Z of the exact fast noise gradient. */
  backward: 6,
} as const;

export type RngStreamId = (typeof RngStream)[keyof typeof RngStream];

const TWO_POW_M32 = 2 ** -32;

/** splitmix32-style finaliser: a bijection on 32-bit words with full avalanche. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/**
 * A small fast generator (sfc32, 128-bit state), seeded from a key.
 *
 * The state lives in an Int32Array and the arithmetic stays in int32: uint32 values above 2^31
 * stored in object fields would be boxed as heap numbers, which made the generator ~30× slower.
 */
export class Rng {
  private readonly s = new Int32Array(4);

  private constructor(a: number, b: number, c: number, d: number) {
    this.s[0] = a;
    this.s[1] = b;
    this.s[2] = c;
    this.s[3] = d;
    // Discard the first outputs: sfc32 needs a few rounds to decorrelate from its seed words.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /**
   * The generator for one key.
   * @example Rng.keyed(seed, step, RngStream.noise).normal()
   */
  static keyed(seed: number, step: number, stream: RngStreamId, sub = 0): Rng {
    const s = mix32(seed ^ 0x9e3779b9);
    const t = mix32((step >>> 0) ^ mix32(Math.floor(step / 2 ** 32) + 0x85ebca6b));
    const k = mix32(stream * 0x27d4eb2f + sub * 0x165667b1);
    return new Rng(mix32(s ^ t), mix32(t + k), mix32(k ^ s ^ 0xdeadbeef), mix32(s + t + k + 1));
  }

  /** The next 32 random bits as an unsigned integer. */
  nextU32(): number {
    return this.nextI32() >>> 0;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return (this.nextI32() >>> 0) * TWO_POW_M32;
  }

  /**
   * Uniform integer on [0, n) for small n, as ⌊u·n⌋ of a 32-bit uniform u: the bias is at most
   * n/2^32 per value, far below anything a batch of patches can show, and it avoids a division.
   */
  below(n: number): number {
    return Math.floor((this.nextI32() >>> 0) * TWO_POW_M32 * n);
  }

  /** ±1 with equal probability. */
  sign(): number {
    return this.nextI32() & 1 ? 1 : -1;
  }

  /**
   * Standard normal, by the ziggurat method (Marsaglia & Tsang 2000, 128 layers). The layer
   * index and the value come from separate draws, avoiding the correlation Doornik (2005)
   * found in the single-draw version. About 1.01 draws of 2 words per normal on average.
   */
  normal(): number {
    const layer = this.nextI32() & 127;
    return this.normalFrom(layer, this.nextI32());
  }

  /** Completes a ziggurat draw that started with layer `layer` and value word `hz`. */
  private normalFrom(layer: number, hz: number): number {
    const { k, w, f } = ZIGGURAT;
    for (;;) {
      const x = hz * w[layer];
      if (Math.abs(hz) < k[layer]) return x;
      if (layer === 0) return this.normalTail(hz);
      if (f[layer] + this.uniform() * (f[layer - 1] - f[layer]) < Math.exp(-0.5 * x * x)) return x;
      layer = this.nextI32() & 127;
      hz = this.nextI32();
    }
  }

  /**
   * Fills `out[offset .. offset+count)` with independent N(0, scale²) draws: the same values as
   * `count` calls of {@link normal}, with the fast path inlined on local state (the hot loop of
   * data generation).
   */
  fillNormal(out: Float32Array | Float64Array, scale = 1, offset = 0, count = out.length - offset): void {
    const st = this.s;
    const { k, w } = ZIGGURAT;
    let a = st[0];
    let b = st[1];
    let c = st[2];
    let d = st[3];
    const end = offset + count;
    for (let i = offset; i < end; i++) {
      let t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      const layer = t & 127;
      t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      if (Math.abs(t) < k[layer]) {
        out[i] = t * w[layer] * scale;
        continue;
      }
      // Rare slow path (about 1 draw in 100): hand the state back and finish this value there.
      st[0] = a;
      st[1] = b;
      st[2] = c;
      st[3] = d;
      out[i] = this.normalFrom(layer, t) * scale;
      a = st[0];
      b = st[1];
      c = st[2];
      d = st[3];
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
  }

  /** A draw from the tail |x| > r of the base layer (Marsaglia's exponential rejection). */
  private normalTail(hz: number): number {
    let x: number;
    let y: number;
    do {
      x = -Math.log(1 - this.uniform()) / ZIGGURAT_R;
      y = -Math.log(1 - this.uniform());
    } while (y + y < x * x);
    return hz > 0 ? ZIGGURAT_R + x : -ZIGGURAT_R - x;
  }

  private nextI32(): number {
    const s = this.s;
    const a = s[0];
    const b = s[1];
    const c = s[2];
    const d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }
}

const ZIGGURAT_R = 3.442619855899;

/** Ziggurat tables for 128 layers of the standard normal density, for signed 32-bit draws. */
const ZIGGURAT = (() => {
  const m1 = 2 ** 31;
  const area = 9.91256303526217e-3;
  const k = new Float64Array(128);
  const w = new Float64Array(128);
  const f = new Float64Array(128);
  let dn = ZIGGURAT_R;
  let tn = dn;
  const q = area / Math.exp(-0.5 * dn * dn);
  k[0] = (dn / q) * m1;
  k[1] = 0;
  w[0] = q / m1;
  w[127] = dn / m1;
  f[0] = 1;
  f[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(area / dn + Math.exp(-0.5 * dn * dn)));
    k[i + 1] = (dn / tn) * m1;
    tn = dn;
    f[i] = Math.exp(-0.5 * dn * dn);
    w[i] = dn / m1;
  }
  return { k, w, f };
})();
