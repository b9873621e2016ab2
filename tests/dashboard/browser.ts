import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { selectBackend } from '../../src/model/backend.js';
import { MetricModules } from '../../src/operators/metrics/metric-modules.js';
import { launchChromium } from '../../src/reproduce/headless-chromium.js';
import { startServer, type PhasewatchServer } from '../../src/server/server.js';
import { RunManager } from '../../src/streams/run-manager.js';
import { Store } from '../../src/store/store.js';

/** Debian's Chromium (as .ci/run installs it), headless with the flags this machine needs. */
export { launchChromium };

/** Builds the dashboard from the current sources into `outDir` (the tests never use a stale build). */
export async function buildDashboard(outDir: string): Promise<void> {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

/** The five fixed charts of the run view (plug-in charts follow them when a run records plug-in series). */
export const CHARTS = ['chart-cosines', 'chart-head', 'chart-norms', 'chart-loss', 'chart-subshare'];

export interface DashboardSession {
  readonly store: Store;
  readonly manager: RunManager;
  readonly server: PhasewatchServer;
  readonly browser: Browser;
  readonly page: Page;
}

export interface SessionOptions {
  /** Metric plug-in modules the server's RunManager loads (as `serve --metrics` does); none by default. */
  readonly metricFiles?: readonly string[];
}

/**
 * For one test file: a freshly built dashboard served by a real server on port 0 over a real
 * SQLite file in a temp dir (runs on wasm), and a page in headless Chromium; everything is
 * closed and removed after the file's tests. Call at module level; the getter works in tests
 * and in later `beforeAll` hooks.
 */
export function useDashboardSession(name: string, viewport: { width: number; height: number }, options: SessionOptions = {}): () => DashboardSession {
  const dir = mkdtempSync(join(tmpdir(), `pw-${name}-`));
  let session: DashboardSession | undefined;
  beforeAll(async () => {
    await buildDashboard(join(dir, 'dashboard'));
    await selectBackend('wasm');
    const store = Store.open(join(dir, `${name}.db`));
    const modules = options.metricFiles?.length ? await MetricModules.load(options.metricFiles) : undefined;
    const manager = new RunManager(store, 'wasm', modules ? { modules } : {});
    const server = await startServer({ store, manager, port: 0, dashboardDir: join(dir, 'dashboard') });
    const browser = await launchChromium();
    session = { store, manager, server, browser, page: await browser.newPage({ viewport }) };
  }, 120_000);
  afterAll(async () => {
    await session?.browser.close();
    await session?.manager.close();
    await session?.server.close();
    session?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!session) throw new Error('the dashboard session starts in beforeAll');
    return session;
  };
}

/** Polls `test` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(test: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
