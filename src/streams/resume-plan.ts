import { validateConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { TrainStateSnapshot } from '../model/train-state.js';
import { memoryFromExtras, type RunMemory } from './run-memory.js';
import { decodeCheckpoint } from '../store/checkpoint-codec.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';

/** What continuing a stored run needs: its config (with a new target), and where to start. */
export interface ResumePlan {
  readonly run: RunRecord;
  readonly config: RunConfig;
  /** The step of the checkpoint it continues from (0 when there is none). */
  readonly from: number;
  readonly snapshot: TrainStateSnapshot | undefined;
  /** The detectors' and plug-ins' memory saved with that checkpoint (absent in checkpoints from before detection existed). */
  readonly memory: RunMemory | undefined;
}

/**
 * Checks that a stored run can continue and finds its last checkpoint.
 * @param steps a new total; default the run's own target
 * @throws UsageError when the run is still running elsewhere or already at its target
 */
export function planResume(store: Store, runId: number, steps?: number): ResumePlan {
  const run = store.requireRun(runId);
  if (run.status === 'running' && !store.isStale(run)) {
    throw new UsageError(`run ${runId} is still running (pid ${run.pid} on ${run.host}); stop it first`);
  }
  const config = validateConfig({ ...(run.config as object), ...(steps !== undefined ? { steps } : {}) });
  const checkpoint = store.latestCheckpoint(runId);
  const from = checkpoint?.step ?? 0;
  if (from >= config.steps) {
    throw new UsageError(`run ${runId} is already at step ${from} of ${config.steps}; pass a larger total number of steps to extend it`);
  }
  const payload = checkpoint ? decodeCheckpoint(checkpoint.state) : undefined;
  return { run, config, from, snapshot: payload?.train, memory: memoryFromExtras(payload?.extras) };
}

/** Readies the store for a resume: drops points and events past the checkpoint (they will be recomputed). */
export function applyResume(store: Store, plan: ResumePlan, backend: string): void {
  store.transaction(() => {
    store.deletePointsAfter(plan.run.id, plan.from);
    store.deleteEventsAfter(plan.run.id, plan.from);
  });
  store.updateRun(plan.run.id, { targetSteps: plan.config.steps, backend, step: plan.from });
}
