import { startModuleWorker } from '../streams/module-worker.js';
import type { FromWorker, ValidationJob, WorkerSetup } from './worker-protocol.js';

export type JobResult = Extract<FromWorker, { type: 'done' }>;

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
