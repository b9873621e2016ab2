import { parentPort, workerData } from 'node:worker_threads';
import { analyseTrajectory, trajectoryFromRecords } from '../analysis/trajectory.js';
import { selectBackend } from '../model/backend.js';
import type { MetricRecord } from '../operators/frames.js';
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

async function runJob(store: Store, job: ValidationJob): Promise<void> {
  const run = new Run(job.config);
  if (job.settleRow) {
    const row = rowById(job.settleRow);
    const records: MetricRecord[] = [];
    run.metrics$.subscribe((record) => {
      records.push(record);
      if (record.step % CHECK_EVERY === 0 && row.settled(analyseTrajectory(trajectoryFromRecords(records), job.config.model.m))) {
        run.control.stop();
      }
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
