import { availableParallelism } from 'node:os';
import type { RunConfig } from '../config/schema.js';
import type { MetricModules } from '../operators/metrics/metric-modules.js';
import type { BranchRule } from '../streams/branch-rules.js';
import { RunManager } from '../streams/run-manager.js';
import type { Store } from '../store/store.js';

export interface ExecuteWithBranchesOptions {
  readonly store: Store;
  readonly backend: string;
  readonly config: RunConfig;
  readonly preset: string | null;
  readonly name?: string;
  readonly rules: readonly BranchRule[];
  /** The plug-in modules the run and its branches may use. */
  readonly modules?: MetricModules;
  readonly quiet?: boolean;
  readonly write: (text: string) => void;
}

/**
 * `phasewatch run --branch-on …`: trains the run and, as its rules fire, its branches, side by
 * side in this process, printing each transition, branch and ending; Ctrl-C stops them all with
 * a checkpoint. Resolves once every run has ended, true if any failed.
 */
export async function executeWithBranches(options: ExecuteWithBranchesOptions): Promise<boolean> {
  const { store, write } = options;
  // A branch trains beside its parent: with two cores, in threads of their own.
  const manager = new RunManager(store, options.backend, { threads: availableParallelism() >= 2, modules: options.modules });
  const outcomes: Promise<unknown>[] = [];
  let failed = false;
  const say = (text: string) => options.quiet || write(`${text}\n`);
  const follow = (runId: number) => {
    const live = manager.requireLive(runId);
    live.run.metrics$.subscribe((record) => {
      for (const e of record.events ?? []) if (e.kind !== 'change-point') say(`run ${runId} step ${e.detectedAt}: ${e.message}`);
    });
    outcomes.push(live.outcome);
  };
  manager.events$.subscribe((event) => {
    if (event.type === 'branched') {
      say(`run ${event.runId} branches run ${event.parentId} at step ${event.forkStep}: ${store.getRun(event.runId)?.name}`);
      follow(event.runId);
    } else if (event.type === 'branch-failed') {
      failed = true;
      say(`run ${event.runId}: could not branch on ${event.rule}: ${event.error}`);
    } else if (event.type === 'ended') {
      if (event.outcome.status === 'failed') failed = true;
      say(`run ${event.runId} ${event.outcome.status} at step ${event.outcome.step}${event.outcome.status === 'failed' ? `: ${event.outcome.error.message}` : ''}`);
    }
  });
  const onSignal = () => {
    say('stopping every run after its current step (each stays resumable)');
    void manager.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const live = manager.start(options.config, { preset: options.preset, name: options.name, branchRules: options.rules });
    say(`run ${live.id} (${options.config.steps} steps) → ${store.path}; branches on ${options.rules.map((r) => `${r.on} [${r.sets.join(' ') || 'no change'}]`).join(', ')}`);
    follow(live.id);
    // Branches start while earlier runs train; wait until no run is left.
    for (let awaited = 0; awaited < outcomes.length; ) {
      const count = outcomes.length;
      await Promise.all(outcomes);
      awaited = count;
    }
    await manager.close();
    return failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
