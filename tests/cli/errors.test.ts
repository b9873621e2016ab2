import fs from 'node:fs';
import path from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { PRESET_NAMES } from '../../src/config/presets.js';
import { Store } from '../../src/store/store.js';
import { TINY, runCli, tempDir } from './run-cli.js';

/** Known errors: a `phasewatch: …` message on stderr and exit code 2. */
function expectKnownError(expect: ExpectStatic, result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(/^phasewatch: \S/);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  return result.stderr;
}

/** Creates a database holding one (untrained) run, in this process, through the store. */
function databaseWithOneRun(db: string): void {
  const store = Store.open(db);
  try {
    store.createRun({ name: 'x', preset: null, config: {}, seed: 0, backend: 'cpu', targetSteps: 10 });
  } finally {
    store.close();
  }
}

/** An empty database, created in this process through the store. */
function emptyDatabase(db: string): void {
  Store.open(db).close();
}

describe.concurrent('phasewatch run refuses a bad config or argument and writes nothing', () => {
  const cases: { name: string; args: (dir: string) => string[]; check: (expect: ExpectStatic, stderr: string) => void }[] = [
    {
      name: 'a negative learning rate',
      args: () => ['--set', 'optim.lrW=-1'],
      check: (expect, stderr) => {
        expect(stderr).toContain('optim.lrW');
        expect(stderr).toContain('-1');
      },
    },
    {
      name: 'an unknown head mode',
      args: () => ['--set', 'head.mode=sideways'],
      check: (expect, stderr) => {
        expect(stderr).toContain('head.mode');
        expect(stderr).toContain('sideways');
        for (const mode of ['offdiag', 'full', 'none']) expect(stderr).toContain(mode);
      },
    },
    {
      name: 'a misspelt field',
      args: () => ['--set', 'optim.lrw=1'],
      check: (expect, stderr) => {
        expect(stderr).toContain('optim.lrw');
        expect(stderr).toMatch(/unknown field/i);
      },
    },
    {
      name: 'an unknown preset',
      args: () => ['--preset', 'nope'],
      check: (expect, stderr) => {
        expect(stderr).toContain('nope');
        for (const name of PRESET_NAMES) expect(stderr).toContain(name);
      },
    },
    {
      name: 'a non-numeric step count',
      args: () => ['--steps', 'abc'],
      check: (expect, stderr) => {
        expect(stderr).toContain('--steps');
        expect(stderr).toContain('abc');
      },
    },
    {
      name: 'zero steps',
      args: () => ['--steps', '0'],
      check: (expect, stderr) => {
        expect(stderr).toContain('--steps');
        expect(stderr).toMatch(/\b0\b/);
      },
    },
    {
      name: 'a missing config file',
      args: (dir) => ['--config', path.join(dir, 'missing.yaml')],
      check: (expect, stderr) => {
        expect(stderr).toContain('missing.yaml');
      },
    },
    {
      name: 'an unknown backend',
      args: () => ['--backend', 'tpu'],
      check: (expect, stderr) => {
        expect(stderr).toContain('tpu');
        for (const backend of ['wasm', 'cpu']) expect(stderr).toContain(backend);
      },
    },
    {
      name: 'a --set without "="',
      args: () => ['--set', 'noequals'],
      check: (expect, stderr) => {
        expect(stderr).toContain('noequals');
        expect(stderr).toContain('=');
      },
    },
  ];

  for (const { name, args, check } of cases) {
    it(`refuses ${name}`, async ({ expect, onTestFinished }) => {
      const dir = tempDir(onTestFinished);
      const db = path.join(dir, 'runs.db');
      // The bad argument comes last so that it overrides the otherwise valid tiny settings.
      const result = await runCli(['run', '--steps', '20', ...TINY, '--db', db, ...args(dir)]);
      check(expect, expectKnownError(expect, result));
      expect(result.stdout).toBe('');
      expect(fs.existsSync(db)).toBe(false);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }
});

describe.concurrent('other commands refuse bad arguments', () => {
  it('resume of a run that does not exist names the run', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'runs.db');
    emptyDatabase(db);
    const result = await runCli(['resume', '999', '--db', db, '--backend', 'cpu']);
    const stderr = expectKnownError(expect, result);
    expect(stderr).toMatch(/\brun 999\b/);
    expect(stderr).toMatch(/not found/i);
    expect(result.stdout).toBe('');
  });

  it('export with an unknown format is refused', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 'runs.db');
    databaseWithOneRun(db);
    const result = await runCli(['export', '1', '--format', 'xml', '--db', db]);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('xml');
    expect(result.stderr).toContain('csv');
    expect(result.stderr).toContain('ndjson');
  });

  it('export --out to a path that cannot be written is a clear error, not a crash', async ({ expect, onTestFinished }) => {
    const dir = tempDir(onTestFinished);
    const db = path.join(dir, 'runs.db');
    databaseWithOneRun(db);
    const out = path.join(dir, 'no-such-folder', 'run.csv');
    const result = await runCli(['export', '1', '--out', out, '--db', db]);
    // Today the write stream's 'error' event is unhandled: Node prints a stack trace and exits 1.
    expect(result.stderr).not.toMatch(/Unhandled 'error' event/);
    const stderr = expectKnownError(expect, result);
    expect(stderr).toContain(out);
    expect(result.stdout).toBe('');
  });

  it('an unknown command exits non-zero and names it', async ({ expect }) => {
    const result = await runCli(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('frobnicate');
  });
});
