import { parentPort, workerData } from 'node:worker_threads';
import { analyseTrajectory, trajectoryFromRecords, type PhaseMarks } from '../analysis/trajectory.js';
import { selectBackend } from '../model/backend.js';
import type { MetricRecord } from '../operators/frames.js';
import { metricPluginsFor } from '../operators/metrics/metric-modules.js';
import { Run } from '../streams/run.js';
import { trainRecorded } from '../streams/run-recorder.js';
import { Store } from '../store/store.js';
import { rowById } from './rows.js';
import type { FromWorker, ToWorker, ValidationJob, WorkerSetup } from './worker-protocol.js';

/** How often (in steps) a running job checks whether its outcome is settled. */
const CHECK_EVERY = 500;

const port = parentPort!;
const setup = workerData as WorkerSetup;
const send = (message: FromWorker) => port.postMessage(message);

/** Whether a job's stopping rules say its run may end now. */
function settled(job: ValidationJob, marks: PhaseMarks): boolean {
  if (job.settleRow && rowById(job.settleRow).settled(marks)) return true;
  const at = job.stopAfter ? marks[job.stopAfter.mark] : null;
  return at !== null && marks.lastStep >= at + job.stopAfter!.steps;
}

async function runJob(store: Store, job: ValidationJob): Promise<void> {
  const run = new Run(job.config, { plugins: await metricPluginsFor(job.config) });
  if (job.settleRow || job.stopAfter) {
    const records: MetricRecord[] = [];
    // A run stopping at an early mark (T1 ≈ 150 steps at a large η) is checked more often.
    const every = job.stopAfter ? Math.max(job.config.log.metricsEvery, 50) : CHECK_EVERY;
    run.metrics$.subscribe((record) => {
      records.push(record);
      if (record.step % every === 0 && settled(job, analyseTrajectory(trajectoryFromRecords(records), job.config.model.m))) run.control.stop();
    });
  }
  const outcome = await trainRecorded(run, store, job.runId);
  send({ type: 'done', runId: job.runId, status: outcome.status, step: outcome.step, ...(outcome.status === 'failed' ? { error: outcome.error.message } : {}) });
}

try {
  const backend = await selectBackend(setup.backend);
  const store = Store.open(setup.dbPath);
  let queue = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'exit') {
      queue = queue.then(() => {
        store.close();
        port.close();
      });
      return;
    }
    queue = queue.then(() => runJob(store, message.job)).catch((error: unknown) => send({ type: 'done', runId: message.job.runId, status: 'failed', step: 0, error: String(error) }));
  });
  send({ type: 'ready', backend: backend.name });
} catch (error) {
  send({ type: 'fatal', error: error instanceof Error ? error.message : String(error) });
}
