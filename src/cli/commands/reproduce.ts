import { Command } from 'commander';
import path from 'node:path';
import { selectBackend } from '../../model/backend.js';
import { reproduce } from '../../reproduce/reproduce.js';
import { defaultDashboardDir } from '../../server/static-files.js';
import { backendOption, parseCount } from '../options.js';
import { describeBackend } from '../shared.js';

interface ReproduceCliOptions {
  quick?: boolean;
  out: string;
  seeds?: number;
  maxSteps?: number;
  jobs?: number;
  backend?: string;
  dashboard?: string;
  reportOnly?: boolean;
}

/** `phasewatch reproduce`: every claim of the paper and the notes, measured, as a report with figures. */
export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description('run the experiments behind every claim of the paper and the notes, in parallel, and write report/REPORT.md with figures')
    .option('--quick', 'fewer seeds and shorter m = 64 runs (under 10 minutes on two cores)')
    .option('--out <dir>', 'where REPORT.md, figures/ and runs.db go', 'report')
    .option('--seeds <n>', 'seeds per experiment (default 5 for phases and ablations, 3 for sweeps; 2 and 1 with --quick)', parseCount('--seeds'))
    .option('--max-steps <n>', 'cap every run at n steps (a smoke test of the pipeline; claims will mostly be "not reached")', parseCount('--max-steps'))
    .option('--jobs <n>', 'worker threads (default: the number of cores)', parseCount('--jobs'))
    .option('--report-only', 'train nothing: write the report and figures again from the runs in <out>/runs.db (same --quick and --seeds as when it was made)')
    .option('--dashboard <dir>', 'the built dashboard holding figure.html (default: the one `npm run build` made)')
    .addOption(backendOption())
    .action(async (options: ReproduceCliOptions) => {
      const backend = await selectBackend(options.backend);
      process.stdout.write(`${describeBackend(backend)}\n`);
      const flags = [options.quick ? '--quick' : '', options.seeds ? `--seeds ${options.seeds}` : '', options.maxSteps ? `--max-steps ${options.maxSteps}` : ''].filter(Boolean);
      await reproduce({
        quick: options.quick,
        seeds: options.seeds,
        maxSteps: options.maxSteps,
        reportOnly: options.reportOnly,
        outDir: path.resolve(options.out),
        backend: backend.name,
        jobs: options.jobs,
        dashboardDir: options.dashboard ?? defaultDashboardDir(),
        command: ['phasewatch reproduce', ...flags].join(' '),
        write: (text) => void process.stdout.write(text),
      });
    });
}
