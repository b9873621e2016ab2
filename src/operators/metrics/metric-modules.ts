import path from 'node:path';
import { validateConfig } from '../../config/load.js';
import type { RunConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { builtinMetrics } from './builtins/builtin-metrics.js';
import type { MetricPlugin } from './define-metric.js';
import { loadMetricModule } from './load-metric-module.js';

/** A loaded plug-in module as listed to users (the dashboard's run form, `GET /api/plugins`). */
export interface MetricModuleInfo {
  /** The file's name without its extension: how the dashboard and the ws `start` message name it. */
  readonly name: string;
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

  /** Loads each module once (see `loadMetricModule`); throws PluginError naming the first that fails. */
  static async load(files: readonly string[]): Promise<MetricModules> {
    const unique = [...new Set(files.map((file) => path.resolve(file)))];
    const entries = await Promise.all(unique.map(async (file) => [file, await loadMetricModule(file)] as const));
    return new MetricModules(new Map(entries));
  }

  static readonly none = new MetricModules(new Map());

  /** Absolute paths of the loaded modules, in load order. */
  get paths(): string[] {
    return [...this.modules.keys()];
  }

  list(): MetricModuleInfo[] {
    return [...this.modules].map(([file, plugins]) => ({ name: moduleName(file), path: file, metrics: plugins.map(({ name, description }) => ({ name, description })) }));
  }

  /**
   * The paths of loaded modules named by file name (`head-asymmetry`), by one of their metrics'
   * names (`headAsym`) or by path.
   * @throws ConfigError naming what matches no loaded module, and what is loaded
   */
  pathsFor(names: readonly string[]): string[] {
    const info = this.list();
    const unknown: string[] = [];
    const paths = names.map((name) => {
      const match = info.find((m) => m.name === name || m.path === name || m.metrics.some((metric) => metric.name === name));
      if (!match) unknown.push(name);
      return match?.path ?? '';
    });
    if (unknown.length) {
      const loaded = info.length ? `loaded: ${info.map((m) => `${m.name} (${m.metrics.map((metric) => metric.name).join(', ')})`).join('; ')}` : 'none is loaded; start the server with --metrics <file>';
      throw new ConfigError(`plugins: no loaded plug-in module is called ${unknown.join(', ')} (${loaded})`);
    }
    return [...new Set(paths)];
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

/** A module's file name without directory and extension. */
function moduleName(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '');
}

/** Every metric plug-in a run computes: loads the modules of `config.metrics.plugins`, then adds the built-ins. */
export async function metricPluginsFor(config: RunConfig): Promise<MetricPlugin[]> {
  return (await MetricModules.load(config.metrics.plugins)).pluginsFor(config);
}

/** `config` with the plug-in modules `files` added to `metrics.plugins` (as absolute paths, each once). */
export function withMetricFiles(config: RunConfig, files: readonly string[]): RunConfig {
  if (files.length === 0) return config;
  const plugins = [...new Set([...config.metrics.plugins, ...files.map((file) => path.resolve(file))])];
  return validateConfig({ ...config, metrics: { ...config.metrics, plugins } });
}
