import path from 'node:path';
import type { BackendChoice } from '../model/backend.js';
import type { MetricModules } from '../operators/metrics/metric-modules.js';

/** Options every training command shares. */
export interface CommonOptions {
  db: string;
  backend?: string;
  logEvery?: number;
  quiet?: boolean;
}

/** The start-up line naming the backend and why faster ones were skipped. */
export function describeBackend(choice: BackendChoice): string {
  const skipped = choice.skipped.length ? ` (skipped ${choice.skipped.join('; ')})` : '';
  return `backend: ${choice.name}${skipped}`;
}

/** Progress settings for a command: redraw on a terminal, else a line every n steps. */
export function progressFor(options: CommonOptions, totalSteps: number) {
  if (options.quiet) return undefined;
  const tty = Boolean(process.stdout.isTTY);
  const every = options.logEvery ?? Math.max(100, Math.round(totalSteps / 30 / 100) * 100);
  return { tty, every, write: (text: string) => void process.stdout.write(text) };
}

/** One line per loaded plug-in module (its metrics and file), or nothing when none is loaded. */
export function describeModules(modules: MetricModules): string {
  return modules
    .list()
    .map((m) => `metric plug-in: ${m.metrics.map((metric) => metric.name).join(', ')} (${path.relative(process.cwd(), m.path) || m.path})\n`)
    .join('');
}
