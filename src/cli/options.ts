import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig, type ResolvedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { withMetricFiles } from '../operators/metrics/metric-modules.js';
import { Store } from '../store/store.js';

/** The database file used when neither --db nor PHASEWATCH_DB says otherwise. */
export const DEFAULT_DB = 'phasewatch.db';

export function dbOption(): Option {
  return new Option('--db <path>', 'SQLite database file').default(process.env.PHASEWATCH_DB ?? DEFAULT_DB);
}

export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend: node-gpu, node, wasm or cpu (default: the fastest available)');
}

/** What {@link addConfigOptions} parses. */
export interface ConfigOptions {
  preset?: string;
  config?: string;
  set: string[];
  steps?: number;
  seed?: number;
  metrics: string[];
}

/** Adds the options that build a config: preset, file, --set, --steps, --seed, --metrics. */
export function addConfigOptions(command: Command): Command {
  return addMetricsOption(
    command
      .option('-p, --preset <name>', 'start from a preset (see `phasewatch presets`)')
      .option('-c, --config <file>', 'JSON or YAML file with settings (may name a preset)')
      .option('-s, --set <key=value...>', 'override a setting, e.g. --set optim.lrW=0.02 head.mode=none', collect, [])
      .option('--steps <n>', 'number of steps to train', parseCount('--steps'))
      .option('--seed <n>', 'random seed', parseCount('--seed', 0)),
  );
}

/** `--metrics <file...>`: metric plug-in modules to load and record (see examples/). */
export function addMetricsOption(command: Command): Command {
  return command.option('--metrics <file...>', 'record the metrics of these plug-in modules (.ts or .js, no build step), e.g. --metrics examples/head-asymmetry.ts', collect, []);
}

/** The config {@link addConfigOptions} describes: preset, then file, then --set, then --steps/--seed, with the --metrics modules added. */
export function configFromOptions(options: ConfigOptions): ResolvedConfig {
  const resolved = resolveConfig({
    preset: options.preset,
    file: options.config,
    sets: options.set,
    overrides: {
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    },
  });
  return { ...resolved, config: withMetricFiles(resolved.config, options.metrics) };
}

/**
 * Documents `--branch-on` in the help. The CLI takes these groups out of the arguments before
 * commander parses them (their `--set`s are order-sensitive), so commander never sees one.
 */
export function addBranchOnOption(command: Command): Command {
  return command.option(
    '--branch-on <trigger>',
    'branch automatically the first time a detector event fires — phase:II, state:dimensional-collapse, cp:loss, event — with the --set options that follow it (repeatable)',
  );
}

/** Commander's accumulator for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A parser for a whole-number option that names the option in its error. */
export function parseCount(flag: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${flag}: expected a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** A run id argument: a positive integer. */
export function parseRunId(value: string): number {
  return parseCount('run id')(value);
}

/** Opens a database that must already exist (commands that only read or continue runs). */
export function openExistingStore(path: string): Store {
  if (!existsSync(path)) throw new UsageError(`no database at ${resolve(path)} (set --db or PHASEWATCH_DB)`);
  return Store.open(path);
}
