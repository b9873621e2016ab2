/**
 * `npm run bench`: speed figures for the closing notes, as ratios measured in one run.
 *
 * - ms/step of the default preset on every backend that loads here, for both noise modes;
 * - the RxJS pipeline (Run, pull-based ticks, yielding to the event loop) against a bare loop
 *   calling the same model functions, interleaved A/B so machine noise hits both alike;
 * - the projection to 30,000 steps, against the 60 s target.
 *
 * Options: --steps N (per measurement, default 1500), --rounds N (A/B rounds, default 5),
 * --json FILE (also write the figures as JSON).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/config/load.js';
import type { RunConfig } from '../src/config/schema.js';
import { BACKENDS, selectBackend } from '../src/model/backend.js';
import { samplePatchBatch } from '../src/model/data.js';
import { PatchModel, disposeStep } from '../src/model/patch-model.js';
import { TrainState } from '../src/model/train-state.js';
import { tf } from '../src/model/tf.js';
import { applyViews, sampleViewMask } from '../src/model/views.js';
import { computeCoreMetrics } from '../src/operators/metrics/core-metrics.js';
import { builtinMetrics } from '../src/operators/metrics/builtins/builtin-metrics.js';
import { MetricPluginHost } from '../src/operators/metrics/metric-plugin-host.js';
import { PhaseDetector } from '../src/operators/phases/phase-detector.js';
import { Run } from '../src/streams/run.js';
import { formatTable } from '../src/cli/table.js';
import { benchViewers } from './viewers.js';
import { decimateMinMax } from '../src/server/decimate.js';
import { benchChangePoints } from './change-points.js';
import { benchConcurrency } from './concurrency.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { steps: { type: 'string', default: '1500' }, rounds: { type: 'string', default: '5' }, viewers: { type: 'string', default: '100' }, json: { type: 'string' } },
});
/** Which groups to run: `speed`, `viewers`, `decimate`, `change-points`, `concurrency` (default: all). */
const groups = new Set(positionals.length ? positionals : ['speed', 'viewers', 'decimate', 'change-points', 'concurrency']);
const steps = Number(args.steps);
const rounds = Number(args.rounds);
const log = (text: string) => process.stderr.write(`${text}\n`);

function config(noise: 'projected' | 'explicit', total: number): RunConfig {
  return resolveConfig({ overrides: { steps: total, data: { noise } } }).config;
}

/**
 * The training step without RxJS: the same functions the operators call, in a plain loop — the
 * core metrics, the built-in metric plug-ins and the detectors included, so that the ratio
 * measures the pipeline and not the work it does.
 */
function bareLoop(cfg: RunConfig): number {
  const model = new PatchModel(cfg);
  const state = TrainState.create(cfg);
  const host = new MetricPluginHost(builtinMetrics(cfg), cfg, { metricsEvery: cfg.log.metricsEvery, budgetMs: cfg.metrics.budgetMs });
  const detector = PhaseDetector.fromConfig(cfg);
  const started = performance.now();
  for (let t = 0; t < cfg.steps; t++) {
    const batch = samplePatchBatch(cfg, t);
    const views = applyViews(cfg, batch, sampleViewMask(cfg, t));
    const out = model.forwardBackward(state, views);
    state.optimizer.applyGradients(out.gradE ? { W: out.gradW, E: out.gradE } : { W: out.gradW });
    state.step = t + 1;
    if (state.step % cfg.log.metricsEvery === 0) {
      const core = computeCoreMetrics(model, state, out);
      const { values } = host.measure(model, { step: t, config: cfg, batch, views, state, tensors: out }, core);
      detector.observe({ step: state.step, values: { ...core, ...values } });
    }
    disposeStep(out);
  }
  const ms = performance.now() - started;
  state.dispose();
  model.dispose();
  return ms / cfg.steps;
}

