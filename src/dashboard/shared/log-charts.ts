import { CHART_KEYS, DEFAULT_LOG, parseChartKey, type ChartKey } from './chart-specs.js';

/**
 * Which charts draw a log y axis: `all` of them — also the plug-in charts that appear later,
 * which is why it is not just a list — or the ones named.
 */
export type LogCharts = 'all' | readonly ChartKey[];

/** Whether chart `key` has a log y axis. */
export function isLogChart(log: LogCharts, key: ChartKey): boolean {
  return log === 'all' || log.includes(key);
}

/**
 * `log` with chart `key` switched to `on`.
 * @param shown the charts on the page now: switching one off under `all` leaves the others on
 */
export function withLogChart(log: LogCharts, key: ChartKey, on: boolean, shown: readonly ChartKey[]): LogCharts {
  if (log === 'all') return on ? 'all' : shown.filter((k) => k !== key);
  if (on) return log.includes(key) ? log : [...log, key];
  return log.filter((k) => k !== key);
}

/** The `l` shortcut: every chart on log, or back to the default when all shown already are. */
export function toggleAllLog(log: LogCharts, shown: readonly ChartKey[]): LogCharts {
  const allOn = log === 'all' || shown.every((k) => log.includes(k));
  return allOn ? [...DEFAULT_LOG] : 'all';
}

/**
 * The URL's `log=` value (see url-state.ts): absent → the default, `1` → all, `0` → none, else
 * the comma-separated chart keys; a name that cannot be a chart is ignored.
 */
export function parseLogParam(value: string | null): LogCharts {
  if (value === null) return [...DEFAULT_LOG];
  const v = value.trim();
  if (v === '1' || v === 'all' || v === 'true') return 'all';
  if (v === '0' || v === '' || v === 'none' || v === 'false') return [];
  const keys = v.split(',').map((s) => parseChartKey(s.trim()));
  return inUrlOrder(keys.filter((k): k is ChartKey => k !== null));
}

/** The `log=` value for `log`, or null for the default (the parameter is then left out). */
export function formatLogParam(log: LogCharts): string | null {
  if (log === 'all') return '1';
  const keys = inUrlOrder(log);
  if (keys.length === DEFAULT_LOG.length && DEFAULT_LOG.every((k) => keys.includes(k))) return null;
  if (keys.length === 0) return '0';
  return keys.join(',');
}

/** Each key once, the fixed charts in display order, then the others by name: one URL per view. */
function inUrlOrder(keys: readonly ChartKey[]): ChartKey[] {
  const set = new Set(keys);
  const fixed = CHART_KEYS.filter((k) => set.has(k));
  const others = [...set].filter((k) => !(CHART_KEYS as readonly string[]).includes(k)).sort();
  return [...fixed, ...others];
}
