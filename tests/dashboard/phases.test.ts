import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { chartSpecs } from '../../src/dashboard/shared/chart-specs.js';
import type { PhasewatchServer } from '../../src/server/server.js';
import type { LiveRun, RunManager } from '../../src/streams/run-manager.js';
import { CHARTS, until, useDashboardSession } from './browser.js';

/**
 * The learning phases on the dashboard, in headless Chromium against a real server training the
 * default preset: the page is watching before the run leaves phase I, so phase II arrives live
 * (a notice), the timeline and the badge show it, every chart bands it, the loss chart marks the
 * loss change points, and the timeline zooms the charts. A screenshot is kept in
 * artifacts/phases.png.
 */
const session = useDashboardSession('phases', { width: 1400, height: 1100 });
let manager: RunManager;
let server: PhasewatchServer;
let page: Page;
let live: LiveRun;
const pageErrors: string[] = [];
const { config } = resolveConfig({ sets: ['steps=1000000'] });

const attr = async (testId: string, name: string) => Number((await page.getByTestId(testId).getAttribute(name)) ?? 0);
const badgePhase = () => page.getByTestId('phase-badge').getAttribute('data-phase');
const PHASE_ORDER = ['I', 'II', 'III', 'IV'];

beforeAll(() => {
  ({ manager, server, page } = session());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

describe('learning phases in headless Chromium', () => {
  it('shows phase II arriving live: timeline, badge, bands on every chart, a notice', async () => {
    // The run is held at its first steps until the page watches it, so phase II comes in a frame, not the snapshot.
    live = manager.start(config, { preset: 'default' });
    await live.run.command('pause');
    await page.goto(`${server.url}?run=${live.id}`);
    await page.getByTestId('phase-timeline').waitFor();
    await until(async () => (await page.getByTestId('run-loading').count()) === 0, 'the run’s snapshot');
    expect(await page.getByTestId('phase-segment-II').count()).toBe(0);
    await live.run.command('resume');

    await until(async () => PHASE_ORDER.indexOf((await badgePhase()) ?? '') >= 1, 'the page to show phase II', 60_000);
    expect(await page.getByTestId('phase-segment-I').count()).toBe(1);
    expect(await page.getByTestId('phase-segment-II').count()).toBe(1);
    expect(await page.getByTestId('phase-badge').textContent()).toContain('II');
    // Segment I ends where II begins.
    const iTo = Number(await page.getByTestId('phase-segment-I').getAttribute('data-to'));
    const iiFrom = Number(await page.getByTestId('phase-segment-II').getAttribute('data-from'));
    expect(iTo).toBe(iiFrom);
    expect(iiFrom).toBeGreaterThan(0);

    for (const chart of CHARTS) await until(async () => (await attr(chart, 'data-bands')) >= 2, `${chart} to band phases I and II`);

    const notice = page.getByTestId('notice').filter({ hasText: 'entered phase II' });
    await notice.first().waitFor();
    expect(await notice.first().textContent()).toContain(`Run ${live.id} entered phase II at step`);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('marks the loss change points on the loss chart', async () => {
    // The default detectors watch `loss`; its big fall comes with phase III (~4–7k steps).
    await until(async () => (await attr('chart-loss', 'data-markers')) >= 1, 'a change point on the loss chart', 60_000);
    await until(async () => (await page.getByTestId('change-tick').count()) >= 1, 'a change-point tick on the timeline');
    // A chart that plots none of the watched series (by default only `loss`) draws no change-point lines.
    const watched = new Set(config.phases.changePoints.series);
    const quiet = chartSpecs(2, { 1: [1, 2], 2: [1, 2] }, true).filter((spec) => !spec.series.some((d) => watched.has(d.key)));
    expect(quiet.length).toBeGreaterThan(0);
    for (const spec of quiet) expect(await attr(`chart-${spec.key}`, 'data-markers')).toBe(0);
  }, 90_000);

  it('explains a segment on hover and zooms the charts to it on click or Enter', async () => {
    const segment = page.getByTestId('phase-segment-II');
    expect(await segment.getAttribute('aria-label')).toMatch(/^Phase II, substitution, steps /);
    await segment.hover();
    const tip = page.getByTestId('phase-tip');
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(/Phase II[\s\S]*confidence \d+%/);

    const first = page.getByTestId('phase-segment-I');
    const from = Number(await first.getAttribute('data-from'));
    const to = Number(await first.getAttribute('data-to'));
    await first.click();
    await page.getByTestId('zoom-info').waitFor();
    const url = new URL(page.url());
    expect(Number(url.searchParams.get('from'))).toBe(Math.floor(from));
    expect(Number(url.searchParams.get('to'))).toBe(Math.max(Math.ceil(to), Math.floor(from) + 1));
    // Zoomed into phase I, the charts band phase I (and II only from its first step on, if at all).
    await until(async () => (await attr('chart-loss', 'data-bands')) >= 1, 'the loss chart to band the zoomed range');

    // The shortcuts still work with the timeline there: 0 zooms out.
    await page.mouse.click(5, 5);
    await page.keyboard.press('0');
    await until(async () => (await page.getByTestId('zoom-info').count()) === 0, '0 to zoom out');

    // Keyboard: a segment takes the focus and Enter zooms.
    await segment.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('zoom-info').waitFor();
    expect(new URL(page.url()).searchParams.get('from')).toBe(String(Math.floor(Number(await segment.getAttribute('data-from')))));
    await page.mouse.click(5, 5);
    await page.keyboard.press('0');
    await until(async () => (await page.getByTestId('zoom-info').count()) === 0, 'zoom out again');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('looks right (screenshot)', async () => {
    await page.getByTestId('phase-segment-II').hover();
    await page.getByTestId('phase-tip').waitFor();
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/phases.png', fullPage: true });
  }, 30_000);
});
