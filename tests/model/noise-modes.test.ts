import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { samplePatchBatch } from '../../src/model/data.js';
import { NoiseGeometry } from '../../src/model/noise-geometry.js';
import { PatchModel, disposeStep } from '../../src/model/patch-model.js';
import { tf } from '../../src/model/tf.js';
import { TrainState } from '../../src/model/train-state.js';
import { applyViews, sampleViewMask } from '../../src/model/views.js';
import { gaussianMatrix } from '../helpers/test-rng.js';
import { selectBackend } from '../../src/model/backend.js';

/**
 * The projected noise mode draws u = Wᵀξ and the noise part of the W-gradient from their exact
 * distribution instead of materialising ξ. Here both modes run on the same W and E over many
 * independent batches, and their statistics are compared with closed forms and with each other.
 */
const d = 8;
const m = 2;
const N = 64;
const sigma = 0.5;

beforeAll(async () => {
  await selectBackend('cpu');
});

function config(noise: 'projected' | 'explicit', seed: number): RunConfig {
  return resolveConfig({
    overrides: { seed, data: { d, P: 8, k: 2, batchSize: N, noise, sigmaXi: sigma }, model: { m }, init: { mode: 'random' } },
  }).config;
}

const W = gaussianMatrix(d, m, 3, 0.6);
const E = [
  [1, 0.3],
  [-0.4, 1],
];

function withState<T>(cfg: RunConfig, fn: (model: PatchModel, state: TrainState) => T): T {
  const model = new PatchModel(cfg);
  const state = TrainState.create(cfg);
  state.restore({ ...state.snapshot(), W: Float32Array.from(W.flat()), E: Float32Array.from(E.flat()) });
  try {
    return fn(model, state);
  } finally {
    state.dispose();
    model.dispose();
  }
}

/** Σ = σ² WᵀW, the covariance of u = Wᵀξ for ξ ~ N(0, σ² I). */
const cov = [0, 1].map((a) => [0, 1].map((b) => sigma * sigma * W.reduce((s, row) => s + row[a] * row[b], 0)));

describe('projected and explicit noise agree in distribution', () => {
  it('noise pre-activations have covariance σ²WᵀW and Gaussian fourth moments in both modes', () => {
    for (const mode of ['projected', 'explicit'] as const) {
      const sums = { aa: 0, ab: 0, bb: 0, a2b2: 0, a4: 0, n: 0 };
      for (let seed = 0; seed < 40; seed++) {
        const cfg = config(mode, seed);
        const u = withState(cfg, (model, state) => model.noisePreactivations(state, applyViews(cfg, samplePatchBatch(cfg, 0), sampleViewMask(cfg, 0))));
        const cols = u.length / m;
        for (let c = 0; c < cols; c++) {
          const a = u[c];
          const b = u[cols + c];
          if (a === 0 && b === 0) continue; // a slot without a noise patch
          sums.aa += a * a;
          sums.ab += a * b;
          sums.bb += b * b;
          sums.a2b2 += a * a * b * b;
          sums.a4 += a ** 4;
          sums.n += 1;
        }
      }
      const n = sums.n;
      // Standard errors from Gaussian moments: Var(u_a u_b) = Σ_aa Σ_bb + Σ_ab².
      const se = (v: number) => Math.sqrt(v / n);
      expect(Math.abs(sums.aa / n - cov[0][0])).toBeLessThan(5 * se(2 * cov[0][0] ** 2));
      expect(Math.abs(sums.bb / n - cov[1][1])).toBeLessThan(5 * se(2 * cov[1][1] ** 2));
      expect(Math.abs(sums.ab / n - cov[0][1])).toBeLessThan(5 * se(cov[0][0] * cov[1][1] + cov[0][1] ** 2));
      // Isserlis: E[u_a⁴] = 3Σ_aa², E[u_a² u_b²] = Σ_aa Σ_bb + 2Σ_ab² (10% is ~5 SE here).
      expect(sums.a4 / n / (3 * cov[0][0] ** 2)).toBeCloseTo(1, 0);
      expect(Math.abs(sums.a2b2 / n / (cov[0][0] * cov[1][1] + 2 * cov[0][1] ** 2) - 1)).toBeLessThan(0.1);
    }
  });

  it('W-gradients have the same mean and per-coordinate variance in both modes', () => {
    const draws = 300;
    const stats = (mode: 'projected' | 'explicit') => {
      const sum = new Float64Array(d * m);
      const sq = new Float64Array(d * m);
      for (let seed = 0; seed < draws; seed++) {
        const cfg = config(mode, 1000 + seed);
        const g = withState(cfg, (model, state) => {
          const out = model.forwardBackward(state, applyViews(cfg, samplePatchBatch(cfg, 0), sampleViewMask(cfg, 0)));
          const values = Float64Array.from(out.gradW.dataSync());
          disposeStep(out);
          return values;
        });
        g.forEach((x, i) => {
          sum[i] += x;
          sq[i] += x * x;
        });
      }
      const mean = Array.from(sum, (s) => s / draws);
      const variance = Array.from(sq, (s, i) => s / draws - mean[i] ** 2);
      return { mean, variance };
    };
    const p = stats('projected');
    const e = stats('explicit');
    for (let i = 0; i < d * m; i++) {
      const seDiff = Math.sqrt((p.variance[i] + e.variance[i]) / draws);
      expect(Math.abs(p.mean[i] - e.mean[i])).toBeLessThan(5 * seDiff);
      // The relative standard error of a variance estimate is ≈ √(2/draws) ≈ 8% (more for heavy tails).
      expect(Math.abs(Math.log(p.variance[i] / e.variance[i]))).toBeLessThan(0.45);
    }
  });
});

describe('NoiseGeometry', () => {
  it('recovers Σ ξ cᵀ exactly when W spans the whole space (nothing is left to sample)', () => {
    // d = m: range(W) = R^d, so Σ ξ cᵀ = W (WᵀW)⁻¹ Σ u cᵀ for any Z.
    const w = [2, 0.5, -1, 1.5]; // 2×2, row-major
    const xis = [
      [0.3, -1.2],
      [0.7, 0.4],
      [-0.5, 0.9],
    ];
    const cs = [
      [1, 2],
      [-0.5, 0.25],
      [0.75, -1],
    ];
    const su = [0, 0, 0, 0];
    const scc = [0, 0, 0, 0];
    const expected = [0, 0, 0, 0];
    xis.forEach((xi, p) => {
      const u = [xi[0] * w[0] + xi[1] * w[2], xi[0] * w[1] + xi[1] * w[3]];
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          su[a * 2 + b] += u[a] * cs[p][b];
          scc[a * 2 + b] += cs[p][a] * cs[p][b];
          expected[a * 2 + b] += xi[a] * cs[p][b];
        }
      }
    });
    const got = NoiseGeometry.of(w, 2, 2).noiseGradient(su, scc, [9, -7, 3, 5], 1);
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
  });
});
