import { firstValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { selectBackend } from '../../src/model/backend.js';
import type { MetricRecord } from '../../src/operators/frames.js';
import { Run, type CheckpointEvent } from '../../src/streams/run.js';

/** The default preset for 1,500 steps: phase II begins (≈ 600–700 steps) and the loss drops with it. */
function config(checkpointEvery: number): RunConfig {
  return resolveConfig({ overrides: { steps: 1500, log: { metricsEvery: 10, checkpointEvery }, phases: { changePoints: { warmup: 20 } } } }).config;
}

async function collect(run: Run): Promise<{ records: MetricRecord[]; checkpoints: CheckpointEvent[] }> {
  const records = firstValueFrom(run.metrics$.pipe(toArray()));
  const checkpoints = firstValueFrom(run.checkpoints$.pipe(toArray()));
  await run.start();
  run.dispose();
  return { records: await records, checkpoints: await checkpoints };
}

describe('phase detection inside a run', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('raises phase I then II on the default preset, and a change point on the loss near T1', async () => {
    const { records } = await collect(new Run(config(500)));
    const events = records.flatMap((r) => r.events ?? []);
    const phases = events.filter((e) => e.kind === 'phase');
    expect(phases.map((e) => e.label)).toEqual(['I', 'II']);
    // T1 by the SPEC §3 rule, read independently off the records: first step with some |c[j][1]| ≥ 0.7.
    const t1 = records.find((r) => Math.abs(r.values.cos_1_1) >= 0.7 || Math.abs(r.values.cos_2_1) >= 0.7)!.step;
    expect(phases[1].step).toBe(t1);
    expect(phases[1].detectedAt).toBe(t1);
    // Events ride on the record that raised them.
    for (const r of records) for (const e of r.events ?? []) expect(e.detectedAt).toBe(r.step);
    // The loss falls from ≈ 2 to its plateau ≈ 1.35 around T1: a change point lies within 200 steps of it.
    const drops = events.filter((e) => e.kind === 'change-point' && e.series === 'loss' && e.label === 'down');
    expect(drops.some((e) => Math.abs(e.step - t1) <= 200)).toBe(true);
  });

  for (const every of [333, 500]) {
    it(`resumed from any periodic checkpoint (every ${every} steps), detects exactly as the uninterrupted run`, async () => {
      const whole = await collect(new Run(config(every)));
      const periodic = whole.checkpoints.filter((c) => c.reason === 'periodic');
      expect(periodic.map((c) => c.step)).toEqual(every === 333 ? [333, 666, 999, 1332] : [500, 1000]);
      for (const checkpoint of periodic) {
        const resumed = await collect(new Run(config(every), { snapshot: checkpoint.snapshot, memory: JSON.parse(JSON.stringify(checkpoint.memory)) }));
        const expected = whole.records.filter((r) => r.step > checkpoint.step);
        expect(resumed.records.map((r) => r.events ?? [])).toEqual(expected.map((r) => r.events ?? []));
        expect(resumed.records.map((r) => r.values)).toEqual(expected.map((r) => r.values));
      }
      expect(whole.records.some((r) => r.events?.some((e) => e.kind === 'change-point'))).toBe(true);
    });
  }
});
