import path from 'node:path';
import type { RunConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { builtinMetrics } from './builtins/builtin-metrics.js';
import type { MetricPlugin } from './define-metric.js';
import { loadMetricModule } from './load-metric-module.js';

/** A loaded plug-in module as listed to users (the dashboard's run form, `GET /api/plugins`). */
export interface MetricModuleInfo {
  /** Absolute path: what a config's `metrics.plugins` holds. */
  readonly path: string;
  readonly metrics: readonly { readonly name: string; readonly description: string }[];
}

/**
 * The plug-in modules a process has loaded, by absolute path. Runs started here may use only
 * these (a server must not import files a viewer names), and runs get their plug-ins from here
 * without waiting for an import.
 * @example
 * const modules = await MetricModules.load(['./examples/loss-ema.ts']);
 * const run = new Run(config, { plugins: modules.pluginsFor(config) });
 */
export class MetricModules {
  private constructor(private readonly modules: ReadonlyMap<string, readonly MetricPlugin[]>) {}

  /** Loads each module (see `loadMetricModule`); throws PluginError naming the first that fails. */
  static async load(files: readonly string[]): Promise<MetricModules> {
    const entries = await Promise.all(files.map(async (file) => [path.resolve(file), await loadMetricModule(file)] as const));
    return new MetricModules(new Map(entries));
  }

  static readonly none = new MetricModules(new Map());

  /** Absolute paths of the loaded modules, in load order. */
  get paths(): string[] {
    return [...this.modules.keys()];
  }

  list(): MetricModuleInfo[] {
    return [...this.modules].map(([file, plugins]) => ({ path: file, metrics: plugins.map(({ name, description }) => ({ name, description })) }));
  }

  /**
   * The built-ins `config` switches on and the plug-ins of its `metrics.plugins`.
   * @throws ConfigError for a module this process has not loaded
   */
  pluginsFor(config: RunConfig): MetricPlugin[] {
    const missing = config.metrics.plugins.filter((file) => !this.modules.has(path.resolve(file)));
    if (missing.length) {
      const loaded = this.paths.length ? `loaded here: ${this.paths.join(', ')}` : 'none is loaded here';
      throw new ConfigError(`metrics.plugins: ${missing.join(', ')} is not a loaded plug-in module (${loaded}; start with --metrics <file> to load one)`);
    }
    return [...builtinMetrics(config), ...config.metrics.plugins.flatMap((file) => this.modules.get(path.resolve(file))!)];
  }
}

/** Every metric plug-in a run computes: loads the modules of `config.metrics.plugins`, then adds the built-ins. */
export async function metricPluginsFor(config: RunConfig): Promise<MetricPlugin[]> {
  return (await MetricModules.load(config.metrics.plugins)).pluginsFor(config);
}
