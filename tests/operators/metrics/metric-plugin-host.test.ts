import path from 'node:path';
import { delay, map } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.js';
import { selectBackend } from '../../../src/model/backend.js';
import { tf } from '../../../src/model/tf.js';
import { builtinMetrics } from '../../../src/operators/metrics/builtins/builtin-metrics.js';
import { defineMetric, metricOperator, type MetricPlugin } from '../../../src/operators/metrics/define-metric.js';
import { loadMetricModule } from '../../../src/operators/metrics/load-metric-module.js';
import type { MetricRecord } from '../../../src/operators/frames.js';
import type { PhaseEvent } from '../../../src/operators/phases/phase-event.js';
import { Run } from '../../../src/streams/run.js';

/**
 * A run with faulty plug-ins beside good ones: each fault is reported once, by name, the faulty
 * plug-in stops, and every other series is bit-for-bit what a run without the faulty ones records.
 */
const { config } = resolveConfig({ overrides: { steps: 120, data: { d: 16, batchSize: 128 }, log: { metricsEvery: 5 }, metrics: { budgetMs: 10 } } });

const busyWait = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

const faulty: MetricPlugin[] = [
  defineMetric({
    name: 'thrower',
    compute: ({ step }) => {
      if (step >= 20) throw new RangeError('no value past step 20');
      return step;
    },
  }),
  defineMetric({ name: 'nanny', compute: ({ step }) => ({ fine: 1, bad: step >= 30 ? Number.NaN : 0 }) }),
  defineMetric({ name: 'shapeless', compute: () => ({ M: [[1, 2], [3]] }) }),
  defineMetric({ name: 'disposer', compute: ({ W, E }) => (W.dispose(), E.dispose(), 0) }),
  defineMetric({ name: 'slowpoke', compute: () => (busyWait(25), 1) }),
  metricOperator('opThrower', (frames) =>
    frames.pipe(
      map(({ step }) => {
        if (step >= 40) throw new Error('operator gave up');
        return { step, values: { x: step } };
      }),
    ),
  ),
  metricOperator('latecomer', (frames) => frames.pipe(map(({ step }) => ({ step, values: { x: 1 } })), delay(0))),
];

async function collect(plugins: readonly MetricPlugin[]) {
  const run = new Run(config, { plugins });
  const records: MetricRecord[] = [];
  run.metrics$.subscribe((r) => records.push(r));
  const outcome = await run.start();
  run.dispose();
  const events: PhaseEvent[] = records.flatMap((r) => r.events ?? []);
  return { outcome, records, plugins: events.filter((e) => e.kind === 'plugin') };
}

let good: MetricPlugin[];

beforeAll(async () => {
  await selectBackend('wasm');
  good = [...builtinMetrics(config), ...(await loadMetricModule(path.resolve('examples/head-asymmetry.ts')))];
});

describe('plug-in isolation', () => {
  it('reports each faulty plug-in once and switches it off; the run and the other metrics go on unchanged; no tensor is left', async () => {
    const before = tf.memory().numTensors;
    const clean = await collect(good);
    const afterClean = tf.memory().numTensors;
    expect(afterClean).toBe(before);

    const mixed = await collect([...good, ...faulty]);
    expect(mixed.outcome).toEqual({ status: 'completed', step: 120 });
    expect(tf.memory().numTensors).toBe(before);

    // Every series of the clean run, bit for bit, at every step.
    expect(mixed.records.length).toBe(clean.records.length);
    mixed.records.forEach((record, i) => {
      for (const [key, value] of Object.entries(clean.records[i].values)) expect(Object.is(record.values[key], value), `${key} at step ${record.step}`).toBe(true);
    });
    expect(Object.keys(clean.records.at(-1)!.values)).toEqual(expect.arrayContaining(['predictors.dist_Estar', 'rank.online', 'grads.W', 'headAsym.asym']));

    const reports = (name: string) => mixed.plugins.filter((e) => e.series === name);
    const expected: [string, string, number, RegExp][] = [
      ['thrower', 'error', 20, /"thrower" at step 20: threw RangeError: no value past step 20; switched off/],
      ['nanny', 'bad-value', 30, /"nanny" at step 30: returned a bad value: nanny\.bad is NaN/],
      ['shapeless', 'bad-value', 5, /shapeless\.M is not a matrix/],
      ['opThrower', 'error', 40, /metric operator "opThrower" at step 40: threw Error: operator gave up/],
      ['latecomer', 'late', 5, /emitted outside a frame push/],
    ];
    for (const [name, label, step, message] of expected) {
      expect(reports(name), name).toHaveLength(1);
      expect(reports(name)[0]).toMatchObject({ label, step });
      expect(reports(name)[0].message).toMatch(message);
    }
    // A plug-in that disposes its views frees handles of its own, not the run's tensors.
    expect(reports('disposer')).toEqual([]);

    // Values up to the fault are kept, none after it.
    const steps = (key: string) => mixed.records.filter((r) => key in r.values).map((r) => r.step);
    expect(steps('thrower')).toEqual([5, 10, 15]);
    expect(steps('nanny.fine')).toEqual([5, 10, 15, 20, 25]);
    expect(steps('opThrower.x')).toEqual([5, 10, 15, 20, 25, 30, 35]);
    expect(steps('shapeless.M_1_1')).toEqual([]);

    // Over budget: reported once, then sampled half as often (every 10 steps after 5 calls at 5).
    expect(reports('slowpoke')).toHaveLength(1);
    expect(reports('slowpoke')[0]).toMatchObject({ label: 'slow', step: 25 });
    expect(reports('slowpoke')[0].message).toMatch(/now computed every 10 steps/);
    expect(steps('slowpoke').slice(0, 7)).toEqual([5, 10, 15, 20, 25, 30, 40]);
  });

  it('switches off a plug-in that keeps tensors, so the leak stops at the first call', async () => {
    const before = tf.memory().numTensors;
    const leaky = defineMetric({ name: 'leaky', compute: ({ E, tf: t }) => (t.keep(t.add(E, 1)), 1) });
    const { outcome, plugins } = await collect([leaky]);
    expect(outcome.status).toBe('completed');
    expect(plugins).toHaveLength(1);
    expect(plugins[0]).toMatchObject({ series: 'leaky', label: 'leak', step: 5 });
    expect(plugins[0].message).toMatch(/1 tensor\(s\) stayed alive/);
    // One tensor escaped before the plug-in was stopped; 24 calls would have kept 24.
    expect(tf.memory().numTensors - before).toBe(1);
  });
});
