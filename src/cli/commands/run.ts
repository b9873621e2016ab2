import { Command } from 'commander';
import { selectBackend } from '../../model/backend.js';
import { MetricModules } from '../../operators/metrics/metric-modules.js';
import { Store } from '../../store/store.js';
import type { BranchRule } from '../../streams/branch-rules.js';
import { executeRun } from '../execute-run.js';
import { executeWithBranches } from '../execute-branching.js';
import { addBranchOnOption, addConfigOptions, backendOption, configFromOptions, dbOption, parseCount, type ConfigOptions } from '../options.js';
import { describeBackend, describeModules, progressFor, type CommonOptions } from '../shared.js';

interface RunOptions extends CommonOptions, ConfigOptions {
  name?: string;
}

/** `phasewatch run`: train one run headless, with progress in the terminal. */
export function runCommand(branchRules: readonly BranchRule[] = []): Command {
  return addBranchOnOption(addConfigOptions(new Command('run')))
    .description('train a run in this terminal and record it in the database')
    .addOption(dbOption())
    .addOption(backendOption())
    .option('--name <name>', 'a name for the run (default: the preset)')
    .option('--log-every <n>', 'when output is not a terminal, print a progress line every n steps', parseCount('--log-every'))
    .option('-q, --quiet', 'no progress output')
    .action(async (options: RunOptions) => {
      const { config, preset } = configFromOptions(options);
      // A plug-in that does not load is refused before anything is recorded.
      const modules = await MetricModules.load(config.metrics.plugins);
      const backend = await selectBackend(options.backend);
      const store = Store.open(options.db);
      try {
        if (branchRules.length) {
          const failed = await executeWithBranches({ store, backend: backend.name, config, preset, name: options.name, rules: branchRules, modules, quiet: options.quiet, write: (t) => void process.stdout.write(t) });
          if (failed) process.exitCode = 1;
          return;
        }
        const record = store.createRun({
          name: options.name ?? preset ?? 'custom',
          preset,
          config,
          seed: config.seed,
          backend: backend.name,
          targetSteps: config.steps,
        });
        if (!options.quiet) {
          process.stdout.write(`${describeBackend(backend)}\n${describeModules(modules)}run ${record.id} (${record.name}, seed ${config.seed}, ${config.steps} steps) → ${store.path}\n`);
        }
        const outcome = await executeRun({ store, runId: record.id, config, modules, progress: progressFor(options, config.steps), handleSignals: true });
        if (outcome.status === 'failed') process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}
