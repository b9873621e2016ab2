/**
 * A worker thread that trains one run: its own tfjs backend and database connection, the
 * recorder writing points, events and checkpoints, and messages to the main thread with every
 * record, control change, rule fork and the ending. Commands arrive between slices of steps,
 * so each takes effect at a step boundary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../model/backend.js';
import { metricPluginsFor } from '../operators/metrics/metric-modules.js';
import { Store } from '../store/store.js';
import { ruleForks } from './rule-forks.js';
import { Run } from './run.js';
import { startRecorded } from './run-recorder.js';
import type { BranchRule } from './branch-rules.js';
import type { FromRunThread, RunThreadSetup, ToRunThread } from './run-thread-protocol.js';

const port = parentPort!;
const setup = workerData as RunThreadSetup;
const send = (message: FromRunThread) => port.postMessage(message);

try {
  await selectBackend(setup.backend);
  const store = Store.open(setup.dbPath);
  // The main thread has checked that these modules are ones it loaded; this thread imports its own copies.
  const plugins = await metricPluginsFor(setup.config);
  const run = new Run(setup.config, { snapshot: setup.snapshot, memory: setup.memory, plugins });
  run.metrics$.subscribe((record) => send({ type: 'record', record, step: run.state.step }));
  run.control.state$.subscribe((state) => send({ type: 'control', state, step: run.state.step }));
  const watch = (rules: readonly BranchRule[]) => ruleForks(run, rules).subscribe({ next: ({ rule, fork }) => send({ type: 'rule-fork', rule, ...fork }) });
  watch(setup.rules);
  const { recorder, outcome } = startRecorded(run, store, setup.runId);
  port.on('message', (message: ToRunThread) => {
    let fork: { snapshot: ReturnType<Run['state']['snapshot']>; memory: ReturnType<Run['memory']> } | undefined;
    if (message.type === 'command') run.control.apply(message.action, message.n);
    else if (message.type === 'flush') recorder.flush();
    else if (message.type === 'rule') watch([message.rule]);
    else if (run.control.state !== 'stopped') fork = { snapshot: run.state.snapshot(), memory: run.memory() };
    send({ type: 'reply', id: message.id, state: run.control.state, step: run.state.step, ...(fork ? { fork } : {}) });
  });
  send({ type: 'started' });
  const result = await outcome;
  store.close();
  send({ type: 'ended', status: result.status, step: result.step, ...(result.status === 'failed' ? { error: result.error.message } : {}) });
  port.close();
} catch (error) {
  send({ type: 'fatal', error: error instanceof Error ? error.message : String(error) });
  port.close();
}
