import path from 'node:path';
import { describe, it } from 'vitest';
import {
  CHECKPOINT_EVERY,
  METRICS_EVERY,
  TINY,
  exportRun,
  finished,
  killWhenFinished,
  listRuns,
  progressSteps,
  runCli,
  runCliOk,
  startCli,
  tempDir,
  waitForStdout,
} from './run-cli.js';

/** A tiny run of `steps` steps, silent, as run 1 of a fresh database unless the database has runs. */
function tinyRun(db: string, steps: number) {
  return runCliOk(['run', '--steps', String(steps), ...TINY, '--quiet', '--db', db]);
}

/** Resumes run `id` on the same (cpu) backend, so that the result can be bit-identical. */
function resume(db: string, id: number, steps?: number, quiet = true) {
  return runCli(['resume', String(id), ...(steps === undefined ? [] : ['--steps', String(steps)]), '--backend', 'cpu', ...(quiet ? ['--quiet'] : []), '--db', db]);
}

/** The export of an uninterrupted tiny run of `steps` steps in its own database. */
async function referenceExport(dir: string, steps: number): Promise<string> {
  const db = path.join(dir, `reference-${steps}.db`);
  await tinyRun(db, steps);
  return exportRun(db, 1);
}

/** Data rows of a CSV export. */
function dataRows(csv: string): string[] {
  return csv.trimEnd().split('\n').slice(1);
}

/** The steps of a CSV export's rows. */
function rowSteps(csv: string): number[] {
  return dataRows(csv).map((line) => Number(line.slice(0, line.indexOf(','))));
}

/** 10, 20, … up to `last`: the steps at which a run of `last` steps records metrics. */
function recordedSteps(last: number): number[] {
  return Array.from({ length: Math.floor(last / METRICS_EVERY) }, (_, i) => (i + 1) * METRICS_EVERY);
}

/** Starts a run far too long to finish and waits until its progress shows step `atLeast`. */
async function startLongRun(db: string, atLeast: number, onFinished: (fn: () => void) => void) {
  const child = startCli(['run', '--steps', '100000', ...TINY, '--log-every', String(METRICS_EVERY), '--db', db]);
  killWhenFinished(child, onFinished);
  const result = finished(child, 50_000);
  await waitForStdout(child, (out) => progressSteps(out).some((s) => s >= atLeast));
  return { child, result };
}

describe.concurrent('phasewatch resume', () => {
  it('a 60-step run resumed to 120 steps exports exactly what an uninterrupted 120-step run does', async ({ expect, onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const db = path.join(dir, 'runs.db');
    const [reference] = await Promise.all([
      referenceExport(dir, 120),
      (async () => {
        await tinyRun(db, 60);
        const resumed = await resume(db, 1, 120);
        expect(resumed.code, resumed.stderr).toBe(0);
      })(),
    ]);
    const csv = await exportRun(db, 1);
    expect(rowSteps(csv)).toEqual(recordedSteps(120));
    expect(csv).toBe(reference);
  });

  it('a run stopped with SIGINT exits 0 as `stopped` and resumes to match an uninterrupted run', async ({ expect, onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const db = path.join(dir, 'runs.db');
    const { child, result } = await startLongRun(db, 2 * METRICS_EVERY, onTestFinished);
    child.kill('SIGINT');
    const stopped = await result;
    expect(stopped.signal, stopped.stderr).toBeNull();
    expect(stopped.code, stopped.stderr).toBe(0);

    const [row] = await listRuns(db);
    expect(row).toMatchObject({ id: 1, status: 'stopped', target: 100_000 });
    const s = row.step;
    expect(s).toBeGreaterThanOrEqual(2 * METRICS_EVERY);
    expect(s).toBeLessThan(100_000);

    const target = s + 80;
    const [reference] = await Promise.all([
      referenceExport(dir, target),
      (async () => {
        const resumed = await resume(db, 1, target);
        expect(resumed.code, resumed.stderr).toBe(0);
      })(),
    ]);
    const csv = await exportRun(db, 1);
    expect(rowSteps(csv)).toEqual(recordedSteps(target));
    expect(csv).toBe(reference);
  });

  it('a completed run is not resumed without a larger --steps', async ({ expect, onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const db = path.join(dir, 'runs.db');
    await tinyRun(db, 40);
    const results = await Promise.all([undefined, 40].map((steps) => resume(db, 1, steps)));
    for (const [i, result] of results.entries()) {
      const steps = [undefined, 40][i];
      expect(result.code, `resume --steps ${steps}`).toBe(2);
      expect(result.stderr).toMatch(/^phasewatch: /);
      expect(result.stderr).toMatch(/\brun 1\b/);
      expect(result.stderr).toMatch(/already/i);
      expect(result.stderr).toContain('40');
      expect(result.stdout).toBe('');
    }
    expect(await listRuns(db)).toMatchObject([{ id: 1, status: 'completed', step: 40, target: 40 }]);
  });

  it('a run killed with SIGKILL shows as interrupted and resumes from its last checkpoint to match an uninterrupted run', async ({ expect, onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const db = path.join(dir, 'runs.db');
    // Well past the second checkpoint (40, 80), so the first one has surely been written.
    const { child, result } = await startLongRun(db, 2 * CHECKPOINT_EVERY + 10, onTestFinished);
    child.kill('SIGKILL');
    const killed = await result;
    expect(killed.signal).toBe('SIGKILL');

    const [row] = await listRuns(db);
    expect(row).toMatchObject({ id: 1, status: 'interrupted', target: 100_000 });
    expect(row.step).toBeGreaterThan(0);

    const target = row.step + 80;
    const [reference, resumed] = await Promise.all([referenceExport(dir, target), resume(db, 1, target, false)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // It went on from a checkpoint at or before the last recorded step, not from scratch.
    const from = Number(/from step (\d+)/.exec(resumed.stdout)?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from % CHECKPOINT_EVERY).toBe(0);
    expect(from).toBeLessThanOrEqual(row.step);
    expect(resumed.stdout).toMatch(new RegExp(`\\bcompleted\\b.*\\b${target}/${target}\\b`));

    const csv = await exportRun(db, 1);
    expect(rowSteps(csv)).toEqual(recordedSteps(target));
    expect(csv).toBe(reference);
  });
});
