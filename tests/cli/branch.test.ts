import path from 'node:path';
import { describe, it } from 'vitest';
import { TINY, exportRun, listRuns, runCli, runCliOk, tempDir } from './run-cli.js';

/**
 * `phasewatch branch` and `run --branch-on` as real processes: an unchanged branch exports what
 * its parent does (inherited history included), bad patches and triggers exit 2 and write
 * nothing, and a rule branches when its event fires.
 */
describe('phasewatch branch', () => {
  it('an unchanged branch at a checkpoint exports exactly what its parent does', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'b.db');
    await runCliOk(['run', '--steps', '200', ...TINY, '--quiet', '--db', db]);
    const branched = await runCliOk(['branch', '1', '--at', '80', '--backend', 'cpu', '--db', db]);
    expect(branched.stdout).toMatch(/run 2 .*branches run 1 at step 80 unchanged, to 200 steps/);
    const runs = await listRuns(db);
    expect(runs.map((r) => [r.id, r.parent, r.status, r.step])).toEqual([
      [1, '', 'completed', 200],
      [2, '1@80', 'completed', 200],
    ]);
    expect(await exportRun(db, 2)).toBe(await exportRun(db, 1));
  });

  it('refuses a patch that changes m, a step without a checkpoint, and a bad value, writing nothing', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'b.db');
    await runCliOk(['run', '--steps', '100', ...TINY, '--quiet', '--db', db]);
    for (const [args, message] of [
      [['--at', '80', '--set', 'model.m=3'], /m = 2.*start a new run/],
      [['--at', '50'], /no checkpoint at step 50; it has checkpoints at 40, 80/],
      [['--at', '80', '--set', 'optim.lrE=-2'], /optim\.lrE/],
    ] as const) {
      const result = await runCli(['branch', '1', ...args, '--db', db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect((await listRuns(db)).map((r) => r.id)).toEqual([1]);
  });

  it('run --branch-on phase:II --set head.mode=none branches at T1 with the head dropped', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'rule.db');
    const result = await runCliOk(['run', '--steps', '1200', '--set', 'log.metricsEvery=10', '--branch-on', 'phase:II', '--set', 'head.mode=none', '--db', db], 120_000);
    expect(result.stdout).toMatch(/run 2 branches run 1 at step \d+/);
    const runs = await listRuns(db);
    expect(runs).toHaveLength(2);
    // T1 read independently from run 1's export: the first row with |cos_j_1| ≥ 0.7.
    const [header, ...rows] = (await exportRun(db, 1)).trimEnd().split('\n').map((line) => line.split(','));
    const c11 = header.indexOf('cos_1_1');
    const c21 = header.indexOf('cos_2_1');
    const t1 = rows.find((r) => Math.abs(Number(r[c11])) >= 0.7 || Math.abs(Number(r[c21])) >= 0.7)![0];
    expect(runs[1].parent).toBe(`1@${t1}`);
    const branchExport = (await exportRun(db, 2)).trimEnd().split('\n');
    const e21 = header.indexOf('E_2_1');
    // With the head dropped, E is the identity from the fork on.
    for (const line of branchExport.slice(1)) if (Number(line.split(',')[0]) > Number(t1)) expect(Number(line.split(',')[e21])).toBe(0);
  }, 150_000);

  it('refuses an unknown trigger', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'bad.db');
    const result = await runCli(['run', '--steps', '100', '--branch-on', 'phase:V', '--set', 'head.mode=none', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--branch-on "phase:V": expected phase:I\|II\|III\|IV/);
  });
});
