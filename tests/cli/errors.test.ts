import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/config/presets.js';
import { TINY, listRuns, runCli, runCliOk, tempDir } from './run-cli.js';

/** Known errors: one `phasewatch: …` line on stderr, exit code 2, nothing on stdout. */
function expectKnownError(result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(/^phasewatch: \S/);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  return result.stderr;
}

describe('phasewatch run refuses a bad config or argument and writes nothing', () => {
  const cases: { name: string; args: (dir: string) => string[]; check: (stderr: string) => void }[] = [
    {
      name: 'a negative learning rate',
      args: () => ['--set', 'optim.lrW=-1'],
      check: (stderr) => {
        expect(stderr).toContain('optim.lrW');
        expect(stderr).toContain('-1');
      },
    },
    {
      name: 'an unknown head mode',
      args: () => ['--set', 'head.mode=sideways'],
      check: (stderr) => {
        expect(stderr).toContain('head.mode');
        expect(stderr).toContain('sideways');
        for (const mode of ['offdiag', 'full', 'none']) expect(stderr).toContain(mode);
      },
    },
    {
      name: 'a misspelt field',
      args: () => ['--set', 'optim.lrw=1'],
      check: (stderr) => {
        expect(stderr).toContain('optim.lrw');
        expect(stderr).toMatch(/unknown field/i);
      },
    },
    {
      name: 'an unknown preset',
      args: () => ['--preset', 'nope'],
      check: (stderr) => {
        expect(stderr).toContain('nope');
        for (const name of PRESET_NAMES) expect(stderr).toContain(name);
      },
    },
    {
      name: 'a non-numeric step count',
      args: () => ['--steps', 'abc'],
      check: (stderr) => {
        expect(stderr).toContain('--steps');
        expect(stderr).toContain('abc');
      },
    },
    {
      name: 'zero steps',
      args: () => ['--steps', '0'],
      check: (stderr) => {
        expect(stderr).toContain('--steps');
        expect(stderr).toMatch(/\b0\b/);
      },
    },
    {
      name: 'a missing config file',
      args: (dir) => ['--config', path.join(dir, 'missing.yaml')],
      check: (stderr) => {
        expect(stderr).toContain('missing.yaml');
      },
    },
    {
      name: 'an unknown backend',
      args: () => ['--backend', 'tpu'],
      check: (stderr) => {
        expect(stderr).toContain('tpu');
        for (const backend of ['wasm', 'cpu']) expect(stderr).toContain(backend);
      },
    },
    {
      name: 'a --set without "="',
      args: () => ['--set', 'noequals'],
      check: (stderr) => {
        expect(stderr).toContain('noequals');
        expect(stderr).toContain('=');
      },
    },
  ];

  for (const { name, args, check } of cases) {
    it(`refuses ${name}`, async () => {
      const dir = tempDir();
      const db = path.join(dir, 'runs.db');
      // The bad argument comes last so that it overrides the otherwise valid tiny settings.
      const result = await runCli(['run', '--steps', '20', ...TINY, '--db', db, ...args(dir)]);
      check(expectKnownError(result));
      expect(result.stdout).toBe('');
      expect(fs.existsSync(db)).toBe(false);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }
});

describe('other commands refuse bad arguments', () => {
  it('resume of a run that does not exist names the run', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'runs.db');
    expect(await listRuns(db)).toEqual([]);
    const result = await runCli(['resume', '999', '--db', db, '--backend', 'cpu']);
    const stderr = expectKnownError(result);
    expect(stderr).toMatch(/\brun 999\b/);
    expect(stderr).toMatch(/not found/i);
    expect(await listRuns(db)).toEqual([]);
  });

  it('export of a run that does not exist names the run', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'runs.db');
    expect(await listRuns(db)).toEqual([]);
    const result = await runCli(['export', '999', '--db', db]);
    expect(expectKnownError(result)).toMatch(/\brun 999\b/);
  });

  it('export with an unknown format is refused', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'runs.db');
    await runCliOk(['run', '--steps', '20', ...TINY, '--quiet', '--db', db]);
    const result = await runCli(['export', '1', '--format', 'xml', '--db', db]);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('xml');
    expect(result.stderr).toContain('csv');
    expect(result.stderr).toContain('ndjson');
  });

  it('an unknown command exits non-zero and names it', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('frobnicate');
  });

  it('an invalid run id is refused', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'runs.db');
    const result = await runCli(['export', 'one', '--db', db]);
    expect(expectKnownError(result)).toContain('one');
    expect(fs.existsSync(db)).toBe(false);
  });
});
