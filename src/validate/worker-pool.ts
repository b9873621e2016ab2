import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ValidationJob, WorkerSetup } from './worker-protocol.js';

export type JobResult = Extract<FromWorker, { type: 'done' }>;

/**
 * Starts a worker thread on a module next to this one. Under a TypeScript runner (tests) the
 * module is the .ts source, loaded through tsx; in the built package it is the .js file.
 */
export function startModuleWorker(moduleUrl: URL, workerData: unknown): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, { workerData });
  // A worker does not inherit the parent's TypeScript loader: register tsx in it first.
  const tsx = tsxEsmApi();
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The file URL of tsx's ESM register API (a devDependency, present wherever .ts sources run). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(require.resolve('tsx/package.json')), manifest.exports['./esm/api'].import.default)).href;
}

/**
 * Runs validation jobs on `size` worker threads (each with its own tfjs backend and database
 * connection), a job at a time per worker, and reports each result as it arrives.
 */
export async function runJobs(jobs: readonly ValidationJob[], size: number, setup: WorkerSetup, onResult: (result: JobResult) => void): Promise<JobResult[]> {
  const results: JobResult[] = [];
  const queue = [...jobs];
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const workers = Array.from({ length: Math.max(1, Math.min(size, jobs.length)) }, () => startModuleWorker(new URL(`./worker.${extension}`, import.meta.url), setup));
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const next = () => {
            const job = queue.shift();
            if (job) worker.postMessage({ type: 'job', job });
            else {
              worker.postMessage({ type: 'exit' });
            }
          };
          worker.on('message', (message: FromWorker) => {
            if (message.type === 'ready') next();
            else if (message.type === 'done') {
              results.push(message);
              onResult(message);
              next();
            } else if (message.type === 'fatal') reject(new Error(`validation worker failed to start: ${message.error}`));
          });
          worker.on('error', (error: unknown) => reject(error instanceof Error ? error : new Error(`validation worker: ${JSON.stringify(error)}`)));
          worker.on('exit', () => resolve());
        }),
    ),
  );
  return results;
}
