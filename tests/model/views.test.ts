import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { noiseAt, samplePatchBatch } from '../../src/model/data.js';
import { applyViews, sampleViewMask } from '../../src/model/views.js';

function config(data: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): RunConfig {
  return resolveConfig({ overrides: { ...rest, data: { batchSize: 128, ...data } } }).config;
}

describe('sampleViewMask', () => {
  it.each([
    ['default (P/2)', {}, 8],
    ['viewSize 5', { viewSize: 5 }, 5],
    ['viewSize 11', { viewSize: 11 }, 11],
    ['odd P = 15 rounds down', { P: 15 }, 7],
  ])('%s: every sample keeps exactly viewSize patches', (_name, data, keep) => {
    const c = config(data);
    const { batchSize: N, P } = c.data;
    const mask = sampleViewMask(c, 3);
    expect(mask.length).toBe(N * P);
    let wrong = 0;
    let notBinary = 0;
    for (let i = 0; i < N; i++) {
      let kept = 0;
      for (let p = 0; p < P; p++) {
        const v = mask[i * P + p];
        if (v !== 0 && v !== 1) notBinary++;
        kept += v;
      }
      if (kept !== keep) wrong++;
    }
    expect(notBinary).toBe(0);
    expect(wrong).toBe(0);
  });

  it('is pure in (seed, step) and fresh every step', () => {
    const c = config();
    const a = sampleViewMask(c, 10);
    expect(sampleViewMask(c, 10)).toEqual(a);
    expect(sampleViewMask(c, 11)).not.toEqual(a);
    expect(sampleViewMask(config({}, { seed: 3 }), 10)).not.toEqual(a);
  });

  it('differs between samples of one step (fresh per sample)', () => {
    const c = config();
    const { batchSize: N, P } = c.data;
    const mask = sampleViewMask(c, 0);
    const rows = new Set<string>();
    for (let i = 0; i < N; i++) rows.add(Array.from(mask.subarray(i * P, (i + 1) * P)).join(''));
    // C(16, 8) = 12870 subsets: 128 draws repeat one with probability ≈ 0.47, so allow a few.
    expect(rows.size).toBeGreaterThan(N - 5);
  });

  it('each position is kept by view 1 with probability viewSize/P (within 5 SE)', () => {
    const c = config({ viewSize: 5 });
    const { batchSize: N, P } = c.data;
    const counts = new Float64Array(P);
    const steps = 30;
    for (let t = 0; t < steps; t++) {
      const mask = sampleViewMask(c, t);
      for (let i = 0; i < N; i++) for (let p = 0; p < P; p++) counts[p] += mask[i * P + p];
    }
    const n = N * steps;
    const q = 5 / P;
    for (let p = 0; p < P; p++) expect(Math.abs(counts[p] - n * q)).toBeLessThan(5 * Math.sqrt(n * q * (1 - q)));
  });
});

