import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { colour } from '../../src/dashboard/shared/palette.js';
import { Store } from '../../src/store/store.js';
import { runCli, runCliOk, tempDir } from '../cli/run-cli.js';
import { buildDashboard } from '../dashboard/browser.js';
import { countNear, decodePng } from './png.js';

const SECTIONS = ['The four phases', 'Ablations (SPEC §4)', 'Scaling', 'The paper’s experiment: m = 64, a 64×64 head, Adam', 'The head against the closed-form predictors', 'Branching: dropping the head mid-run', 'The open questions of the notes'];
const VERDICTS = ['✅ holds', '❌ does not hold', '⏳ not reached', '💬 answered'];

/**
 * `phasewatch reproduce --quick` end to end on a tiny budget (300 steps a run, one seed): the
 * report has its summary and every section, each row a verdict, every figure is a valid PNG
 * with the first series' colour drawn in it, and the runs are in the database beside it.
 */
describe('phasewatch reproduce', () => {
  it('writes a report whose rows all have verdicts and whose figures show data', async ({ onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const dashboard = path.join(dir, 'dashboard');
    await buildDashboard(dashboard);
    const out = path.join(dir, 'report');
    const result = await runCliOk(['reproduce', '--quick', '--max-steps', '300', '--seeds', '1', '--out', out, '--dashboard', dashboard], 240_000);
    expect(result.stdout).toMatch(/reproduce --quick: 30 runs and 1 branch families on \d worker thread\(s\), at most 300 steps each/);
    expect(result.stdout).toMatch(/\[30\/30\]/);

    const report = fs.readFileSync(path.join(out, 'REPORT.md'), 'utf8');
    expect(report.startsWith('# Reproducing Wen & Li (NeurIPS 2022) with phasewatch')).toBe(true);
    expect(report).toMatch(/Made by `phasewatch reproduce --quick --seeds 1 --max-steps 300` on \d{4}-\d\d-\d\d .* backend \w+; phasewatch \d+\.\d+\.\d+, Node v20\.\d+\.\d+, TensorFlow\.js 4\.\d+\.\d+/);
    expect(report).toContain('## Summary');
    SECTIONS.forEach((title, i) => expect(report).toContain(`## ${i + 1}. ${title}`));

    // One summary row per finding, each with a verdict; capped runs never refute a claim.
    const rows = report.split('\n').filter((line) => line.startsWith('| [') && /^\| \[\d+\.\d+\]/.test(line));
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(VERDICTS.some((v) => row.trimEnd().endsWith(`| ${v} |`)), row).toBe(true);
    expect(rows.filter((r) => r.includes('does not hold'))).toEqual([]);
    expect(rows.filter((r) => r.includes('answered')).length).toBeGreaterThanOrEqual(2);

    const figures = [...report.matchAll(/!\[[^\]]+\]\(figures\/([\w-]+\.png)\)/g)].map((m) => m[1]);
    expect(figures.length).toBeGreaterThanOrEqual(6);
    expect(figures).toEqual(expect.arrayContaining(['phases.png', 'ablations.png', 'scaling-d.png', 'paper-64.png', 'views.png']));
    for (const name of figures) {
      const png = decodePng(fs.readFileSync(path.join(out, 'figures', name)));
      // Drawn at device scale 2 from a 760-pixel-wide plot.
      expect(png.width, name).toBeGreaterThan(1500);
      expect(png.height, name).toBeGreaterThan(600);
      // The first series is drawn in the palette's first colour: its pixels are in the plot, above
      // the legend (whose swatch has that colour too, so the bottom of the image is left out).
      expect(countNear(png, colour(0), Math.floor(0.7 * png.height)), `${name}: pixels of the first series in the plot`).toBeGreaterThan(40);
    }

    // --report-only writes the same findings again from the stored runs, training nothing…
    fs.rmSync(path.join(out, 'figures'), { recursive: true });
    const again = await runCliOk(['reproduce', '--report-only', '--quick', '--max-steps', '300', '--seeds', '1', '--out', out, '--dashboard', dashboard], 120_000);
    expect(again.stdout).not.toMatch(/\[1\/30\]/);
    const rewritten = fs.readFileSync(path.join(out, 'REPORT.md'), 'utf8');
    const summaryRows = (text: string) => text.split('\n').filter((line) => /^\| \[\d+\.\d+\]/.test(line));
    expect(summaryRows(rewritten)).toEqual(rows);
    expect(fs.readdirSync(path.join(out, 'figures')).sort()).toEqual([...figures].sort());
    // …refuses a dashboard without the figure page before training anything…
    const noPage = await runCli(['reproduce', '--quick', '--out', path.join(dir, 'none'), '--dashboard', path.join(dir, 'missing')]);
    expect(noPage.code).toBe(2);
    expect(noPage.stderr).toMatch(/no figure page in .*missing: run `npm run build` first/);
    expect(fs.existsSync(path.join(dir, 'none', 'runs.db'))).toBe(false);
    // …and refuses a database made by another plan, naming the mismatch.
    const other = await runCli(['reproduce', '--report-only', '--seeds', '2', '--out', out, '--dashboard', dashboard]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds the runs of another plan \(30 runs, expected \d+/);

    const store = Store.open(path.join(out, 'runs.db'));
    try {
      const runs = store.listRuns();
      expect(runs.length).toBe(31);
      expect(runs.every((r) => r.step <= 300)).toBe(true);
    } finally {
      store.close();
    }
  });
});
