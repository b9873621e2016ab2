import { availableParallelism } from 'node:os';
import { analyseTrajectory, type PhaseMarks } from '../analysis/trajectory.js';
import { resolveConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import { RunManager } from '../streams/run-manager.js';
import type { Store } from '../store/store.js';
import { trajectoryFromStore } from '../validate/validate.js';
import { runJobs } from '../validate/worker-pool.js';
import type { PlannedRun, ReproducePlan } from './plan.js';

/** A planned run once trained: its stored id, config, how it ended and its phase marks. */
export interface TrainedRun extends PlannedRun {
  readonly runId: number;
  readonly config: RunConfig;
  readonly status: string;
  readonly marks: PhaseMarks;
  /** Trained fewer steps than its experiment asks for (`--max-steps`): a claim it fails is not reached, not refuted. */
  readonly capped: boolean;
}

/** A parent of the branch experiment and the branches its rules made. */
export interface BranchFamily {
  readonly seed: number;
  readonly parent: TrainedRun;
  readonly branches: readonly { readonly rule: string; readonly runId: number; readonly forkStep: number; readonly marks: PhaseMarks }[];
}

export interface ExecutedPlan {
  readonly runs: readonly TrainedRun[];
  readonly families: readonly BranchFamily[];
  readonly seconds: number;
}

export interface ExecuteOptions {
  readonly store: Store;
  readonly backend: string;
  /** Worker threads (default: the number of cores). */
  readonly jobs?: number;
  readonly write: (text: string) => void;
}

function configOf(plan: ReproducePlan, run: Pick<PlannedRun, 'preset' | 'sets' | 'seed'>): { config: RunConfig; capped: boolean } {
  const { config } = resolveConfig({ preset: run.preset, sets: [...run.sets], overrides: { seed: run.seed } });
  const capped = plan.maxSteps !== null && config.steps > plan.maxSteps;
  return { config: capped ? { ...config, steps: plan.maxSteps! } : config, capped };
}

const marksOf = (store: Store, runId: number, m: number) => analyseTrajectory(trajectoryFromStore(store, runId), m);

/**
 * Trains a reproduction plan: every planned run on the worker pool (one thread per core, the
 * longest first so that none is left alone at the end), then the branch families, each parent
 * beside its branches in threads of their own. Progress goes to `write`, one line per run.
 */
export async function executePlan(plan: ReproducePlan, options: ExecuteOptions): Promise<ExecutedPlan> {
  const { store, write } = options;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const planned = plan.runs.map((run) => {
    const { config, capped } = configOf(plan, run);
    const record = store.createRun({ name: `reproduce:${run.experiment}:${run.label}`, preset: run.preset, config, seed: run.seed, backend: options.backend, targetSteps: config.steps });
    return { run, config, capped, runId: record.id };
  });
  // m = 64 runs dominate: started first, they overlap everything else.
  const order = [...planned].sort((a, b) => cost(b.config) - cost(a.config));
  let done = 0;
  // The time left is read from the cost done so far, not the run count: the m = 64 runs weigh most.
  const total = planned.reduce((sum, p) => sum + cost(p.config), 0);
  let costDone = 0;
  const results = await runJobs(
    order.map((p) => ({ runId: p.runId, config: p.config, settleRow: p.run.settleRow ?? null, stopAfter: p.run.stopAfter })),
    options.jobs ?? availableParallelism(),
    { dbPath: store.path, backend: options.backend },
    (result) => {
      done += 1;
      const p = planned.find((x) => x.runId === result.runId)!;
      costDone += cost(p.config);
      const left = (elapsed() / costDone) * (total - costDone);
      write(`  [${done}/${planned.length}] ${p.run.experiment}: ${p.run.label}, seed ${p.run.seed} — ${result.status} at step ${result.step}${result.error ? `: ${result.error}` : ''} (${elapsed().toFixed(0)} s, ≈ ${left.toFixed(0)} s left)\n`);
    },
  );
  const statusOf = new Map(results.map((r) => [r.runId, r.status]));
  const runs = planned.map(({ run, config, capped, runId }) => ({ ...run, runId, config, capped, status: statusOf.get(runId) ?? 'missing', marks: marksOf(store, runId, config.model.m) }));

  const families: BranchFamily[] = [];
  for (const seed of plan.branch.seeds) families.push(await trainFamily(plan, seed, options));
  write(`  branch experiment: ${families.length} parent(s), ${families.reduce((n, f) => n + f.branches.length, 0)} branch(es) (${elapsed().toFixed(0)} s)\n`);
  return { runs, families, seconds: elapsed() };
}

/** Relative cost of a run: steps × batch × (m² for the m×m products that dominate at large m). */
function cost(config: RunConfig): number {
  return config.steps * config.data.batchSize * Math.max(4, config.model.m) ** 2;
}

/** A default run with the branch rules, trained with its branches until all have ended. */
async function trainFamily(plan: ReproducePlan, seed: number, options: ExecuteOptions): Promise<BranchFamily> {
  const { store } = options;
  const { config, capped } = configOf(plan, { preset: 'default', sets: plan.branch.sets, seed });
  const manager = new RunManager(store, options.backend, { threads: availableParallelism() >= 2 });
  const forks: { runId: number; forkStep: number }[] = [];
  const outcomes: Promise<unknown>[] = [];
  try {
    manager.events$.subscribe((event) => {
      if (event.type !== 'branched') return;
      forks.push({ runId: event.runId, forkStep: event.forkStep });
      outcomes.push(manager.requireLive(event.runId).outcome);
    });
    const parent = manager.start(config, { preset: 'default', name: `reproduce:branch:seed ${seed}`, branchRules: plan.branch.rules });
    outcomes.push(parent.outcome);
    // Branches appear while the parent trains: wait until no run is left, new ones included.
    for (let waited = 0; waited < outcomes.length; ) {
      const batch = outcomes.slice(waited);
      waited = outcomes.length;
      await Promise.all(batch);
    }
    const parentRun: TrainedRun = {
      experiment: 'phases',
      label: 'branch parent',
      preset: 'default',
      sets: plan.branch.sets,
      seed,
      runId: parent.id,
      config,
      status: store.getRun(parent.id)?.status ?? 'missing',
      marks: marksOf(store, parent.id, config.model.m),
      capped,
    };
    return {
      seed,
      parent: parentRun,
      branches: forks.map((f) => ({ ...f, rule: ruleOf(store.getRun(f.runId)?.name ?? '', plan), marks: marksOf(store, f.runId, config.model.m) })),
    };
  } finally {
    await manager.close();
  }
}

/** The rule a branch was made by, from the name the manager gives it (`… + on phase:II: head.mode=none`). */
function ruleOf(name: string, plan: ReproducePlan): string {
  return plan.branch.rules.find((r) => name.includes(`on ${r.on}:`))?.on ?? name;
}
