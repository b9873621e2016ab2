import { resolveConfig } from '../src/config/load.js';
import { selectBackend } from '../src/model/backend.js';
import { samplePatchBatch } from '../src/model/data.js';
import { applyViews, sampleViewMask } from '../src/model/views.js';
import { PatchModel, disposeStep } from '../src/model/patch-model.js';
import { TrainState } from '../src/model/train-state.js';
import { computeCoreMetrics } from '../src/operators/metrics/core-metrics.js';
import { tf } from '../src/model/tf.js';

const preset = process.argv[2] ?? 'default';
const steps = Number(process.argv[3] ?? 2000);
const sets = process.argv.slice(4);
const b = await selectBackend(process.env.BACKEND);
console.log('backend', b.name);
const { config } = resolveConfig({ preset, sets });
const model = new PatchModel(config);
const state = TrainState.create(config);
let t0 = performance.now();
let tData = 0, tFB = 0, tOpt = 0, tMet = 0;
for (let t = 0; t < steps; t++) {
  const a = performance.now();
  const views = applyViews(config, samplePatchBatch(config, t), sampleViewMask(config, t));
  const b1 = performance.now();
  const st = model.forwardBackward(state, views);
  const c = performance.now();
  state.optimizer.applyGradients(st.gradE ? { W: st.gradW, E: st.gradE } : { W: st.gradW });
  if (config.model.weightNorm === 'unit') tf.tidy(() => state.W.assign(tf.div(state.W, tf.norm(state.W, 'euclidean', 0, true))));
  state.step = t + 1;
  const d = performance.now();
  if ((t + 1) % 500 === 0) {
    const v = computeCoreMetrics(model, state, st);
    const f = (x: number) => x.toFixed(3);
    console.log(t + 1, 'loss', f(v.loss), 'cos', f(v.cos_1_1), f(v.cos_1_2), f(v.cos_2_1), f(v.cos_2_2), 'E21', f(v.E_2_1 ?? NaN), 'E12', f(v.E_1_2 ?? NaN), 'wn', f(v.wnorm_1), f(v.wnorm_2), 'sub2', f(v.subshare_2), 'dist', f(v.E_dist_I));
  }
  disposeStep(st);
  tMet += performance.now() - d;
  tData += b1 - a; tFB += c - b1; tOpt += d - c;
}
const total = performance.now() - t0;
console.log(`ms/step ${(total / steps).toFixed(3)} data ${(tData / steps).toFixed(3)} fb ${(tFB / steps).toFixed(3)} opt ${(tOpt / steps).toFixed(3)} tensors ${tf.memory().numTensors}`);
