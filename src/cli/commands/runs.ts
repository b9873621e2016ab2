import { Command } from 'commander';
import { dbOption, openExistingStore } from '../options.js';
import { formatTable } from '../table.js';

/** `phasewatch runs`: list the runs in a database. */
export function runsCommand(): Command {
  return new Command('runs')
    .description('list the runs in the database')
    .addOption(dbOption())
    .option('--json', 'print JSON instead of a table')
    .action((options: { db: string; json?: boolean }) => {
      const store = openExistingStore(options.db);
      try {
        const rows = store.listRuns().map((run) => ({
          id: run.id,
          name: run.name,
          preset: run.preset ?? '',
          status: store.displayStatus(run),
          step: run.step,
          target: run.targetSteps,
          seed: run.seed,
          backend: run.backend,
          parent: run.parentId === null ? '' : `${run.parentId}@${run.forkStep}`,
          updated: run.updatedAt.replace('T', ' ').slice(0, 19),
        }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        } else if (rows.length === 0) {
          process.stdout.write(`no runs in ${store.path}\n`);
        } else {
          process.stdout.write(formatTable(rows));
        }
      } finally {
        store.close();
      }
    });
}
