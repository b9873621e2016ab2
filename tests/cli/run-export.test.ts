import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { METRICS_EVERY, TINY, exportRun, listRuns, progressSteps, runCliOk, tempDir, type CliResult } from './run-cli.js';

const STEPS = 120;
const LOG_EVERY = 30;
const PRESET = 'adam';
const SEED = 7;
const RUN_ARGS = ['run', '--preset', PRESET, '--steps', String(STEPS), '--seed', String(SEED), ...TINY];

/** Parses CSV without quoted fields (our series names need none): header and numeric rows, empty cells as null. */
/** The numeric columns (header and rows), then the detectors' `phase` and `events` text columns. */
function parseCsv(text: string): { header: string[]; rows: (number | null)[][]; phases: string[]; events: string[] } {
  if (!text.endsWith('\n')) throw new Error('CSV does not end with a newline');
  const [head, ...lines] = text.slice(0, -1).split('\n');
  const all = head.split(',');
  if (all.slice(-2).join() !== 'phase,events') throw new Error(`CSV header does not end with phase,events: ${head}`);
  const header = all.slice(0, -2);
  const phases: string[] = [];
  const events: string[] = [];
  const rows = lines.map((line) => {
    const cells = line.split(',');
    if (cells.length !== all.length) throw new Error(`CSV row has ${cells.length} cells, header ${all.length}: ${line}`);
    phases.push(cells[cells.length - 2]);
    events.push(cells[cells.length - 1]);
    return cells.slice(0, -2).map((cell) => (cell === '' ? null : Number(cell)));
  });
  return { header, rows, phases, events };
}

function parseNdjson(text: string): Record<string, unknown>[] {
  if (!text.endsWith('\n')) throw new Error('NDJSON does not end with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Calls `make` once, on first use, and shares its promise. */
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

// One tiny run, made once, that the tests below read in different ways.
describe.concurrent('phasewatch run, runs and export', () => {
  let dir: string;
  let db: string;
  let run: CliResult;
  const csvExport = lazy(() => exportRun(db, 1, 'csv'));
  const ndjsonExport = lazy(() => exportRun(db, 1, 'ndjson'));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cli-'));
    db = path.join(dir, 'runs.db');
    run = await runCliOk([...RUN_ARGS, '--log-every', String(LOG_EVERY), '--db', db]);
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains a tiny run, naming the backend and printing a progress line every --log-every steps', ({ expect }) => {
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

  it('runs --json lists the run as completed at its target with preset, seed and backend', async ({ expect }) => {
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

  it('export --format csv has a step-first header and one row per recorded step', async ({ expect }) => {
    const csv = await csvExport();
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
    // Detection starts at the first record: phase I, on every row until phase II.
    const { phases, events } = parseCsv(csv);
    expect(events[0]).toBe('phase I');
    expect(phases[0]).toBe('I');
    for (const phase of phases) expect(['I', 'II', 'III', 'IV']).toContain(phase);
  });

  it('export --format ndjson holds the same rows as the CSV, step first', async ({ expect }) => {
    const { header, rows, phases, events } = parseCsv(await csvExport());
    const objects = parseNdjson(await ndjsonExport());
    expect(objects).toHaveLength(rows.length);
    objects.forEach((object, r) => {
      expect(Object.keys(object)[0]).toBe('step');
      expect(Object.keys(object)).toEqual([...header, 'phase', ...(object.events ? ['events'] : [])]);
      expect(header.map((name) => object[name])).toEqual(rows[r]);
      expect(object.phase).toBe(phases[r] || null);
      expect(((object.events ?? []) as { kind: string; label: string }[]).length).toBe(events[r] ? events[r].split('; ').length : 0);
    });
  });

  it('export --out writes the same content to a file and nothing to stdout', async ({ expect, onTestFinished }) => {
    const out = tempDir(onTestFinished);
    const file = path.join(out, 'run.ndjson');
    const result = await runCliOk(['export', '1', '--format', 'ndjson', '--out', file, '--db', db]);
    expect(result.stdout).toBe('');
    expect(fs.readFileSync(file, 'utf8')).toBe(await ndjsonExport());
  });

  it('the same config and seed export identical CSV from another process (--name only renames); another seed differs', async ({ expect, onTestFinished }) => {
    const tmp = tempDir(onTestFinished);
    const dbB = path.join(tmp, 'b.db');
    const dbC = path.join(tmp, 'c.db');
    // Other processes and databases: the same settings under another name, and another seed.
    const [runB, runC] = await Promise.all([
      runCliOk([...RUN_ARGS, '--name', 'twin', '--quiet', '--db', dbB]),
      runCliOk([...RUN_ARGS, '--seed', String(SEED + 1), '--quiet', '--db', dbC]),
    ]);
    expect(runB.stdout).toBe('');
    expect(runC.stdout).toBe('');
    const [a, b, other, runsB] = await Promise.all([csvExport(), exportRun(dbB, 1), exportRun(dbC, 1), listRuns(dbB)]);
    expect(runsB).toMatchObject([{ id: 1, name: 'twin', preset: PRESET, seed: SEED, status: 'completed' }]);
    expect(a.split('\n')).toHaveLength(STEPS / METRICS_EVERY + 2);
    expect(b).toBe(a);

    expect(other).not.toBe(a);
    const [headA, ...rowsA] = a.split('\n');
    const [headOther, ...rowsOther] = other.split('\n');
    expect(headOther).toBe(headA);
    expect(rowsOther.length).toBe(rowsA.length);
    // The loss differs at the first recorded step already.
    expect(rowsOther[0].split(',')[1]).not.toBe(rowsA[0].split(',')[1]);
  });
});
