import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { PhasewatchServer } from '../../src/server/server.js';
import type { LiveRun, RunManager } from '../../src/streams/run-manager.js';
import type { Store } from '../../src/store/store.js';
import { CHARTS, until, useDashboardSession } from './browser.js';

/**
 * The dashboard in real headless Chromium against a real server with a run training: the page
 * loads, the charts fill, pause/resume/step from the page change the server's step count, and a
 * reload restores the view from the URL. A screenshot is kept in artifacts/dashboard.png.
 */
const session = useDashboardSession('dashboard', { width: 1400, height: 1000 });
let store: Store;
let manager: RunManager;
let server: PhasewatchServer;
let page: Page;
let live: LiveRun;

const points = async (testId: string) => Number((await page.getByTestId(testId).getAttribute('data-points')) ?? 0);
const serverStep = () => live.run.state.step;

beforeAll(() => {
  ({ store, manager, server, page } = session());
  const { config } = resolveConfig({ sets: ['data.batchSize=256', 'steps=1000000', 'log.metricsEvery=10'] });
  live = manager.start(config, { preset: 'default' });
});

describe('dashboard in headless Chromium', () => {
  it('loads and fills every chart with the live run’s data', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?run=${live.id}`);
    await page.getByTestId(`run-item-${live.id}`).waitFor();
    for (const chart of CHARTS) await until(async () => (await points(chart)) > 20, `${chart} to fill`);
    // The charts keep growing while the run trains.
    const before = await points('chart-loss');
    await until(async () => (await points('chart-loss')) > before, 'new points on the loss chart');
    const shownStep = Number(await page.getByTestId('step-counter').getAttribute('data-step'));
    expect(shownStep).toBeGreaterThan(0);
    expect(shownStep).toBeLessThanOrEqual(serverStep());
    expect(errors).toEqual([]);
  }, 60_000);

  it('pauses, steps and resumes the server’s run from the page (buttons and keyboard)', async () => {
    await page.getByTestId('btn-pause').click();
    await until(() => live.run.control.state === 'paused', 'the server to pause');
    const paused = serverStep();
    await page.waitForTimeout(500);
    expect(serverStep()).toBe(paused);

    await page.getByTestId('input-step-n').fill('5');
    await page.getByTestId('btn-step').click();
    await until(() => serverStep() === paused + 5 && live.run.control.state === 'paused', 'exactly 5 more steps');
    await page.mouse.click(5, 5);
    await page.keyboard.press('.');
    await until(() => serverStep() === paused + 6, 'one more step from “.”');
    await page.waitForTimeout(300);
    expect(serverStep()).toBe(paused + 6);

    await page.getByTestId('btn-resume').click();
    await until(() => serverStep() > paused + 50, 'the run to train again');
    // Keyboard shortcuts act on the page, not on a focused button: wait until the page shows the
    // run as running, and move the focus off the buttons first.
    await until(() => page.getByTestId('btn-pause').isEnabled(), 'the page to show the run running');
    await page.mouse.click(5, 5);
    await page.keyboard.press('Space');
    await until(() => live.run.control.state === 'paused', 'space to pause');
    await until(() => page.getByTestId('btn-resume').isEnabled(), 'the page to show the run paused');
    await page.keyboard.press('Space');
    await until(() => live.run.control.state === 'running', 'space to resume');
  }, 60_000);

  it('restores the view from the URL after a reload', async () => {
    await page.goto(`${server.url}?run=${live.id}&log=norms,loss`);
    await until(async () => (await points('chart-loss')) > 20, 'the loss chart');
    const url = page.url();
    await page.reload();
    await until(async () => (await points('chart-loss')) > 20, 'the loss chart after reload');
    expect(page.url()).toBe(url);
    expect(await page.getByTestId(`run-item-${live.id}`).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('run-name').textContent()).toContain('default');
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/dashboard.png', fullPage: true });
  }, 60_000);

  it('starts a run from the form and refuses a bad setting with the server’s message', async () => {
    await page.getByTestId('start-preset').selectOption('head-none');
    await page.getByTestId('start-overrides').fill('optim.lrW=-1');
    await page.getByTestId('btn-start').click();
    await page.getByTestId('start-error').waitFor();
    expect(await page.getByTestId('start-error').textContent()).toContain('optim.lrW');
    const runsBefore = store.listRuns().length;
    await page.getByTestId('start-overrides').fill('steps=300\ndata.batchSize=128');
    await page.getByTestId('btn-start').click();
    await until(() => store.listRuns().length === runsBefore + 1, 'a new run in the database');
    const created = store.listRuns().at(-1)!;
    expect(created.preset).toBe('head-none');
    await page.getByTestId(`run-item-${created.id}`).waitFor();
  }, 60_000);
});
