/**
 * `concurrency`: what two runs at once get out of two cores. Runs train in worker threads (as
 * `phasewatch serve` trains them); the rate of one run alone is set against the total rate of
 * two at once, both measured over steady training (from each run's first record, so thread and
 * backend start-up do not count). Target: two runs ≥ 1.6 × one alone. The same in the server's
 * thread (no workers) is shown for reference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../src/cli/table.js';
import { resolveConfig } from '../src/config/load.js';
import { selectBackend } from '../src/model/backend.js';
import { Store } from '../src/store/store.js';
import { RunManager } from '../src/streams/run-manager.js';

/** Steps per second of `count` runs training at once, summed, over the window where all of them train. */
async function rate(threads: boolean, count: number, steps: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-concurrency-'));
  const store = Store.open(join(dir, 'bench.db'));
  const manager = new RunManager(store, 'wasm', { threads });
  try {
    const config = resolveConfig({ overrides: { steps } }).config;
    const marks = Array.from({ length: count }, () => [] as { time: number; step: number }[]);
    const runs = marks.map((m, i) => {
      const live = manager.start({ ...config, seed: i }, { preset: 'default' });
      live.run.metrics$.subscribe((r) => m.push({ time: performance.now(), step: r.step }));
      return live;
    });
    await Promise.all(runs.map((r) => r.outcome));
    // The window where every run is training: from the last first record to the first last record.
    const from = Math.max(...marks.map((m) => m[0].time));
    const to = Math.min(...marks.map((m) => m[m.length - 1].time));
    const stepAt = (m: { time: number; step: number }[], t: number) => m.filter((x) => x.time <= t).at(-1)?.step ?? 0;
    const total = marks.reduce((sum, m) => sum + stepAt(m, to) - stepAt(m, from), 0);
    return (total * 1000) / (to - from);
  } finally {
    await manager.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchConcurrency(log: (s: string) => void, steps = 4000): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  // Worker threads pick their backend themselves; runs in this thread use this thread's.
  await selectBackend('wasm');
  for (const threads of [true, false]) {
    const mode = threads ? 'worker threads' : 'server thread';
    log(`concurrency: ${mode}, one run of ${steps} steps…`);
    const one = await rate(threads, 1, steps);
    log(`concurrency: ${mode}, two runs at once…`);
    const two = await rate(threads, 2, steps);
    figures[`${threads ? 'threads' : 'inline'}/one`] = one;
    figures[`${threads ? 'threads' : 'inline'}/two`] = two;
    figures[`${threads ? 'threads' : 'inline'}/ratio`] = two / one;
  }
  process.stdout.write(
    `\nConcurrent runs (default preset, wasm, steady rates, ${steps} steps each):\n` +
      formatTable(
        (['threads', 'inline'] as const).map((k) => ({
          'runs train in': k === 'threads' ? 'worker threads (serve’s default)' : 'the server thread',
          'one run, steps/s': figures[`${k}/one`].toFixed(0),
          'two runs, total steps/s': figures[`${k}/two`].toFixed(0),
          'two / one': figures[`${k}/ratio`].toFixed(2),
        })),
      ) +
      '\ntarget: two runs ≥ 1.6 × one run alone, with worker threads on two cores\n',
  );
  return figures;
}
