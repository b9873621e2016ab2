/**
 * `npm run bench -- viewers`: what 100 live viewers cost a training run, and how fast records
 * reach them. Training steps/s is measured with no viewers, with 100, and with none again (the
 * two baselines are averaged, so drift hits both sides); latency is from the moment a metric
 * record is made to its arrival at a viewer (p50, p99 over every record at every viewer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveConfig } from '../src/config/load.js';
import { selectBackend } from '../src/model/backend.js';
import { startServer } from '../src/server/server.js';
import { RunManager } from '../src/streams/run-manager.js';
import { Store } from '../src/store/store.js';

export interface ViewersResult {
  readonly viewers: number;
  readonly baselineStepsPerSecond: number;
  readonly withViewersStepsPerSecond: number;
  readonly ratio: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly gaps: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchViewers(viewers = 100, windowMs = 8000): Promise<ViewersResult> {
  const backend = await selectBackend();
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-viewers-'));
  const store = Store.open(join(dir, 'bench.db'));
  const manager = new RunManager(store, backend.name);
  const server = await startServer({ store, manager, port: 0 });
  const { config } = resolveConfig({ overrides: { steps: 10_000_000 } });
  const live = manager.start(config, { preset: 'default' });
  const made = new Map<number, number>();
  live.run.metrics$.subscribe((record) => made.set(record.step, performance.timeOrigin + performance.now()));

  const rate = async () => {
    const s0 = live.run.state.step;
    const t0 = performance.now();
    await sleep(windowMs);
    return ((live.run.state.step - s0) * 1000) / (performance.now() - t0);
  };
  await sleep(1000); // warm-up
  const before = await rate();
  const worker = new Worker(new URL('./viewer-worker.js', import.meta.url), { workerData: { url: `${server.url.replace('http', 'ws')}ws`, runId: live.id, count: viewers } });
  await new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => m.type === 'ready' && resolve()));
  worker.postMessage({ type: 'reset' });
  const withViewers = await rate();
  const report = await new Promise<{ arrivals: Float64Array; gaps: number }>((resolve) => {
    worker.on('message', (m: { type: string; arrivals: Float64Array; gaps: number }) => m.type === 'report' && resolve(m));
    worker.postMessage({ type: 'report' });
  });
  await worker.terminate();
  await sleep(500);
  const after = await rate();

  const latencies: number[] = [];
  for (let i = 0; i < report.arrivals.length; i += 2) {
    const t = made.get(report.arrivals[i]);
    if (t !== undefined) latencies.push(report.arrivals[i + 1] - t);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  await live.run.command('stop');
  await manager.close();
  await server.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  const baseline = (before + after) / 2;
  return { viewers, baselineStepsPerSecond: baseline, withViewersStepsPerSecond: withViewers, ratio: withViewers / baseline, latencyP50Ms: pct(0.5), latencyP99Ms: pct(0.99), gaps: report.gaps };
}
