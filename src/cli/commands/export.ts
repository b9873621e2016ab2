import { Command, Option } from 'commander';
import { createWriteStream, openSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import type { Writable } from 'node:stream';
import { writeExport } from '../../store/export.js';
import { Store } from '../../store/store.js';
import { dbOption, openExistingStore, parseRunId } from '../options.js';

/** `phasewatch export <run>`: every recorded step of a run as CSV or NDJSON. */
export function exportCommand(): Command {
  return new Command('export')
    .description('write a run’s metrics, one row per recorded step (step first), as CSV or NDJSON')
    .argument('<run>', 'run id', parseRunId)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['csv', 'ndjson']).default('csv'))
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .addOption(dbOption())
    .action(async (runId: number, options: { format: 'csv' | 'ndjson'; out?: string; db: string }) => {
      const store = openExistingStore(options.db);
      try {
        store.requireRun(runId);
        const out: Writable = options.out ? createWriteStream('', { fd: openForWriting(options.out) }) : process.stdout;
        await writeExport(store, runId, options.format, out);
        if (options.out) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      } finally {
        store.close();
      }
    });
}

/** Opens the output file up front, so a bad path is a clear error rather than a stream crash. */
function openForWriting(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new UsageError(`--out ${path}: cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
