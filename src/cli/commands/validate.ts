import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors.js';
import { selectBackend } from '../../model/backend.js';
import { Store } from '../../store/store.js';
import { VALIDATION_ROWS } from '../../validate/rows.js';
import { detectionPasses, validate } from '../../validate/validate.js';
import { backendOption, dbOption, parseCount } from '../options.js';
import { describeBackend } from '../shared.js';

interface ValidateCliOptions {
  db: string;
  backend?: string;
  seeds?: number;
  steps?: number;
  rows?: string;
  jobs?: number;
  quick?: boolean;
  full?: boolean;
  phases?: boolean;
}

/** `phasewatch validate`: run the SPEC §4 table and say whether each row holds. */
export function validateCommand(): Command {
  return new Command('validate')
    .description('run the SPEC §4 table (the default preset and each ablation over 5 seeds) and check each claim; --phases also checks live phase detection')
    .option('--quick', 'a reduced table: default and head-none rows, 2 seeds')
    .option('--seeds <n>', 'seeds per row (default 5, or 2 with --quick)', parseCount('--seeds'))
    .option('--rows <ids>', `comma-separated rows (${VALIDATION_ROWS.map((r) => r.id).join(', ')})`)
    .option('--steps <n>', 'cap on steps per run (default: each preset’s own)', parseCount('--steps'))
    .option('--jobs <n>', 'worker threads (default: the number of cores)', parseCount('--jobs'))
    .option('--full', 'train every step even after a run’s outcome is settled')
    .option('--phases', 'also check live phase detection: every boundary found within 500 steps of the offline one, in order, with no false transition')
    .addOption(dbOption())
    .addOption(backendOption())
    .action(async (options: ValidateCliOptions) => {
      const rows = options.rows?.split(',').map((r) => r.trim()) ?? (options.quick ? ['default', 'head-none'] : undefined);
      const unknown = rows?.filter((id) => !VALIDATION_ROWS.some((r) => r.id === id)) ?? [];
      if (unknown.length) throw new UsageError(`--rows: unknown row ${unknown.join(', ')}; rows: ${VALIDATION_ROWS.map((r) => r.id).join(', ')}`);
      const backend = await selectBackend(options.backend);
      process.stdout.write(`${describeBackend(backend)}\n`);
      const store = Store.open(options.db);
      try {
        const reports = await validate({
          store,
          backend: backend.name,
          seeds: options.seeds ?? (options.quick ? 2 : 5),
          rows,
          steps: options.steps,
          full: options.full,
          jobs: options.jobs ?? availableParallelism(),
          phases: options.phases,
          write: (text) => void process.stdout.write(text),
        });
        if (reports.some((r) => !r.pass) || !detectionPasses(reports)) process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}
