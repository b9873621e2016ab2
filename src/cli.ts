#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { exportCommand } from './cli/commands/export.js';
import { presetsCommand } from './cli/commands/presets.js';
import { resumeCommand } from './cli/commands/resume.js';
import { runCommand } from './cli/commands/run.js';
import { runsCommand } from './cli/commands/runs.js';
import { serveCommand } from './cli/commands/serve.js';
import { validateCommand } from './cli/commands/validate.js';
import { PhasewatchError } from './errors.js';
import { StoreError } from './store/errors.js';

/** The `phasewatch` command line. */
export function buildProgram(): Command {
  return new Command('phasewatch')
    .description('train and watch the prediction-head model of Wen & Li (NeurIPS 2022)')
    .showHelpAfterError('(add --help for usage)')
    .addCommand(serveCommand())
    .addCommand(runCommand())
    .addCommand(runsCommand())
    .addCommand(resumeCommand())
    .addCommand(exportCommand())
    .addCommand(validateCommand())
    .addCommand(presetsCommand());
}

/** Runs the CLI; errors we know are printed as one clear line with exit code 2. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof PhasewatchError || error instanceof StoreError) {
      process.stderr.write(`phasewatch: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`phasewatch: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

// `phasewatch export 1 | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await main(process.argv);