/** The same steps through the Run: pull-based ticks, the operator pipeline, event-loop yields. */
async function pipelineRun(cfg: RunConfig): Promise<number> {
  const run = new Run(cfg);
  const started = performance.now();
  await run.start();
  const ms = performance.now() - started;
  run.dispose();
  return ms / cfg.steps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results: Record<string, unknown> = { steps, rounds, node: process.version, tfjs: tf.version.tfjs };

if (groups.has('speed')) {
  const speedRows: Record<string, string | number>[] = [];
  for (const backend of BACKENDS) {
    try {
      await selectBackend(backend);
    } catch {
      log(`${backend}: not available here, skipped`);
      continue;
    }
    for (const noise of ['projected', 'explicit'] as const) {
      // Explicit noise materialises N·P·d values per step: measure fewer steps on slow backends.
      const n = noise === 'explicit' || backend === 'cpu' ? Math.max(50, Math.round(steps / 10)) : steps;
      bareLoop(config(noise, Math.min(100, n))); // warm-up: JIT and kernel caches
      const ms = bareLoop(config(noise, n));
      log(`${backend} ${noise}: ${ms.toFixed(3)} ms/step over ${n} steps`);
      speedRows.push({ backend, noise, steps: n, 'ms/step': Number(ms.toFixed(3)), '30k steps (s)': Number(((ms * 30_000) / 1000).toFixed(1)) });
    }
  }
  results.speed = speedRows;

  // The paper's experiment, m = 64 with a 64×64 head: the m×m products over every noise slot dominate.
  const paper = await selectBackend();
  const paperConfig = (n: number) => resolveConfig({ preset: 'paper-64', overrides: { steps: n } }).config;
  bareLoop(paperConfig(5));
  const paperMs = bareLoop(paperConfig(Math.max(20, Math.round(steps / 50))));
  const paperRow = { preset: 'paper-64 (m = 64, batch 1024)', backend: paper.name, 'ms/step': Number(paperMs.toFixed(1)), '12k steps (min)': Number(((paperMs * 12_000) / 60_000).toFixed(1)) };
  results.paper64 = paperRow;

  // Pipeline overhead on the default backend: interleaved rounds, median of each.
  const main = await selectBackend();
  const cfg = config('projected', steps);
  bareLoop(config('projected', 200));
  await pipelineRun(config('projected', 200));
  const bare: number[] = [];
  const piped: number[] = [];
  for (let r = 0; r < rounds; r++) {
    bare.push(bareLoop(cfg));
    piped.push(await pipelineRun(cfg));
    log(`round ${r + 1}/${rounds}: bare ${bare.at(-1)!.toFixed(3)} ms/step, pipeline ${piped.at(-1)!.toFixed(3)} ms/step`);
  }
  const overhead = median(piped) / median(bare);
  results.pipeline = { backend: main.name, bareMsPerStep: median(bare), pipelineMsPerStep: median(piped), ratio: overhead };

  process.stdout.write(`\nms/step, default preset (d 64, P 16, N 1024, m 2), metrics every 10 steps:\n${formatTable(speedRows)}`);
  process.stdout.write(`\nThe paper's experiment (Adam, metrics every 20):\n${formatTable([paperRow])}`);
  process.stdout.write(
    `\nRxJS pipeline vs bare loop (${main.name}, projected, ${steps} steps × ${rounds} interleaved rounds, medians):\n` +
      formatTable([
        { measure: 'bare loop ms/step', value: median(bare).toFixed(3) },
        { measure: 'pipeline ms/step', value: median(piped).toFixed(3) },
        { measure: 'pipeline / bare', value: overhead.toFixed(3) },
        { measure: 'default preset, 30k steps via pipeline (s)', value: ((median(piped) * 30_000) / 1000).toFixed(1) },
      ]) +
      `targets: ≤ 2 ms/step (30k steps ≤ 60 s) with projected noise; pipeline overhead ≤ 5% (ratio ≤ 1.05)\n`,
  );
}

if (groups.has('viewers')) {
  const viewers = Number(args.viewers);
  log(`viewers: ${viewers} WebSocket viewers on a default run (about 30 s)…`);
  const v = await benchViewers(viewers);
  results.viewers = v;
  process.stdout.write(
    `\nLive viewers (${viewers}, in another thread; default preset training in the server's thread):\n` +
      formatTable([
        { measure: 'steps/s, no viewers (mean of before and after)', value: v.baselineStepsPerSecond.toFixed(0) },
        { measure: `steps/s, ${viewers} viewers`, value: v.withViewersStepsPerSecond.toFixed(0) },
        { measure: 'ratio (target ≥ 0.90)', value: v.ratio.toFixed(3) },
        { measure: 'latency record → viewer p50 (ms)', value: v.latencyP50Ms.toFixed(1) },
        { measure: 'latency record → viewer p99 (ms, target ≤ 100)', value: v.latencyP99Ms.toFixed(1) },
        { measure: 'sequence gaps seen by viewers', value: String(v.gaps) },
      ]),
  );
}

if (groups.has('decimate')) {
  // A million recorded steps of the 25 core series (m = 2): what a snapshot for a late viewer costs.
  const rows = 1_000_000;
  const columns = Array.from({ length: 26 }, (_, c) => {
    const column = new Array<number>(rows);
    let x = 0;
    for (let i = 0; i < rows; i++) column[i] = c === 0 ? (i + 1) * 10 : (x += Math.sin(i * 0.001 * c) + (((i * 2654435761) >>> 0) / 2 ** 32 - 0.5));
    return column;
  });
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    decimateMinMax(columns, 2000);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  results.decimate = { rows, series: 25, maxPoints: 2000, ms };
  process.stdout.write(`\nSnapshot decimation: 1,000,000 steps × 25 series → 2,000 points (min/max): ${ms.toFixed(0)} ms (median of 5)\n`);
}

if (groups.has('change-points')) {
  results.changePoints = await benchChangePoints(log);
}

if (groups.has('concurrency')) {
  results.concurrency = await benchConcurrency(log);
}

if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
