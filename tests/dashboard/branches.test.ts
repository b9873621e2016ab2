import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { PhasewatchServer } from '../../src/server/server.js';
import type { LiveRun, RunManager } from '../../src/streams/run-manager.js';
import type { Store } from '../../src/store/store.js';
import type { RunRecord } from '../../src/store/types.js';
import { CHARTS, until, useDashboardSession } from './browser.js';

/**
 * Branching from the page, in headless Chromium against a real server training the default
 * preset: `b` opens the branch form, `head.mode=none` branches the live run in phase II, the page
 * selects the branch, every chart draws the parent next to it with the fork marked, the lineage
 * tree and the run list nest the branch under its parent, and the settings diff names the
 * change. A patch the server refuses shows its message in the form and creates nothing.
 * A screenshot is kept in artifacts/branches.png.
 */
const session = useDashboardSession('branches', { width: 1400, height: 1100 });
let store: Store;
let manager: RunManager;
let server: PhasewatchServer;
let page: Page;
let parent: LiveRun;
let child: RunRecord;
const pageErrors: string[] = [];

const attr = async (testId: string, name: string) => Number((await page.getByTestId(testId).getAttribute(name)) ?? 0);
const selectedRun = () => new URL(page.url()).searchParams.get('run');
/** Whether the element is the focused one inside its shadow root. */
// The Node type check has no DOM types: the root node is described by the one field read here.
const focused = (testId: string) => page.getByTestId(testId).evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el);

beforeAll(() => {
  ({ store, manager, server, page } = session());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  parent = manager.start(resolveConfig({ sets: ['steps=1000000'] }).config, { preset: 'default' });
});

