import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { withMetricFiles } from '../../src/operators/metrics/metric-modules.js';
import { decimateMinMax } from '../../src/server/decimate.js';
import type { PhasewatchServer } from '../../src/server/server.js';
import type { LiveRun, RunManager } from '../../src/streams/run-manager.js';
import type { Store } from '../../src/store/store.js';
import { CHARTS, until, useDashboardSession } from './browser.js';

/**
 * Metric plug-ins on the dashboard, in headless Chromium against a real server whose RunManager
 * has loaded examples/head-asymmetry.ts (as `serve --metrics` does): a run recording it gets a
 * chart of its own that appears once its first value arrives, the closed-form predictors get
 * their distances chart, and the heat maps show the head's latest entries — checked against the
 * values in the database, not against the page's own reading, also when the page holds the
 * run's history decimated; for m > 4 one line says why there are no maps. A plug-in that throws
 * is announced by name in a notice. The start form offers the loaded modules, ticked, the run
 * it starts names those left ticked in its config, and the server's refusal of a module shows
 * in the form. A screenshot is kept in artifacts/plugins.png.
 */
const FILE = path.resolve('examples/head-asymmetry.ts');
/** Throws from step 100 on (switched off by the run, which goes on). */
const FAILING = path.resolve('tests/dashboard/fixtures/failing-metric.ts');
const session = useDashboardSession('plugins', { width: 1400, height: 1400 }, { metricFiles: [FILE, FAILING] });
/** Short runs: 40 records each. */
const SETS = ['steps=400', 'data.batchSize=256', 'log.metricsEvery=10'];
let store: Store;
let manager: RunManager;
let server: PhasewatchServer;
let page: Page;
const pageErrors: string[] = [];

const attr = async (testId: string, name: string) => Number((await page.getByTestId(testId).getAttribute(name)) ?? 0);
/** The last value the database holds for a series. */
const lastValue = (runId: number, name: string) => store.readSeries(runId, name).values.at(-1);

