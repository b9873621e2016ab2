import { deepMerge, parseAssignments, validateConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { TrainStateSnapshot } from '../model/train-state.js';
import { memoryExtras, memoryFromExtras, type RunMemory } from './run-memory.js';
import { decodeCheckpoint, encodeCheckpoint } from '../store/checkpoint-codec.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';

/** What to branch: a run, where, and how its settings change. */
export interface BranchRequest {
  readonly parentId: number;
  /** The fork step: a step the parent has a checkpoint at (default: its latest; for a live parent, its current step). */
  readonly at?: number;
  /** `key.path=value` assignments, as on the command line. */
  readonly sets?: readonly string[];
  /** Total steps of the branch (default: the parent's target). */
  readonly steps?: number;
  readonly name?: string;
}

/** The state of a live parent at its current step, taken between two steps. */
export interface LiveFork {
  readonly snapshot: TrainStateSnapshot;
  readonly memory: RunMemory;
}

export interface BranchPlan {
  readonly parent: RunRecord;
  readonly config: RunConfig;
  readonly forkStep: number;
  readonly snapshot: TrainStateSnapshot;
  readonly memory: RunMemory | undefined;
  /** The patch as given, nested. */
  readonly patch: Record<string, unknown>;
  readonly name: string;
}

/**
 * Checks that a branch can be made and finds the state it starts from: the parent's
 * checkpoint at the fork step (or the live parent's state now), the parent's config with the
 * patch applied, validated like any config. A patch that cannot continue the saved state — a
 * different d or m — is refused with the reason.
 * @example const plan = planBranch(store, { parentId: 3, at: 4400, sets: ['head.mode=none'] });
 * @throws UsageError, ConfigError
 */
export function planBranch(store: Store, request: BranchRequest, live?: LiveFork): BranchPlan {
  const parent = store.requireRun(request.parentId);
  const patch = parseAssignments(request.sets ?? []);
  const base = parent.config as Record<string, unknown>;
  const config = validateConfig(deepMerge(deepMerge(base, patch), request.steps !== undefined ? { steps: request.steps } : {}));
  const old = validateConfig(base);
  if (config.data.d !== old.data.d || config.model.m !== old.model.m) {
    throw new UsageError(
      `cannot branch run ${parent.id} with data.d = ${config.data.d}, model.m = ${config.model.m}: the branch continues the parent's state, which has d = ${old.data.d} and m = ${old.model.m}; start a new run to change them`,
    );
  }

  let snapshot: TrainStateSnapshot;
  let memory: RunMemory | undefined;
  if (live && (request.at === undefined || request.at === live.snapshot.step)) {
    ({ snapshot, memory } = live);
  } else {
    const checkpoint = request.at === undefined ? store.latestCheckpoint(parent.id) : store.getCheckpoint(parent.id, request.at);
    if (!checkpoint) {
      const steps = store.listCheckpoints(parent.id).map((c) => c.step);
      if (steps.length === 0) throw new UsageError(`run ${parent.id} has no checkpoint${request.at === undefined ? '' : ` at step ${request.at}`} to branch from yet`);
      // The checkpoints around the step asked for: the three before it and the two after.
      const before = steps.filter((s) => s < request.at!).slice(-3);
      const after = steps.filter((s) => s > request.at!).slice(0, 2);
      const more = steps.length > before.length + after.length ? ' (and others)' : '';
      throw new UsageError(`run ${parent.id} has no checkpoint at step ${request.at}; it has checkpoints at ${[...before, ...after].join(', ')}${more}; branch at one of them (or at a live run's current step)`);
    }
    const payload = decodeCheckpoint(checkpoint.state);
    snapshot = payload.train;
    memory = memoryFromExtras(payload.extras);
  }
  const forkStep = snapshot.step;
  if (config.steps <= forkStep) throw new UsageError(`the branch would have nothing to train: it forks at step ${forkStep} and its target is ${config.steps} steps; pass a larger --steps`);
  // Change-point detectors are tied to their settings; with new ones they start afresh.
  if (memory && JSON.stringify(config.phases.changePoints) !== JSON.stringify(old.phases.changePoints)) memory = { ...memory, detector: { ...memory.detector, changePoints: {} } };
  return { parent, config, forkStep, snapshot, memory, patch, name: request.name ?? `${parent.name} + ${request.sets?.join(' ') || 'copy'}` };
}

/**
 * Records a planned branch: a run with its parent and fork step (its history up to the fork is
 * the parent's, read through), and its starting state as its own checkpoint at the fork step,
 * so it can be resumed like any run before it has saved one of its own.
 */
export function createBranch(store: Store, plan: BranchPlan, backend: string): RunRecord {
  return store.transaction(() => {
    const run = store.createRun({
      name: plan.name,
      preset: plan.parent.preset,
      config: plan.config,
      seed: plan.config.seed,
      backend,
      targetSteps: plan.config.steps,
      parentId: plan.parent.id,
      forkStep: plan.forkStep,
    });
    store.saveCheckpoint(run.id, plan.forkStep, 'fork', encodeCheckpoint({ train: plan.snapshot, ...memoryExtras(plan.memory) }));
    return store.updateRun(run.id, { step: plan.forkStep, status: 'created' });
  });
}
