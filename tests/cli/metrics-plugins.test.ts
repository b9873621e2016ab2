import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { TINY, exportRun, listRuns, runCli, runCliOk, tempDir } from './run-cli.js';

/** The export of a run as rows of numbers by column name (empty cells as null). */
async function exportTable(db: string, id: number) {
  const [header, ...rows] = (await exportRun(db, id)).trimEnd().split('\n').map((line) => line.split(','));
  const column = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`no column ${name} in ${header.join(',')}`);
    return rows.map((r) => (r[i] === '' ? null : Number(r[i])));
  };
  return { header, steps: rows.map((r) => Number(r[0])), column };
}

/**
 * `--metrics <file>` on the command line: the example plug-ins load from TypeScript without a
 * build, their series are recorded and exported like built-ins, a branch adds one from the fork
 * on, and a file that is missing or exports nothing is refused before anything is recorded.
 */
describe('metric plug-ins on the command line', () => {
  it('run --metrics records the example’s series; their values follow from the recorded head', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'm.db');
    const result = await runCliOk(['run', '--steps', '300', ...TINY, '--metrics', 'examples/head-asymmetry.ts', '--db', db]);
    expect(result.stdout).toMatch(/metric plug-in: headAsym \(examples\/head-asymmetry\.ts\)/);
    const { steps, column } = await exportTable(db, 1);
    expect(steps).toHaveLength(30);
    // For m = 2, ‖E − Eᵀ‖_F = √2 |E12 − E21|, and the peak is the running max of |E12|, |E21|.
    const [e12, e21, asym, peak] = ['E_1_2', 'E_2_1', 'headAsym.asym', 'headAsym.peak'].map(column);
    let running = 0;
    steps.forEach((_, i) => {
      expect(asym[i]).toBeCloseTo(Math.SQRT2 * Math.abs(e12[i]! - e21[i]!), 5);
      running = Math.max(running, Math.abs(e12[i]!), Math.abs(e21[i]!));
      expect(peak[i]).toBeCloseTo(running, 5);
    });
    expect(running).toBeGreaterThan(0);
  });

  it('branch --metrics adds a plug-in from the fork on; the parent’s keep computing', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'b.db');
    await runCliOk(['run', '--steps', '160', ...TINY, '--quiet', '--metrics', 'examples/head-asymmetry.ts', '--db', db]);
    const branched = await runCliOk(['branch', '1', '--at', '80', '--backend', 'cpu', '--metrics', 'examples/signal-share.ts', '--db', db]);
    expect(branched.stdout).toMatch(/metric plug-in: headAsym/);
    expect(branched.stdout).toMatch(/metric plug-in: signalShare/);
    const { steps, column } = await exportTable(db, 2);
    const share = column('signalShare.w1');
    const asym = column('headAsym.asym');
    steps.forEach((step, i) => {
      expect(asym[i], `headAsym at ${step}`).not.toBeNull();
      if (step <= 80) expect(share[i], `signalShare before the fork at ${step}`).toBeNull();
      else expect(share[i]).toBeGreaterThan(0);
    });
    // A share of squared norm lies in [0, 1].
    expect(share.filter((v) => v !== null).every((v) => v! <= 1)).toBe(true);
  });

  it('refuses a missing file, a file that exports no metric, and one that does not load, recording nothing', async ({ expect, onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const db = path.join(dir, 'e.db');
    fs.writeFileSync(path.join(dir, 'nothing.ts'), 'export const answer = 42;\n');
    fs.writeFileSync(path.join(dir, 'broken.ts'), 'export default defineMetric({ name: "x", compute: () => 1 }); syntax error here\n');
    for (const [file, message] of [
      ['missing.ts', /metric plug-in .*missing\.ts: no such file/],
      [path.join(dir, 'nothing.ts'), /nothing\.ts exports no metric/],
      [path.join(dir, 'broken.ts'), /broken\.ts failed to load/],
      ['README.md', /expected a \.ts or \.js file/],
    ] as const) {
      const result = await runCli(['run', '--steps', '20', ...TINY, '--metrics', file, '--db', db]);
      expect(result.code, file).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(fs.existsSync(db) ? await listRuns(db) : []).toEqual([]);
  });
});
