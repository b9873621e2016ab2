import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { noiseAt, samplePatchBatch, type PatchBatch } from '../../src/model/data.js';

function config(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): RunConfig {
  return resolveConfig({ overrides: { ...overrides, data: { batchSize: 256, ...data } } }).config;
}

/** Noise entries (row, i, p) at the noise patches only. */
function noiseAtNoisePatches(batch: PatchBatch): Float64Array {
  const { N, P, noiseDim, featureMask } = batch;
  const out: number[] = [];
  for (let row = 0; row < noiseDim; row++) {
    for (let ip = 0; ip < N * P; ip++) if (!featureMask[ip]) out.push(noiseAt(batch, row, Math.floor(ip / P), ip % P));
  }
  return Float64Array.from(out);
}

function meanVar(x: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - mean) ** 2;
  return { mean, variance: v / x.length };
}

describe('samplePatchBatch: determinism', () => {
  const c = config();

  it('is a pure function of (seed, step)', () => {
    const a = samplePatchBatch(c, 5);
    const b = samplePatchBatch(c, 5);
    expect(a.step).toBe(5);
    expect(a.label).toEqual(b.label);
    expect(a.sign).toEqual(b.sign);
    expect(a.featureMask).toEqual(b.featureMask);
    expect(a.noise).toEqual(b.noise);
    // Drawing another step in between changes nothing.
    samplePatchBatch(c, 6);
    expect(samplePatchBatch(c, 5).noise).toEqual(a.noise);
  });

  it('another step or another seed gives a different batch', () => {
    const a = samplePatchBatch(c, 5);
    for (const other of [samplePatchBatch(c, 6), samplePatchBatch(config({ seed: 1 }), 5)]) {
      expect(other.featureMask).not.toEqual(a.featureMask);
      expect(other.label).not.toEqual(a.label);
      expect(other.noise).not.toEqual(a.noise);
    }
  });

  it('explicit noise scales exactly with σ_ξ (a power-of-two ratio is exact in float32)', () => {
    const one = samplePatchBatch(config({}, { noise: 'explicit', sigmaXi: 1, d: 16 }), 3);
    const half = samplePatchBatch(config({}, { noise: 'explicit', sigmaXi: 0.5, d: 16 }), 3);
    expect(half.featureMask).toEqual(one.featureMask);
    expect(half.noise.length).toBe(one.noise.length);
    let mismatches = 0;
    for (let q = 0; q < one.noise.length; q++) if (half.noise[q] !== one.noise[q] * 0.5) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('projected noise is the standard normal ε, independent of σ_ξ', () => {
    const a = samplePatchBatch(config({}, { sigmaXi: 0.34 }), 3);
    const b = samplePatchBatch(config({}, { sigmaXi: 2 }), 3);
    expect(b.noise).toEqual(a.noise);
  });
});

describe('samplePatchBatch: structure', () => {
  it.each([
    ['defaults', {}, {}],
    ['k = 1', {}, { k: 1 }],
    ['k = P − 1, P = 10', {}, { P: 10, k: 9 }],
    ['explicit noise', {}, { noise: 'explicit', d: 16 }],
    ['m = 5', { model: { m: 5 } }, {}],
  ])('%s: shapes, exactly k feature patches per sample, noise zero exactly at feature patches', (_name, over, data) => {
    const c = config(over, data);
    const { P, k, batchSize: N, d, noise } = c.data;
    const batch = samplePatchBatch(c, 17);
    expect(batch.N).toBe(N);
    expect(batch.P).toBe(P);
    expect(batch.label.length).toBe(N);
    expect(batch.sign.length).toBe(N);
    expect(batch.featureMask.length).toBe(N * P);
    expect(batch.noiseKind).toBe(noise);
    const dim = noise === 'explicit' ? d : c.model.m;
    expect(batch.noiseDim).toBe(dim);
    // Compact layout: only the P − k noise patches of each sample are stored.
    expect(batch.noise.length).toBe(dim * N * (P - k));
    let wrongCount = 0;
    let badMask = 0;
    let nonzeroAtFeature = 0;
    let zeroAtNoise = 0;
    for (let i = 0; i < N; i++) {
      let count = 0;
      for (let p = 0; p < P; p++) {
        const ip = i * P + p;
        const f = batch.featureMask[ip];
        if (f !== 0 && f !== 1) badMask++;
        count += f;
        for (let row = 0; row < dim; row++) {
          const v = noiseAt(batch, row, i, p);
          if (f && v !== 0) nonzeroAtFeature++;
          if (!f && v === 0) zeroAtNoise++;
        }
      }
      if (count !== k) wrongCount++;
    }
    expect(badMask).toBe(0);
    expect(wrongCount).toBe(0);
    expect(nonzeroAtFeature).toBe(0);
    expect(zeroAtNoise).toBe(0);
    for (let i = 0; i < N; i++) {
      expect(batch.label[i] === 0 || batch.label[i] === 1).toBe(true);
      expect(batch.sign[i] === 1 || batch.sign[i] === -1).toBe(true);
    }
  });
});

describe('samplePatchBatch: distributions', () => {
  const steps = 40;

  it.each([[0.5], [0.2]])('labels are 0 (strong) with frequency pStrong = %s within 5 SE', (pStrong) => {
    const c = config({}, { pStrong });
    let strong = 0;
    let total = 0;
    for (let t = 0; t < steps; t++) {
      const b = samplePatchBatch(c, t);
      for (const l of b.label) strong += l === 0 ? 1 : 0;
      total += b.N;
    }
    expect(Math.abs(strong - total * pStrong)).toBeLessThan(5 * Math.sqrt(total * pStrong * (1 - pStrong)));
  });

  it('pStrong 1 and 0 give all-strong and all-weak labels', () => {
    expect(Array.from(samplePatchBatch(config({}, { pStrong: 1 }), 0).label).every((l) => l === 0)).toBe(true);
    expect(Array.from(samplePatchBatch(config({}, { pStrong: 0 }), 0).label).every((l) => l === 1)).toBe(true);
  });

  it('signs are balanced within 5 SE and independent of the label', () => {
    const c = config();
    const sum = [0, 0];
    const n = [0, 0];
    for (let t = 0; t < steps; t++) {
      const b = samplePatchBatch(c, t);
      for (let i = 0; i < b.N; i++) {
        sum[b.label[i]] += b.sign[i];
        n[b.label[i]] += 1;
      }
    }
    // Each sign is ±1 with variance 1: SE of a sum of n signs is √n.
    expect(Math.abs(sum[0] + sum[1])).toBeLessThan(5 * Math.sqrt(n[0] + n[1]));
    expect(Math.abs(sum[0])).toBeLessThan(5 * Math.sqrt(n[0]));
    expect(Math.abs(sum[1])).toBeLessThan(5 * Math.sqrt(n[1]));
  });

  it('explicit mode: noise entries have mean 0 and variance σ_ξ² within 5 SE, rows uncorrelated', () => {
    const c = config({}, { noise: 'explicit', sigmaXi: 0.34 });
    const batch = samplePatchBatch(c, 2);
    expect(batch.noiseDim).toBe(64);
    const x = noiseAtNoisePatches(batch);
    const n = x.length;
    expect(n).toBe(64 * 256 * 12);
    const s2 = 0.34 ** 2;
    const { mean, variance } = meanVar(x);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(s2 / n));
    // Var of a normal sample variance: 2σ⁴/n.
    expect(Math.abs(variance - s2)).toBeLessThan(5 * s2 * Math.sqrt(2 / n));
    // Rows 0 and 1 at the same patches: correlation ≈ 0 (SE 1/√n).
    const perRow = n / 64;
    let s01 = 0;
    for (let q = 0; q < perRow; q++) s01 += x[q] * x[perRow + q];
    expect(Math.abs(s01 / perRow / s2)).toBeLessThan(5 / Math.sqrt(perRow));
  });

  it('projected mode: noiseDim = m and the entries are standard normal within 5 SE', () => {
    const c = config({ model: { m: 8 } }, { sigmaXi: 0.34 });
    const batch = samplePatchBatch(c, 2);
    expect(batch.noiseDim).toBe(8);
    const x = noiseAtNoisePatches(batch);
    const n = x.length;
    expect(n).toBe(8 * 256 * 12);
    const { mean, variance } = meanVar(x);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('feature-patch positions are uniform over the P positions, and pairs of positions uniform over pairs', () => {
    const c = config();
    const { P, k } = c.data;
    const single = new Float64Array(P);
    const pair = new Float64Array(P * P);
    let samples = 0;
    for (let t = 0; t < steps; t++) {
      const b = samplePatchBatch(c, t);
      for (let i = 0; i < b.N; i++) {
        samples++;
        for (let p = 0; p < P; p++) {
          if (!b.featureMask[i * P + p]) continue;
          single[p]++;
          for (let q = p + 1; q < P; q++) if (b.featureMask[i * P + q]) pair[p * P + q]++;
        }
      }
    }
    // Per position: Binomial(samples, k/P).
    const p1 = k / P;
    const e1 = samples * p1;
    const se1 = Math.sqrt(samples * p1 * (1 - p1));
    let chi2 = 0;
    for (let p = 0; p < P; p++) {
      expect(Math.abs(single[p] - e1)).toBeLessThan(5 * se1);
      chi2 += (single[p] - e1) ** 2 / e1;
    }
    // E[Σ (O−E)²/E] = Σ Var/E = P(1 − k/P) = P − k; allow 5 SDs of a χ² with that many dof.
    expect(chi2).toBeLessThan(P - k + 5 * Math.sqrt(2 * (P - k)));
    // Per unordered pair: Binomial(samples, k(k−1)/(P(P−1))).
    const p2 = (k * (k - 1)) / (P * (P - 1));
    const se2 = Math.sqrt(samples * p2 * (1 - p2));
    for (let p = 0; p < P; p++) {
      for (let q = p + 1; q < P; q++) expect(Math.abs(pair[p * P + q] - samples * p2)).toBeLessThan(5 * se2);
    }
  });
});