beforeAll(() => {
  ({ store, manager, server, page } = session());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

describe('metric plug-ins on the dashboard', () => {
  let live: LiveRun;

  it('charts a plug-in’s series once they arrive, the predictors’ distances, and E beside E*, W_DP and I', async () => {
    live = manager.start(withMetricFiles(resolveConfig({ sets: SETS }).config, [FILE, FAILING]), { preset: 'default', name: 'plug-ins' });
    // Held before its first record until the page watches, so the plug-in's series arrive live.
    await live.run.command('pause');
    expect(store.seriesNames(live.id).filter((n) => n.startsWith('headAsym.'))).toEqual([]);
    await page.goto(`${server.url}?run=${live.id}`);
    await page.getByTestId('chart-loss').waitFor();
    await until(async () => (await page.getByTestId('run-loading').count()) === 0, 'the run’s snapshot');
    expect(await page.getByTestId('chart-plugin-headAsym').count()).toBe(0);

    await live.run.command('resume');
    await page.getByTestId('chart-plugin-headAsym').waitFor();
    await live.outcome;
    const records = store.readSeries(live.id, 'headAsym.asym').steps.length;
    expect(records).toBeGreaterThan(20);
    for (const chart of ['chart-plugin-headAsym', 'chart-predictors', 'chart-plugin-rank', 'chart-plugin-grads', ...CHARTS]) {
      await until(async () => (await attr(chart, 'data-points')) >= records, `${chart} to hold every record`);
    }
    // Plug-in charts band the phases as every other chart does (this short run stays in phase I).
    for (const chart of ['chart-plugin-headAsym', 'chart-predictors']) await until(async () => (await attr(chart, 'data-bands')) >= 1, `${chart} to band phase I`);
    const heading = page.getByTestId('chart-plugin-headAsym').locator('h3');
    expect(await heading.textContent()).toBe('headAsym');
    expect(await page.getByTestId('chart-predictors').locator('h3').textContent()).toBe('Closed-form predictors');

    // The heat maps at the run's last record, cell by cell against the database.
    const lastStep = store.readSeries(live.id, 'E_1_2').steps.at(-1)!;
    await until(async () => (await attr('head-map-E', 'data-step')) === lastStep, 'the E map at the last record');
    const m = 2;
    for (let j = 1; j <= m; j++) {
      for (let r = 1; r <= m; r++) {
        const cell = (map: string) => page.getByTestId(map).locator(`td[data-row="${j}"][data-col="${r}"]`);
        const shown = async (map: string) => Number(await cell(map).getAttribute('data-value'));
        expect(await shown('head-map-E')).toBeCloseTo(lastValue(live.id, `E_${j}_${r}`)!, 12);
        expect(await shown('head-map-I')).toBe(j === r ? 1 : 0);
        if (j === r) {
          expect(await shown('head-map-Estar')).toBe(1);
          expect(await shown('head-map-WDP')).toBe(1);
        } else {
          expect(await shown('head-map-WDP')).toBeCloseTo(lastValue(live.id, `predictors.WDP_${j}_${r}`)!, 12);
          const estar = store.readSeries(live.id, `predictors.Estar_${j}_${r}`);
          if (estar.steps.at(-1) === (await attr('head-map-Estar', 'data-step'))) {
            expect(await shown('head-map-Estar')).toBeCloseTo(estar.values.at(-1)!, 12);
          }
        }
      }
    }
    expect(await page.getByTestId('head-maps').locator('td').count()).toBe(4 * m * m);

    // The failing plug-in: its chart holds what it recorded, and a notice names it.
    expect(store.readSeries(live.id, 'failing.constant').steps.at(-1)).toBe(90);
    await page.getByTestId('chart-plugin-failing').waitFor();
    const notice = page.getByTestId('notice').filter({ hasText: 'metric plug-in "failing"' });
    await notice.first().waitFor();
    expect(await notice.first().getAttribute('data-code')).toBe('PLUGIN');
    expect(await notice.first().getAttribute('data-level')).toBe('error');
    expect(await notice.first().textContent()).toContain(`Run ${live.id}: metric plug-in "failing" at step 100: threw RangeError: no value from step 100 on; switched off`);

    // The plug-in chart's log toggle goes into the URL with the others.
    await page.getByTestId('log-toggle-plugin-headAsym').check();
    await until(() => new URL(page.url()).searchParams.get('log') === 'loss,plugin:headAsym', 'the log toggle in the URL');
    await until(async () => (await page.getByTestId('chart-plugin-headAsym').getAttribute('log')) !== null, 'the plug-in chart on a log axis');
    expect(pageErrors).toEqual([]);
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/plugins.png', fullPage: true });
  }, 60_000);

  it('shows the exact latest entries of a run whose history the page holds decimated', async () => {
    // More records than a snapshot holds (2000): the page gets min/max buckets, whose last row is no step's own values.
    const long = manager.start(resolveConfig({ sets: ['steps=4000', 'data.batchSize=128', 'log.metricsEvery=1'] }).config, { preset: 'default', name: 'long' });
    await long.outcome;
    await page.goto(`${server.url}?run=${long.id}`);
    await until(async () => (await page.getByTestId('run-loading').count()) === 0, 'the long run’s snapshot');
    expect(await page.evaluate("document.querySelector('pw-app').shadowRoot.querySelector('pw-run-view').series.decimated")).toBe(true);
    const lastStep = store.readSeries(long.id, 'E_2_1').steps.at(-1)!;
    await until(async () => (await attr('head-map-E', 'data-step')) === lastStep, 'the E map at the last record');

    // E's entries drift smoothly; E* is estimated from each batch, so it is noisy and its last
    // bucket's extremes are not its last values: the snapshot's last row would show other numbers.
    const cells: [string, string, number, number][] = [
      ['head-map-E', 'E', 1, 2],
      ['head-map-E', 'E', 2, 1],
      ['head-map-Estar', 'predictors.Estar', 1, 2],
      ['head-map-Estar', 'predictors.Estar', 2, 1],
    ];
    const names = cells.map(([, prefix, j, r]) => `${prefix}_${j}_${r}`);
    const exact = names.map((name) => lastValue(long.id, name)!);
    // Every record, aligned by step (as the snapshot is made), decimated as the snapshot is.
    const all = store.seriesNames(long.id);
    const wanted = names.map((name) => all.indexOf(name));
    const table: (number | null)[][] = [[], ...names.map(() => [])];
    for (const row of store.readPoints(long.id)) {
      table[0].push(row.step);
      wanted.forEach((c, i) => table[i + 1].push(row.values[c]));
    }
    const bucketRow = decimateMinMax(table, 2000).data.map((column) => column.at(-1));
    expect(bucketRow[0]).toBe(lastStep);
    expect(names.filter((_, i) => bucketRow[i + 1] !== exact[i]).length).toBeGreaterThan(0);
    for (const [i, [map, , j, r]] of cells.entries()) {
      const shown = Number(await page.getByTestId(map).locator(`td[data-row="${j}"][data-col="${r}"]`).getAttribute('data-value'));
      expect(shown).toBeCloseTo(exact[i], 12);
    }
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('says in one line that E’s entries are not recorded for m > 4, and draws no map', async () => {
    const wide = manager.start(resolveConfig({ sets: ['steps=30', 'model.m=8', 'data.batchSize=128', 'log.metricsEvery=10'] }).config, { preset: 'default', name: 'wide' });
    await wide.outcome;
    await page.goto(`${server.url}?run=${wide.id}`);
    await page.getByTestId('head-maps-note').waitFor();
    expect(await page.getByTestId('head-maps-note').textContent()).toContain('only for m ≤ 4 (this run has m = 8)');
    expect(await page.getByTestId('head-map-E').count()).toBe(0);
    // The distances are recorded whatever m: the predictors chart is there.
    await until(async () => (await attr('chart-predictors', 'data-points')) >= 3, 'the predictors chart of the m = 8 run');
  }, 30_000);

  it('offers the loaded modules in the start form, ticked, and the run it starts records those left ticked', async () => {
    const box = page.getByTestId('start-plugin-head-asymmetry');
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);
    expect(await page.getByTestId('start-plugin-failing-metric').isChecked()).toBe(true);
    expect(await page.getByTestId('start-plugins').textContent()).toContain('headAsym');
    await page.getByTestId('start-plugin-failing-metric').uncheck();
    const runsBefore = store.listRuns().length;
    await page.getByTestId('start-overrides').fill(SETS.join('\n'));
    await page.getByTestId('btn-start').click();
    await until(() => store.listRuns().length === runsBefore + 1, 'a new run in the database');
    const created = store.listRuns().at(-1)!;
    const detail = (await (await fetch(`${server.url}api/runs/${created.id}`)).json()) as { config: { metrics: { plugins: string[] } } };
    expect(detail.config.metrics.plugins).toEqual([FILE]);
    // The page moved to the new run; its plug-in chart fills as it trains.
    await until(() => new URL(page.url()).searchParams.get('run') === String(created.id), 'the page to select the new run');
    await until(async () => (await page.getByTestId('chart-plugin-headAsym').count()) === 1 && (await attr('chart-plugin-headAsym', 'data-points')) >= 10, 'the new run’s plug-in chart to fill');

    // Unticked, the module is left out.
    await box.uncheck();
    await page.getByTestId('start-overrides').fill('steps=20\ndata.batchSize=128');
    await page.getByTestId('btn-start').click();
    await until(() => store.listRuns().length === runsBefore + 2, 'a third run in the database');
    const plain = store.listRuns().at(-1)!;
    const plainDetail = (await (await fetch(`${server.url}api/runs/${plain.id}`)).json()) as { config: { metrics: { plugins: string[] } } };
    expect(plainDetail.config.metrics.plugins).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('shows the server’s refusal of a plug-in it has not loaded in the form, and starts nothing', async () => {
    // The page is told of a module the server does not have (as after a restart without it).
    const ghost = { name: 'ghost', path: '/nowhere/ghost.ts', metrics: [{ name: 'ghostly', description: 'not loaded' }] };
    await page.route('**/api/plugins', (route) => route.fulfill({ json: { plugins: [ghost] } }));
    try {
      await page.reload();
      await page.getByTestId('start-plugin-ghost').waitFor();
      await until(() => page.getByTestId('btn-start').isEnabled(), 'the start form to be usable');
      const runsBefore = store.listRuns().length;
      await page.getByTestId('btn-start').click();
      await page.getByTestId('start-error').waitFor();
      expect(await page.getByTestId('start-error').textContent()).toContain('no loaded plug-in module is called ghost');
      expect(store.listRuns().length).toBe(runsBefore);
    } finally {
      await page.unroute('**/api/plugins');
    }
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
