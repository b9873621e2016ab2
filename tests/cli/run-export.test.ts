import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_EVERY, TINY, exportRun, listRuns, progressSteps, runCliOk, tempDir, type CliResult } from './run-cli.js';

const STEPS = 120;
const LOG_EVERY = 30;
const PRESET = 'adam';
const SEED = 7;
const RUN_ARGS = ['run', '--preset', PRESET, '--steps', String(STEPS), '--seed', String(SEED), ...TINY];

/** Parses CSV without quoted fields (our series names need none): header and numeric rows, empty cells as null. */
function parseCsv(text: string): { header: string[]; rows: (number | null)[][] } {
  expect(text.endsWith('\n')).toBe(true);
  const [head, ...lines] = text.slice(0, -1).split('\n');
  const header = head.split(',');
  const rows = lines.map((line) => {
    const cells = line.split(',');
    expect(cells).toHaveLength(header.length);
    return cells.map((cell) => (cell === '' ? null : Number(cell)));
  });
  return { header, rows };
}

function parseNdjson(text: string): Record<string, number | null>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, number | null>);
}

describe('phasewatch run, runs and export', () => {
  let dir: string;
  let db: string;
  let run: CliResult;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cli-'));
    db = path.join(dir, 'runs.db');
    run = await runCliOk([...RUN_ARGS, '--log-every', String(LOG_EVERY), '--db', db]);
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains a tiny run, naming the backend and printing a progress line every --log-every steps', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^backend: cpu\b/m);
    expect(run.stdout).toMatch(/\bcompleted\b/);
    expect(fs.existsSync(db)).toBe(true);

    const steps = progressSteps(run.stdout);
    // One line each time the step reaches a multiple of --log-every: 30, 60, 90, 120.
    const onSchedule = Array.from({ length: STEPS / LOG_EVERY }, (_, i) => (i + 1) * LOG_EVERY);
    // The reporter also shows the very first recorded point (step 10) at once; allow that one line, nothing else.
    const extra = steps.filter((s) => s % LOG_EVERY !== 0);
    expect(extra.every((s) => s === METRICS_EVERY)).toBe(true);
    expect(extra.length).toBeLessThanOrEqual(1);
    expect(steps.filter((s) => s % LOG_EVERY === 0)).toEqual(onSchedule);
    // Steps increase through the output.
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  it('runs --json lists the run as completed at its target with preset, seed and backend', async () => {
    const runs = await listRuns(db);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: 1,
      name: PRESET,
      preset: PRESET,
      status: 'completed',
      step: STEPS,
      target: STEPS,
      seed: SEED,
      backend: 'cpu',
    });
  });

  it('the table form of runs lists the run too', async () => {
    const { stdout } = await runCliOk(['runs', '--db', db]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\b/);
    expect(lines.some((line) => /^\s*1\s+adam\s+adam\s+completed\s+120\s+120\s+7\s+cpu\b/.test(line))).toBe(true);
  });

  it('export --format csv has a step-first header and one row per recorded step', async () => {
    const csv = await exportRun(db, 1, 'csv');
    const { header, rows } = parseCsv(csv);
    expect(header[0]).toBe('step');
    expect(csv.startsWith('step,')).toBe(true);
    for (const series of ['loss', 'cos_1_1', 'cos_2_2', 'E_2_1']) expect(header).toContain(series);
    expect(new Set(header).size).toBe(header.length);

    expect(rows).toHaveLength(STEPS / METRICS_EVERY);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: STEPS / METRICS_EVERY }, (_, i) => (i + 1) * METRICS_EVERY));
    const loss = header.indexOf('loss');
    for (const row of rows) {
      expect(Number.isFinite(row[loss])).toBe(true);
      for (const value of row) expect(value === null || Number.isFinite(value)).toBe(true);
    }
    // cos values are cosines.
    for (const name of ['cos_1_1', 'cos_1_2', 'cos_2_1', 'cos_2_2']) {
      const i = header.indexOf(name);
      for (const row of rows) expect(Math.abs(row[i]!)).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('export --format ndjson holds the same rows as the CSV, step first', async () => {
    const { header, rows } = parseCsv(await exportRun(db, 1, 'csv'));
    const objects = parseNdjson(await exportRun(db, 1, 'ndjson'));
    expect(objects).toHaveLength(rows.length);
    objects.forEach((object, r) => {
      expect(Object.keys(object)[0]).toBe('step');
      expect(Object.keys(object)).toEqual(header);
      expect(header.map((name) => object[name])).toEqual(rows[r]);
    });
  });

  it('export --out writes the same content to a file and nothing to stdout', async () => {
    const out = tempDir();
    for (const format of ['csv', 'ndjson'] as const) {
      const file = path.join(out, `run.${format}`);
      const result = await runCliOk(['export', '1', '--format', format, '--out', file, '--db', db]);
      expect(result.stdout).toBe('');
      expect(fs.readFileSync(file, 'utf8')).toBe(await exportRun(db, 1, format));
    }
  });
});

describe('reproducibility', () => {
  it('the same config and seed export identical CSV; another seed differs', async () => {
    const dir = tempDir();
    const dbA = path.join(dir, 'a.db');
    const dbB = path.join(dir, 'b.db');
    // Two separate processes and databases; the second database also holds a run with another seed.
    await runCliOk([...RUN_ARGS, '--quiet', '--db', dbA]);
    await runCliOk([...RUN_ARGS, '--quiet', '--db', dbB]);
    await runCliOk([...RUN_ARGS, '--seed', String(SEED + 1), '--quiet', '--db', dbB]);

    const a = await exportRun(dbA, 1);
    const b = await exportRun(dbB, 1);
    const other = await exportRun(dbB, 2);
    expect(a.split('\n')).toHaveLength(STEPS / METRICS_EVERY + 2);
    expect(b).toBe(a);

    expect(other).not.toBe(a);
    const [headA, ...rowsA] = a.split('\n');
    const [headOther, ...rowsOther] = other.split('\n');
    expect(headOther).toBe(headA);
    expect(rowsOther.length).toBe(rowsA.length);
    // The loss differs at the first recorded step already.
    expect(rowsOther[0].split(',')[1]).not.toBe(rowsA[0].split(',')[1]);

    const runs = await listRuns(dbB);
    expect(runs.map((r) => r.seed)).toEqual([SEED, SEED + 1]);
  });
});
