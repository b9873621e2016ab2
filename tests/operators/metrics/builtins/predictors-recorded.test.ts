import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseTrajectory, type PhaseMarks } from '../../../../src/analysis/trajectory.js';
import { resolveConfig } from '../../../../src/config/load.js';
import { selectBackend } from '../../../../src/model/backend.js';
import { MetricModules, withMetricFiles } from '../../../../src/operators/metrics/metric-modules.js';
import { Run } from '../../../../src/streams/run.js';
import { trainRecorded } from '../../../../src/streams/run-recorder.js';
import { Store } from '../../../../src/store/store.js';

/**
 * The closed-form predictors on a recorded run of the default preset (seed 0), read back from
 * the SQLite file and set against the phases read offline from the same trajectory (SPEC §3
 * thresholds, not the live detector): E* is large while the learned head still sits at the
 * identity, and both E and E* end at I in phase IV (SPEC §6). A change-point detector watches
 * the example plug-in's series and finds the head's return.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-predictors-'));
let store: Store;
let runId: number;
let marks: PhaseMarks;
const series = (name: string) => store.readSeries(runId, name);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** |values| of a series over the steps in [from, to). */
function absBetween(name: string, from: number, to: number): number[] {
  const { steps, values } = series(name);
  return steps.flatMap((s, i) => (s >= from && s < to && values[i] !== null ? [Math.abs(values[i]!)] : []));
}

beforeAll(async () => {
  await selectBackend('wasm');
  const example = path.resolve('examples/head-asymmetry.ts');
  const { config: base } = resolveConfig({ sets: ['steps=7000', 'phases.changePoints.series=[loss,headAsym.asym]'] });
  const config = withMetricFiles(base, [example]);
  store = Store.open(path.join(dir, 'runs.db'));
  runId = store.createRun({ name: 'default', preset: 'default', config, seed: 0, backend: 'wasm', targetSteps: config.steps }).id;
  const run = new Run(config, { plugins: (await MetricModules.load([example])).pluginsFor(config) });
  expect((await trainRecorded(run, store, runId)).status).toBe('completed');
  run.dispose();
  const names = ['cos_1_1', 'cos_1_2', 'cos_2_1', 'cos_2_2', 'E_1_2', 'E_2_1', 'E_dist_I'];
  const read = names.map((n) => series(n));
  marks = analyseTrajectory({ steps: read[0].steps, series: Object.fromEntries(names.map((n, i) => [n, read[i].values])) }, 2);
}, 180_000);

afterAll(() => {
  store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('closed-form predictors on a recorded default run', () => {
  it('completes all four phases (the ground truth the claims are read against)', () => {
    expect(marks.T1).not.toBeNull();
    expect(marks.T4).not.toBeNull();
    expect(marks.headPeak!.step).toBeGreaterThan(marks.T1!);
  });

  it('E* is large early, while the learned head lags at the identity', () => {
    const entry = (prefix: string) => `${prefix}${marks.other}_${marks.learner}`;
    // Phase I: E* already predicts neuron k from neuron j*; E has not moved.
    expect(Math.max(...absBetween(entry('predictors.Estar_'), 0, marks.T1!))).toBeGreaterThan(0.5);
    expect(Math.max(...absBetween(entry('E_'), 0, marks.T1!))).toBeLessThan(0.01);
    // Phase II, up to E's peak: E* stays well above E.
    const estar = median(absBetween(entry('predictors.Estar_'), marks.T1!, marks.headPeak!.step));
    const learned = median(absBetween(entry('E_'), marks.T1!, marks.headPeak!.step));
    expect(estar).toBeGreaterThan(2 * learned);
  });

  it('E and E* (and W_DP) are at the identity in phase IV', () => {
    const from = marks.T4!;
    expect(median(absBetween('E_dist_I', from, Infinity))).toBeLessThan(0.01);
    expect(median(absBetween('predictors.dist_Estar', from, Infinity))).toBeLessThan(0.05);
    expect(median(absBetween('predictors.dist_WDP', from, Infinity))).toBeLessThan(0.05);
    expect(median(absBetween(`predictors.Estar_${marks.other}_${marks.learner}`, from, Infinity))).toBeLessThan(0.02);
    // ‖E − E*‖ fell by an order of magnitude from phase II.
    expect(median(absBetween('predictors.dist_Estar', marks.T1!, marks.headPeak!.step))).toBeGreaterThan(10 * median(absBetween('predictors.dist_Estar', from, Infinity)));
  });

  it('a change-point detector on the plug-in’s series finds the head’s return', () => {
    const events = store.readEvents(runId).filter((e) => e.kind === 'change-point' && e.series === 'headAsym.asym');
    // asym = √2 |E12 − E21| falls as E_kj* decays: between its peak and T4.
    const returning = events.filter((e) => e.label === 'down' && e.step >= marks.headPeak!.step && e.step <= marks.T4!);
    expect(returning.length, JSON.stringify(events.map((e) => [e.step, e.label, e.detector]))).toBeGreaterThan(0);
  });
});
