import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError } from '../../errors.js';
import { isMetricPlugin, metricOperator, type MetricPlugin } from './define-metric.js';

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
const LOADABLE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;

let tsxRegistered: Promise<void> | null = null;

/**
 * Imports a module, teaching Node TypeScript first when it cannot load it: under `tsx` (the
 * test and development setup) a .ts file imports as it is; otherwise tsx's loader is
 * registered once, the first time it is needed (registering it twice breaks the first).
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (!TYPESCRIPT.test(file) || (error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => void register());
  await tsxRegistered;
  // Node remembers the failed import of `url`; the same file under another URL loads afresh.
  return (await import(`${url}?typescript`)) as Record<string, unknown>;
}

/** A file name as a plug-in name: `lossEma.ts` → `lossEma`, `my metric.js` → `my_metric`. */
function nameFromFile(file: string): string {
  const base = path.basename(file).replace(LOADABLE, '').replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z]/.test(base) ? base : `m_${base}`;
}

/**
 * Loads the metric plug-ins of one module (TypeScript or JavaScript, no build step): its default
 * export and its named exports that are plug-ins (from `defineMetric` or `metricOperator`, or
 * arrays of them); a default export that is a bare function is taken as an operator named after
 * the file. Refuses, naming the file, one that is missing, fails to load or exports no plug-in.
 * @example const plugins = await loadMetricModule(path.resolve('examples/loss-ema.ts'));
 */
export async function loadMetricModule(file: string): Promise<MetricPlugin[]> {
  const absolute = path.resolve(file);
  if (!LOADABLE.test(absolute)) throw new PluginError(`metric plug-in ${file}: expected a .ts or .js file (.mts, .cts, .mjs and .cjs also load)`);
  if (!fs.existsSync(absolute)) throw new PluginError(`metric plug-in ${file}: no such file (looked at ${absolute})`);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(absolute);
  } catch (error) {
    throw new PluginError(`metric plug-in ${file} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const found: MetricPlugin[] = [];
  const take = (value: unknown, isDefault: boolean) => {
    if (isMetricPlugin(value)) found.push(value);
    else if (Array.isArray(value) && value.length > 0 && value.every(isMetricPlugin)) found.push(...value);
    else if (isDefault && typeof value === 'function') found.push(metricOperator(nameFromFile(absolute), value as Parameters<typeof metricOperator>[1]));
  };
  for (const [key, value] of Object.entries(namespace)) take(value, key === 'default');
  // The same plug-in exported twice (as default and by name) counts once.
  const unique = [...new Set(found)];
  if (unique.length === 0) {
    throw new PluginError(`metric plug-in ${file} exports no metric: export defineMetric({ name, compute }) (default or named), metricOperator(name, operator), or an operator as default`);
  }
  return unique;
}
