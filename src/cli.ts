#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { exportCommand } from './cli/commands/export.js';
import { presetsCommand } from './cli/commands/presets.js';
import { reproduceCommand } from './cli/commands/reproduce.js';
import { resumeCommand } from './cli/commands/resume.js';
import { branchCommand } from './cli/commands/branch.js';
import { runCommand } from './cli/commands/run.js';
import { runsCommand } from './cli/commands/runs.js';
import { serveCommand } from './cli/commands/serve.js';
import { validateCommand } from './cli/commands/validate.js';
import { PhasewatchError, UsageError } from './errors.js';
import { StoreError } from './store/errors.js';
import { splitBranchRules, type BranchRule } from './streams/branch-rules.js';

/** The `phasewatch` command line. */
export function buildProgram(branchRules: readonly BranchRule[] = []): Command {
  return new Command('phasewatch')
    .description('train and watch the prediction-head model of Wen & Li (NeurIPS 2022)')
    .showHelpAfterError('(add --help for usage)')
    .addCommand(serveCommand(branchRules))
    .addCommand(runCommand(branchRules))
    .addCommand(runsCommand())
    .addCommand(resumeCommand())
    .addCommand(branchCommand())
    .addCommand(exportCommand())
    .addCommand(validateCommand())
    .addCommand(reproduceCommand())
    .addCommand(presetsCommand());
}

/** Runs the CLI; errors we know are printed as one clear line with exit code 2. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    // `--branch-on T --set …` groups are order-sensitive, which commander cannot express: take them out first.
    const { args, rules } = splitBranchRules(argv);
    if (rules.length && !['run', 'serve'].includes(args[2])) throw new UsageError('--branch-on works with `run` and `serve`');
    const program = buildProgram(rules).exitOverride();
    await program.parseAsync(args);
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
