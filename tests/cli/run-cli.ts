import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/** The repository root, where `src/cli.ts` lives. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface CliResult {
  /** Exit code; null when the process was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Settings that make a run tiny and fast: 16-dim patches, batch 128, metrics every 10, checkpoints every 40. */
export const TINY = [
  '--set',
  'data.batchSize=128',
  '--set',
  'data.d=16',
  '--set',
  'log.metricsEvery=10',
  '--set',
  'log.checkpointEvery=40',
  '--backend',
  'cpu',
] as const;
export const METRICS_EVERY = 10;
export const CHECKPOINT_EVERY = 40;

/** The environment of a child: ours, without a PHASEWATCH_DB that could redirect a forgotten --db. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PHASEWATCH_DB;
  return env;
}

/**
 * Starts `phasewatch <args>` from the TypeScript sources as a real child process
 * (stdout and stderr are pipes, so the CLI sees no terminal).
 */
export function startCli(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started child's output and resolves when it has exited and its pipes are closed. */
export function finished(child: ChildProcess, timeoutMs = 45_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`phasewatch ${child.spawnargs.slice(3).join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * At most this many short commands run at once: each start of the CLI costs about a second
 * of CPU (tsx and TensorFlow.js load), and more processes than cores only thrash.
 */
const MAX_PARALLEL = Math.max(2, os.availableParallelism());
let active = 0;
const queue: (() => void)[] = [];

async function withSlot<T>(task: () => Promise<T>): Promise<T> {
  if (active >= MAX_PARALLEL) await new Promise<void>((resolve) => queue.push(resolve));
  else active += 1;
  try {
    return await task();
  } finally {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  }
}

/** Runs `phasewatch <args>` to the end and returns its exit code and output. */
export function runCli(args: readonly string[], timeoutMs?: number): Promise<CliResult> {
  return withSlot(() => finished(startCli(args), timeoutMs));
}

/** Runs `phasewatch <args>` and fails (showing its output) unless it exits 0. */
export async function runCliOk(args: readonly string[], timeoutMs?: number): Promise<CliResult> {
  const result = await runCli(args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`phasewatch ${args.join(' ')} exited with ${result.code ?? result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return result;
}

/**
 * Resolves once `predicate` holds for the child's stdout so far (it keeps collecting, so
 * {@link finished} may be called before or after). Rejects if the child exits first.
 */
export function waitForStdout(child: ChildProcess, predicate: (stdout: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for output; stdout so far:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (predicate(seen)) done();
    };
    const onExit = () => done(new Error(`process exited before the expected output; stdout:\n${seen}`));
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(seen);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

type OnFinished = (fn: () => void) => void;

/**
 * A fresh temporary directory, removed when the current test finishes. Concurrent tests must
 * pass their context's `onTestFinished` (the global one cannot tell which test is current).
 */
export function tempDir(onFinished: OnFinished = onTestFinished): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cli-'));
  onFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Kills a child with SIGKILL when the test finishes if it is still running (after a failed assertion, say). */
export function killWhenFinished(child: ChildProcess, onFinished: OnFinished = onTestFinished): void {
  onFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** One row of `phasewatch runs --json`. */
export interface RunRow {
  id: number;
  name: string;
  preset: string;
  status: string;
  step: number;
  target: number;
  seed: number;
  backend: string;
  parent: string;
  updated: string;
}

/** The runs of a database, as `phasewatch runs --json` lists them. */
export async function listRuns(db: string): Promise<RunRow[]> {
  const { stdout } = await runCliOk(['runs', '--json', '--db', db]);
  return JSON.parse(stdout) as RunRow[];
}

/** `phasewatch export <id>` of a run, as text. */
export async function exportRun(db: string, id: number, format: 'csv' | 'ndjson' = 'csv'): Promise<string> {
  const { stdout } = await runCliOk(['export', String(id), '--format', format, '--db', db]);
  return stdout;
}

/** Progress lines (`step N/T …`) in a run's output, as step numbers in order. */
export function progressSteps(stdout: string): number[] {
  return [...stdout.matchAll(/^step\s+(\d+)\/\d+/gm)].map((m) => Number(m[1]));
}

/** The id of the run a `phasewatch run` created, from its `run <id> (…)` line. */
export function createdRunId(stdout: string): number {
  const match = /^run (\d+) \(/m.exec(stdout);
  if (!match) throw new Error(`no "run <id> (" line in:\n${stdout}`);
  return Number(match[1]);
}
