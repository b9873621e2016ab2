import type { RunConfig } from '../config/schema.js';
import type { TrainStateSnapshot } from '../model/train-state.js';
import { MetricModules } from '../operators/metrics/metric-modules.js';
import type { RunMemory } from '../streams/run-memory.js';
import { Run, type RunOutcome } from '../streams/run.js';
import { trainRecorded } from '../streams/run-recorder.js';
import type { Store } from '../store/store.js';
import { ProgressReporter } from './progress.js';

export interface ExecuteRunOptions {
  readonly store: Store;
  readonly runId: number;
  readonly config: RunConfig;
  readonly snapshot?: TrainStateSnapshot;
  readonly memory?: RunMemory;
  /** The plug-in modules loaded for this run (default: loaded now from `config.metrics.plugins`). */
  readonly modules?: MetricModules;
  /** Progress output; omitted for silent runs. */
  readonly progress?: { readonly tty: boolean; readonly every: number; readonly write: (text: string) => void };
  /** Stop cleanly (checkpoint, status `stopped`) on the first SIGINT/SIGTERM. */
  readonly handleSignals?: boolean;
}

/**
 * Trains one stored run to its target: wires the run to the store (points, checkpoints,
 * status) and to the terminal, and turns Ctrl-C into a clean, resumable stop.
 */
export async function executeRun(options: ExecuteRunOptions): Promise<RunOutcome> {
  const { store, runId, config } = options;
  const run = new Run(config, { snapshot: options.snapshot, memory: options.memory, plugins: (options.modules ?? (await MetricModules.load(config.metrics.plugins))).pluginsFor(config) });
  const reporter = options.progress ? new ProgressReporter({ total: config.steps, phase: run.detector.phase, ...options.progress }) : null;
  if (reporter) run.metrics$.subscribe((record) => reporter.update(record));

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    options.progress?.write(`\n${signal}: stopping after the current step (press again to quit at once; the run stays resumable)\n`);
    run.control.stop();
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const outcome = await trainRecorded(run, store, runId);
    const stepsText = `${outcome.step}/${config.steps} steps`;
    if (outcome.status === 'failed') reporter?.finish(`run ${runId} failed at step ${outcome.step}: ${outcome.error.message}`);
    else reporter?.finish(`run ${runId} ${outcome.status} (${stepsText})`);
    return outcome;
  } finally {
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