describe('applyViews', () => {
  it.each([
    ['projected, equal views', {}, {}],
    ['explicit, equal views', { noise: 'explicit', d: 12 }, {}],
    ['projected, viewSize 5 (H = 11)', { viewSize: 5 }, {}],
    ['projected, viewSize 11 (H = 11)', { viewSize: 11 }, {}],
    ['m = 3, k = 7, odd P = 13', { P: 13, k: 7 }, { model: { m: 3 } }],
  ])('%s: counts, noise layout and padding', (_name, data, rest) => {
    const c = config(data, rest);
    const { batchSize: N, P, k } = c.data;
    const first = c.data.viewSize ?? Math.floor(P / 2);
    const H = Math.max(first, P - first);
    const batch = samplePatchBatch(c, 7);
    const mask = sampleViewMask(c, 7);
    const views = applyViews(c, batch, mask);
    const D = batch.noiseDim;
    const cols = 2 * N * H;
    expect(views.N).toBe(N);
    expect(views.P).toBe(P);
    expect(views.H).toBe(H);
    expect(views.noiseDim).toBe(D);
    expect(views.noiseKind).toBe(batch.noiseKind);
    expect(views.noise.length).toBe(D * cols);
    expect(views.featureCount.length).toBe(2 * N);
    expect(views.selector.length).toBe(4 * N);
    expect(views.viewMask).toBe(mask);
    expect(views.label).toEqual(batch.label);
    expect(views.sign).toEqual(batch.sign);

    const patches = N * P;
    const problems: string[] = [];
    for (let i = 0; i < N; i++) {
      // Feature patches per view, counted from the two masks directly.
      let f1 = 0;
      let f2 = 0;
      for (let p = 0; p < P; p++) {
        if (!batch.featureMask[i * P + p]) continue;
        if (mask[i * P + p]) f1++;
        else f2++;
      }
      if (views.featureCount[i] !== f1 || views.featureCount[N + i] !== f2) problems.push(`featureCount of sample ${i}`);
      if (views.featureCount[i] + views.featureCount[N + i] !== k) problems.push(`featureCount sum of sample ${i}`);

      for (let row = 0; row < D; row++) {
        for (const [view, start] of [
          [1, i * H],
          [2, (N + i) * H],
        ] as const) {
          const expected: number[] = [];
          for (let p = 0; p < P; p++) {
            const ip = i * P + p;
            const inView = view === 1 ? mask[ip] === 1 : mask[ip] === 0;
            if (inView && !batch.featureMask[ip]) expected.push(noiseAt(batch, row, i, p));
          }
          const slots = Array.from(views.noise.subarray(row * cols + start, row * cols + start + H));
          const nonzero = slots.filter((v) => v !== 0);
          const sortNum = (a: number, b: number): number => a - b;
          if (expected.some((v) => v === 0)) problems.push(`a zero noise value at a noise patch of sample ${i}`);
          if (JSON.stringify(nonzero.slice().sort(sortNum)) !== JSON.stringify(expected.slice().sort(sortNum))) {
            problems.push(`noise of sample ${i}, view ${view}, row ${row}`);
          }
          // Exactly as many nonzero slots as the view has noise patches: feature slots and padding are zero.
          if (nonzero.length !== expected.length) problems.push(`nonzero slots of sample ${i}, view ${view}, row ${row}`);
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('with viewSize 5 and P 16 the smaller view has at least 6 zero padding slots per sample', () => {
    const c = config({ viewSize: 5 });
    const { batchSize: N } = c.data;
    const views = applyViews(c, samplePatchBatch(c, 1), sampleViewMask(c, 1));
    expect(views.H).toBe(11);
    const cols = 2 * N * 11;
    let nonzeroPadding = 0;
    for (let row = 0; row < views.noiseDim; row++) {
      for (let i = 0; i < N; i++) {
        // View 1 keeps 5 patches, so slots 5..10 of its block can never be filled.
        for (let s = 5; s < 11; s++) if (views.noise[row * cols + i * 11 + s] !== 0) nonzeroPadding++;
      }
    }
    expect(nonzeroPadding).toBe(0);
  });

  it('selector row ℓ holds sign·α_ℓ at columns i and N+i for samples with label ℓ, 0 elsewhere', () => {
    const c = config({ alpha1: 1.25, alpha2: 0.5 });
    const { batchSize: N } = c.data;
    const batch = samplePatchBatch(c, 4);
    const views = applyViews(c, batch, sampleViewMask(c, 4));
    const alpha = [1.25, 0.5];
    let wrong = 0;
    const seen = [0, 0];
    for (let i = 0; i < N; i++) {
      const l = batch.label[i];
      seen[l]++;
      for (let row = 0; row < 2; row++) {
        const want = row === l ? batch.sign[i] * alpha[row] : 0;
        if (views.selector[row * 2 * N + i] !== want) wrong++;
        if (views.selector[row * 2 * N + N + i] !== want) wrong++;
      }
    }
    expect(wrong).toBe(0);
    // Both labels occur, so both rows were exercised.
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBeGreaterThan(0);
  });

  it('feature patches split between the views hypergeometrically (mean k·|𝒫|/P within 5 SE)', () => {
    const c = config();
    const { batchSize: N, P, k } = c.data;
    const v = P / 2;
    let sum = 0;
    let n = 0;
    for (let t = 0; t < 20; t++) {
      const views = applyViews(c, samplePatchBatch(c, t), sampleViewMask(c, t));
      for (let i = 0; i < N; i++) {
        sum += views.featureCount[i];
        n++;
      }
    }
    const mean = (k * v) / P;
    const variance = k * (v / P) * (1 - v / P) * ((P - k) / (P - 1));
    expect(Math.abs(sum / n - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
  });
});