describe('branching from the dashboard', () => {
  it('branches the live run with `b` and a patch, selects the branch and compares it with its parent', async () => {
    await page.goto(`${server.url}?run=${parent.id}`);
    await page.getByTestId(`run-item-${parent.id}`).waitFor();
    // Phase II starts near step 620 in the default preset: branch inside it.
    await until(() => parent.run.state.step >= 800, 'the parent to reach step 800', 60_000);
    await until(() => page.getByTestId('btn-branch').isEnabled(), 'the Branch button (control access)');
    // Nothing to compare yet: a run without a family draws no related curves.
    expect(await page.getByTestId('lineage-tree').count()).toBe(0);
    expect(await attr('chart-loss', 'data-overlays')).toBe(0);

    await page.mouse.click(5, 5);
    await page.keyboard.press('b');
    await page.getByTestId('branch-form').waitFor();
    expect(await focused('branch-sets')).toBe(true);
    // A live run forks at its current step unless a checkpoint is chosen.
    expect(await page.getByTestId('branch-at').inputValue()).toBe('current');
    expect(await page.getByTestId('btn-branch').getAttribute('aria-expanded')).toBe('true');

    const runsBefore = store.listRuns().length;
    await page.getByTestId('branch-sets').fill('head.mode=none');
    await page.getByTestId('btn-branch-submit').click();
    await until(() => store.listRuns().length === runsBefore + 1, 'the branch in the database');
    child = store.listRuns().find((r) => r.parentId === parent.id)!;
    expect(child).toBeDefined();
    expect(child.forkStep).not.toBeNull();
    expect(child.forkStep!).toBeGreaterThanOrEqual(800);
    expect(child.forkStep!).toBeLessThanOrEqual(parent.run.state.step);
    expect((child.config as { head: { mode: string } }).head.mode).toBe('none');

    // The page selected the branch and closed the form; the focus is back on the Branch button.
    await until(() => selectedRun() === String(child.id), 'the page to select the branch');
    await until(async () => (await page.getByTestId('branch-form').count()) === 0, 'the form to close');
    expect(await focused('btn-branch')).toBe(true);
    expect(await page.getByTestId('run-name').textContent()).toContain('head.mode=none');

    // Every chart draws the parent next to the branch, and the fork.
    for (const chart of CHARTS) {
      await until(async () => (await attr(chart, 'data-overlays')) >= 1 && (await attr(chart, 'data-forks')) >= 1, `${chart} to draw the parent and the fork`);
      expect(await attr(chart, 'data-points')).toBeGreaterThan(20);
    }

    // The lineage tree shows both, the branch as the selected run and the parent as its parent.
    const tree = page.getByTestId('lineage-tree');
    await tree.waitFor();
    expect(await tree.getByTestId(`lineage-node-${parent.id}`).getAttribute('data-relation')).toBe('parent');
    expect(await tree.getByTestId(`lineage-node-${child.id}`).getAttribute('aria-current')).toBe('true');
    expect(await tree.getByTestId(`lineage-node-${child.id}`).textContent()).toContain(`at step ${child.forkStep!.toLocaleString('en-US')}`);
    // …and the run list nests it under the parent.
    expect(await page.getByTestId(`run-item-${child.id}`).getAttribute('data-depth')).toBe('1');
    expect(await page.getByTestId(`run-item-${parent.id}`).getAttribute('data-depth')).toBe('0');

    // The settings diff: exactly the patch.
    const diff = page.getByTestId('config-diff');
    await until(async () => (await diff.getByTestId('config-diff-row').count()) > 0, 'the settings diff');
    const rows = diff.getByTestId('config-diff-row');
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-key')))).toEqual(['head.mode']);
    expect(await rows.first().locator('[data-side="parent"]').textContent()).toBe('offdiag');
    expect(await rows.first().locator('[data-side="branch"]').textContent()).toBe('none');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows the server’s refusal in the form and creates no run', async () => {
    await page.getByTestId('btn-branch').click();
    await page.getByTestId('branch-form').waitFor();
    const runsBefore = store.listRuns().length;

    // A patch that cannot continue the saved state (another m).
    await page.getByTestId('branch-sets').fill('model.m=3');
    await page.getByTestId('btn-branch-submit').click();
    const error = page.getByTestId('branch-error');
    await error.waitFor();
    expect(await error.textContent()).toContain(`cannot branch run ${child.id} with data.d = 64, model.m = 3`);

    // A value out of range: the config error names the field.
    await page.getByTestId('branch-sets').fill('optim.lrE=-1');
    await page.getByTestId('btn-branch-submit').click();
    await until(async () => ((await error.textContent()) ?? '').includes('optim.lrE'), 'the config error');

    await page.waitForTimeout(300);
    expect(store.listRuns().length).toBe(runsBefore);
    expect(selectedRun()).toBe(String(child.id));
    // Esc closes the form without branching.
    await page.getByTestId('branch-sets').press('Escape');
    await until(async () => (await page.getByTestId('branch-form').count()) === 0, 'Esc to close the form');
    expect(store.listRuns().length).toBe(runsBefore);
  }, 60_000);

  it('selects the parent from the lineage tree and draws the branch on its charts', async () => {
    await page.getByTestId(`lineage-node-${parent.id}`).click();
    await until(() => selectedRun() === String(parent.id), 'the page to select the parent');
    for (const chart of CHARTS) {
      await until(async () => (await attr(chart, 'data-overlays')) >= 1 && (await attr(chart, 'data-forks')) >= 1, `${chart} to draw the branch`);
    }
    expect(await page.getByTestId(`lineage-node-${child.id}`).getAttribute('data-relation')).toBe('branch');
    // A root run has no parent to diff against.
    expect(await page.getByTestId('config-diff').count()).toBe(0);

    // Back to the branch for the picture, with a setting suggested in the open form.
    await page.getByTestId(`lineage-node-${child.id}`).click();
    await until(() => selectedRun() === String(child.id), 'the page to select the branch again');
    for (const chart of CHARTS) await until(async () => (await attr(chart, 'data-overlays')) >= 1, `${chart} to draw the parent again`);
    await page.mouse.click(5, 5);
    await page.keyboard.press('b');
    await page.getByTestId('branch-form').waitFor();
    await page.getByTestId('suggest-freeze-e').click();
    // Notices (phase II arriving) sit in the corner over the charts: dismissed for a clear picture.
    while ((await page.getByTestId('notice-dismiss').count()) > 0) await page.getByTestId('notice-dismiss').first().click();
    expect(await page.getByTestId('branch-sets').inputValue()).toBe('optim.lrE=0');
    expect(await page.getByTestId('suggest-freeze-e').getAttribute('aria-pressed')).toBe('true');
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/branches.png', fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('branches a stopped run at its latest checkpoint by default, nesting the new branch a level deeper', async () => {
    // The form from the last test is still open on the branch; stopping the run changes its choices.
    manager.control(child.id, 'stop');
    await until(() => manager.live(child.id) === undefined && store.getRun(child.id)!.status !== 'running', 'the branch to stop');
    const latest = Math.max(...store.listCheckpoints(child.id).map((c) => c.step));
    await until(async () => (await page.getByTestId('branch-at').inputValue()) === String(latest), 'the latest checkpoint as the fork step');
    expect(await page.getByTestId('branch-at').locator('option[value="current"]').count()).toBe(0);
    const offered = await page.getByTestId('branch-at').locator('option').evaluateAll((els) => els.map((el) => Number(el.getAttribute('value'))));
    expect(offered).toEqual(store.listCheckpoints(child.id).map((c) => c.step).sort((a, b) => a - b));

    const runsBefore = store.listRuns().length;
    await page.getByTestId('btn-branch-submit').click(); // the patch is still optim.lrE=0
    await until(() => store.listRuns().length === runsBefore + 1, 'the second branch in the database');
    const grandchild = store.listRuns().find((r) => r.parentId === child.id)!;
    expect(grandchild.forkStep).toBe(latest);
    await until(() => selectedRun() === String(grandchild.id), 'the page to select the new branch');

    expect(await page.getByTestId(`run-item-${grandchild.id}`).getAttribute('data-depth')).toBe('2');
    const tree = page.getByTestId('lineage-tree');
    await until(async () => (await tree.getByRole('button').count()) === 3, 'three runs in the family');
    expect(await tree.getByTestId(`lineage-node-${child.id}`).getAttribute('data-relation')).toBe('parent');
    // Its parent stopped at the fork, so has nothing after it to compare: the grandparent, still training, is drawn too.
    expect(await tree.getByTestId(`lineage-node-${parent.id}`).getAttribute('data-relation')).toBe('ancestor');
    // Its diff is against its own parent (which already had no head): only the new patch.
    const rows = page.getByTestId('config-diff').getByTestId('config-diff-row');
    await until(async () => (await rows.count()) > 0, 'the settings diff');
    expect(await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-key'), ...[...el.querySelectorAll('td')].map((td) => td.textContent)]))).toEqual([
      ['optim.lrE', '0.001', '0'],
    ]);
    for (const chart of CHARTS) {
      await until(async () => (await attr(chart, 'data-overlays')) >= 1 && (await attr(chart, 'data-forks')) >= 1, `${chart} to draw the family`);
    }
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('gives a live run a rule from the form: it branches itself when phase II begins, at that step', async () => {
    // A fresh run, held before phase II (which begins near step 620) while the rule is set.
    const young = manager.start(resolveConfig({ sets: ['steps=1000000', 'seed=5'] }).config, { preset: 'default' });
    await young.run.command('pause');
    expect(young.run.state.step).toBeLessThan(600);
    await page.goto(`${server.url}?run=${young.id}`);
    await page.getByTestId(`run-item-${young.id}`).waitFor();
    await until(() => page.getByTestId('btn-branch').isEnabled(), 'the Branch button');
    await page.getByTestId('btn-branch').click();
    await page.getByTestId('branch-form').waitFor();
    await page.getByTestId('branch-at').selectOption('on:phase:II');
    await page.getByTestId('branch-sets').fill('head.mode=none');
    await page.getByTestId('btn-branch-submit').click();
    await until(async () => (await page.getByTestId('branch-form').count()) === 0, 'the form to close once the rule is set');
    expect(store.listRuns().some((r) => r.parentId === young.id)).toBe(false);
    await young.run.command('resume');
    await until(() => store.listRuns().some((r) => r.parentId === young.id), 'the rule to branch the run', 60_000);
    const branch = store.listRuns().find((r) => r.parentId === young.id)!;
    await young.run.flush();
    // T1 read from the stored records: the first step with some |cos_j_1| ≥ 0.7.
    const c11 = store.readSeries(young.id, 'cos_1_1');
    const c21 = store.readSeries(young.id, 'cos_2_1');
    const t1 = c11.steps.find((_, i) => Math.abs(c11.values[i]!) >= 0.7 || Math.abs(c21.values[i]!) >= 0.7);
    expect(branch.forkStep).toBe(t1);
    expect((branch.config as { head: { mode: string } }).head.mode).toBe('none');
    await young.run.command('stop');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
