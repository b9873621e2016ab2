import { availableParallelism } from 'node:os';
import { analyseTrajectory, type PhaseMarks } from '../analysis/trajectory.js';
import { resolveConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import { RunManager } from '../streams/run-manager.js';
import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';
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

/** The stored name of a planned run, which {@link readExecutedPlan} matches runs by. */
const runName = (run: PlannedRun) => `reproduce:${run.experiment}:${run.label}`;
const familyName = (seed: number) => `reproduce:branch:seed ${seed}`;

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
    const record = store.createRun({ name: runName(run), preset: run.preset, config, seed: run.seed, backend: options.backend, targetSteps: config.steps });
    return { run, config, capped, runId: record.id };
  });
  // m = 64 runs dominate: started first, they overlap everything else.
  const order = [...planned].sort((a, b) => cost(b.config) - cost(a.config));
  let done = 0;
  // The time left is read from the cost done so far, not the run count: the m = 64 runs weigh most.
  const total = planned.reduce((sum, p) => sum + cost(p.config), 0);
  let costDone = 0;
  await runJobs(
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
  for (const seed of plan.branch.seeds) await trainFamily(plan, seed, options);
  const executed = readExecutedPlan(plan, store, elapsed());
  write(`  branch experiment: ${executed.families.length} parent(s), ${executed.families.reduce((n, f) => n + f.branches.length, 0)} branch(es) (${elapsed().toFixed(0)} s)\n`);
  return executed;
}

/**
 * The results of a plan as stored: its runs, matched in order by name, and the branch families
 * (parents by name, branches by lineage), each with its phase marks read off the trajectory.
 * `reproduce --report-only` reads a finished database this way.
 * @throws UsageError when the database holds the runs of another plan
 */
export function readExecutedPlan(plan: ReproducePlan, store: Store, seconds?: number): ExecutedPlan {
  const stored = store.listRuns().sort((a, b) => a.id - b.id);
  const top = stored.filter((r) => r.parentId === null && r.name.startsWith('reproduce:') && !r.name.startsWith('reproduce:branch:'));
  const mismatch = plan.runs.findIndex((run, i) => top[i]?.name !== runName(run) || top[i]?.seed !== run.seed);
  if (top.length !== plan.runs.length || mismatch >= 0) {
    throw new UsageError(`${store.path} holds the runs of another plan (${top.length} runs, expected ${plan.runs.length}${mismatch >= 0 ? `; run ${mismatch + 1} differs` : ''}): give the same --quick and --seeds as when it was made, or rerun without --report-only`);
  }
  const trained = (run: PlannedRun, record: RunRecord): TrainedRun => {
    const config = record.config as RunConfig;
    return { ...run, runId: record.id, config, capped: plan.maxSteps !== null && configOf(plan, run).capped, status: record.status, marks: marksOf(store, record.id, config.model.m) };
  };
  const runs = plan.runs.map((run, i) => trained(run, top[i]));
  const families = plan.branch.seeds.flatMap((seed): BranchFamily[] => {
    const parent = stored.find((r) => r.name === familyName(seed));
    if (!parent) return [];
    const config = parent.config as RunConfig;
    return [
      {
        seed,
        parent: trained({ experiment: 'phases', label: 'branch parent', preset: 'default', sets: plan.branch.sets, seed }, parent),
        branches: stored
          .filter((r) => r.parentId === parent.id)
          .map((r) => ({ rule: ruleOf(r.name, plan), runId: r.id, forkStep: r.forkStep ?? 0, marks: marksOf(store, r.id, config.model.m) })),
      },
    ];
  });
  const times = stored.flatMap((r) => [Date.parse(r.createdAt), Date.parse(r.finishedAt ?? r.updatedAt)]);
  return { runs, families, seconds: seconds ?? (Math.max(...times) - Math.min(...times)) / 1000 };
}

/** Relative cost of a run: steps × batch × (m² for the m×m products that dominate at large m). */
function cost(config: RunConfig): number {
  return config.steps * config.data.batchSize * Math.max(4, config.model.m) ** 2;
}

/** A default run with the branch rules, trained with its branches until all have ended. */
async function trainFamily(plan: ReproducePlan, seed: number, options: ExecuteOptions): Promise<void> {
  const { config } = configOf(plan, { preset: 'default', sets: plan.branch.sets, seed });
  const manager = new RunManager(options.store, options.backend, { threads: availableParallelism() >= 2 });
  const outcomes: Promise<unknown>[] = [];
  try {
    manager.events$.subscribe((event) => {
      if (event.type === 'branched') outcomes.push(manager.requireLive(event.runId).outcome);
    });
    outcomes.push(manager.start(config, { preset: 'default', name: familyName(seed), branchRules: plan.branch.rules }).outcome);
    // Branches appear while the parent trains: wait until no run is left, new ones included.
    for (let waited = 0; waited < outcomes.length; ) {
      const batch = outcomes.slice(waited);
      waited = outcomes.length;
      await Promise.all(batch);
    }
  } finally {
    await manager.close();
  }
}

/** The rule a branch was made by, from the name the manager gives it (`… + on phase:II: head.mode=none`). */
function ruleOf(name: string, plan: ReproducePlan): string {
  return plan.branch.rules.find((r) => name.includes(`on ${r.on}:`))?.on ?? name;
}
