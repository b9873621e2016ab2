import { Command } from 'commander';
import { resolveConfig } from '../../config/load.js';
import { selectBackend } from '../../model/backend.js';
import { Store } from '../../store/store.js';
import type { BranchRule } from '../../streams/branch-rules.js';
import { executeRun } from '../execute-run.js';
import { executeWithBranches } from '../execute-branching.js';
import { addBranchOnOption, addConfigOptions, backendOption, dbOption, parseCount } from '../options.js';
import { describeBackend, progressFor, type CommonOptions } from '../shared.js';

interface RunOptions extends CommonOptions {
  preset?: string;
  config?: string;
  set: string[];
  steps?: number;
  seed?: number;
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
      const { config, preset } = resolveConfig({
        preset: options.preset,
        file: options.config,
        sets: options.set,
        overrides: {
          ...(options.steps !== undefined ? { steps: options.steps } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        },
      });
      const backend = await selectBackend(options.backend);
      const store = Store.open(options.db);
      try {
        if (branchRules.length) {
          const failed = await executeWithBranches({ store, backend: backend.name, config, preset, name: options.name, rules: branchRules, quiet: options.quiet, write: (t) => void process.stdout.write(t) });
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
          process.stdout.write(`${describeBackend(backend)}\nrun ${record.id} (${record.name}, seed ${config.seed}, ${config.steps} steps) → ${store.path}\n`);
        }
        const outcome = await executeRun({ store, runId: record.id, config, progress: progressFor(options, config.steps), handleSignals: true });
        if (outcome.status === 'failed') process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}
