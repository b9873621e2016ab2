import { Command } from 'commander';
import { selectBackend } from '../../model/backend.js';
import { MetricModules, withMetricFiles } from '../../operators/metrics/metric-modules.js';
import { createBranch, planBranch } from '../../streams/branch-plan.js';
import { executeRun } from '../execute-run.js';
import { addMetricsOption, backendOption, collect, dbOption, openExistingStore, parseCount, parseRunId } from '../options.js';
import { describeBackend, describeModules, progressFor, type CommonOptions } from '../shared.js';

interface BranchOptions extends CommonOptions {
  at?: number;
  set: string[];
  steps?: number;
  name?: string;
  metrics: string[];
}

/** `phasewatch branch <run>`: continue a run's state from one of its checkpoints with changed settings, as a new run. */
export function branchCommand(): Command {
  return addMetricsOption(new Command('branch'))
    .description('branch a run at one of its checkpoints with changed settings and train the branch (its history up to the fork is the parent’s)')
    .argument('<run>', 'the parent run id (see `phasewatch runs`)', parseRunId)
    .option('--at <step>', 'fork at this checkpointed step (default: the parent’s latest checkpoint)', parseCount('--at', 0))
    .option('-s, --set <key=value...>', 'change a setting from the fork on, e.g. --set head.mode=none optim.lrE=0', collect, [])
    .option('--steps <n>', 'total steps of the branch (default: the parent’s target)', parseCount('--steps'))
    .option('--name <name>', 'a name for the branch')
    .addOption(dbOption())
    .addOption(backendOption())
    .option('--log-every <n>', 'when output is not a terminal, print a progress line every n steps', parseCount('--log-every'))
    .option('-q, --quiet', 'no progress output')
    .action(async (parentId: number, options: BranchOptions) => {
      const store = openExistingStore(options.db);
      try {
        const planned = planBranch(store, { parentId, at: options.at, sets: options.set, steps: options.steps, name: options.name });
        // --metrics adds plug-ins from the fork on; the parent's own must still load.
        const plan = { ...planned, config: withMetricFiles(planned.config, options.metrics) };
        const modules = await MetricModules.load(plan.config.metrics.plugins);
        const backend = await selectBackend(options.backend);
        const record = createBranch(store, plan, backend.name);
        if (!options.quiet) {
          process.stdout.write(`${describeBackend(backend)}\n${describeModules(modules)}`);
          process.stdout.write(`run ${record.id} (${record.name}) branches run ${parentId} at step ${plan.forkStep}${options.set.length ? ` with ${options.set.join(', ')}` : ' unchanged'}, to ${plan.config.steps} steps → ${store.path}\n`);
        }
        const outcome = await executeRun({
          store,
          runId: record.id,
          config: plan.config,
          snapshot: plan.snapshot,
          memory: plan.memory,
          modules,
          progress: progressFor(options, plan.config.steps),
          handleSignals: true,
        });
        if (outcome.status === 'failed') process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}
