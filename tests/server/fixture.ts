import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { resolveConfig, type ResolvedConfig } from '../../src/config/load.js';
import type { MetricModules } from '../../src/operators/metrics/metric-modules.js';
import type { AccessTokens } from '../../src/server/access.js';
import type { HubOptions } from '../../src/server/hub.js';
import { startServer, type PhasewatchServer } from '../../src/server/server.js';
import { RunManager, type LiveRun } from '../../src/streams/run-manager.js';
import { Store } from '../../src/store/store.js';
import { TestClient, type ClientOptions } from './client.js';

/** Small, fast settings: 16-dim patches, batch 128, a metric record every step, effectively endless. */
export const SMALL_SETS = ['data.batchSize=128', 'data.d=16', 'log.metricsEvery=1', 'steps=100000'];

export function smallConfig(extra: readonly string[] = []): ResolvedConfig {
  return resolveConfig({ sets: [...SMALL_SETS, ...extra] });
}

export interface ServerFixture {
  readonly dir: string;
  readonly store: Store;
  readonly manager: RunManager;
  readonly server: PhasewatchServer;
  /** Connects a client that is closed after the test. */
  connect(options?: ClientOptions): Promise<TestClient>;
  /** Starts a run with the given resolved config. */
  start(resolved?: ResolvedConfig): LiveRun;
}

export interface FixtureOptions {
  readonly tokens?: AccessTokens;
  readonly hub?: Partial<HubOptions>;
  readonly dashboardDir?: string;
  /** Train runs in worker threads, as `serve` does on two cores. */
  readonly threads?: boolean;
  /** The metric plug-in modules runs may use (`serve --metrics`). */
  readonly modules?: MetricModules;
}

/**
 * A real server on port 0 over a real SQLite file in a fresh temp dir, with a RunManager;
 * everything (clients, runs, server, store, dir) is closed after each test.
 */
export function useServer(): (options?: FixtureOptions) => Promise<ServerFixture> {
  const open: { clients: TestClient[]; manager?: RunManager; server?: PhasewatchServer; store?: Store; dir: string }[] = [];
  afterEach(async () => {
    for (const entry of open.splice(0)) {
      await Promise.all(entry.clients.map((c) => c.close()));
      await entry.manager?.close();
      await entry.server?.close();
      entry.store?.close();
      fs.rmSync(entry.dir, { recursive: true, force: true });
    }
  });
  return async (options = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-server-'));
    const entry: (typeof open)[number] = { clients: [], dir };
    open.push(entry);
    const store = (entry.store = Store.open(path.join(dir, 'runs.db')));
    const manager = (entry.manager = new RunManager(store, 'wasm', { threads: options.threads, modules: options.modules }));
    const server = (entry.server = await startServer({
      store,
      manager,
      port: 0,
      tokens: options.tokens,
      hub: options.hub,
      dashboardDir: options.dashboardDir ?? path.join(dir, 'no-dashboard'),
    }));
    return {
      dir,
      store,
      manager,
      server,
      async connect(clientOptions) {
        const client = await TestClient.connect(server.url, clientOptions);
        entry.clients.push(client);
        return client;
      },
      start(resolved = smallConfig()) {
        return manager.start(resolved.config, { preset: resolved.preset });
      },
    };
  };
}

/** Waits until a live run has passed `step`. */
export async function untilStep(live: LiveRun, step: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (live.run.state.step < step) {
    if (Date.now() > deadline) throw new Error(`run ${live.id} did not reach step ${step} within ${timeoutMs} ms (at ${live.run.state.step})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every stored row of a run keyed by step: series name → value (null for no/non-finite value). */
export function storedRows(store: Store, runId: number): Map<number, Map<string, number | null>> {
  const names = store.seriesNames(runId);
  const rows = new Map<number, Map<string, number | null>>();
  for (const row of store.readPoints(runId)) rows.set(row.step, new Map(names.map((n, i) => [n, row.values[i]])));
  return rows;
}
