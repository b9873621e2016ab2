import { Command } from 'commander';
import { selectBackend } from '../../model/backend.js';
import { applyResume, planResume } from '../../streams/resume-plan.js';
import { executeRun } from '../execute-run.js';
import { backendOption, dbOption, openExistingStore, parseCount, parseRunId } from '../options.js';
import { describeBackend, progressFor, type CommonOptions } from '../shared.js';

interface ResumeOptions extends CommonOptions {
  steps?: number;
}

/** `phasewatch resume <run>`: continue a stopped, paused, failed or interrupted run. */
export function resumeCommand(): Command {
  return new Command('resume')
    .description('continue a run from its last checkpoint (bit-identical to an uninterrupted run on the same backend)')
    .argument('<run>', 'run id (see `phasewatch runs`)', parseRunId)
    .option('--steps <n>', 'new total number of steps (default: the run’s target)', parseCount('--steps'))
    .addOption(dbOption())
    .addOption(backendOption())
    .option('--log-every <n>', 'when output is not a terminal, print a progress line every n steps', parseCount('--log-every'))
    .option('-q, --quiet', 'no progress output')
    .action(async (runId: number, options: ResumeOptions) => {
      const store = openExistingStore(options.db);
      try {
        const plan = planResume(store, runId, options.steps);
        const { run, config, from } = plan;
        const backend = await selectBackend(options.backend);
        if (!options.quiet) {
          process.stdout.write(`${describeBackend(backend)}\n`);
          if (backend.name !== run.backend) {
            process.stdout.write(`note: run ${runId} was trained on ${run.backend}; continuing on ${backend.name} is exact in distribution but not bit for bit\n`);
          }
          process.stdout.write(`resuming run ${runId} (${run.name}) from step ${from} to ${config.steps} → ${store.path}\n`);
        }
        applyResume(store, plan, backend.name);
        const { snapshot, memory } = plan;
        const outcome = await executeRun({ store, runId, config, snapshot, memory, progress: progressFor(options, config.steps), handleSignals: true });
        if (outcome.status === 'failed') process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}
