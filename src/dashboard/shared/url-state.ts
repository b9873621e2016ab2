import { formatLogParam, parseLogParam, type LogCharts } from './log-charts.js';

/**
 * What the page URL says about the view, so a reload or a shared link opens the same view:
 *
 * - `run=7` — the selected run;
 * - `log=norms,head,plugin:headAsym` — the charts with a log y axis; `log=1` all of them (also
 *   the plug-in charts still to come), `log=0` none; absent: the default (the loss chart only).
 *   A name that cannot be a chart is ignored;
 * - `from=1200&to=5000` — the zoomed step range shared by all charts.
 *
 * Any other parameter (notably `token`) is left as it is.
 */
export interface ViewState {
  readonly run: number | null;
  readonly log: LogCharts;
  readonly zoom: { readonly from: number; readonly to: number } | null;
}

export function readViewState(search: string = location.search): ViewState {
  const params = new URLSearchParams(search);
  const run = positiveInt(params.get('run'));
  const from = int(params.get('from'));
  const to = int(params.get('to'));
  return {
    run,
    log: parseLogParam(params.get('log')),
    zoom: from !== null && to !== null && to > from ? { from, to } : null,
  };
}

/** The URL (path + query + hash) for a state, keeping every parameter this module does not own. */
export function viewStateUrl(state: ViewState, current: Location | URL = location): string {
  const url = new URL(current.href);
  const params = url.searchParams;
  setOrDelete(params, 'run', state.run === null ? null : String(state.run));
  setOrDelete(params, 'log', formatLogParam(state.log));
  setOrDelete(params, 'from', state.zoom ? String(state.zoom.from) : null);
  setOrDelete(params, 'to', state.zoom ? String(state.zoom.to) : null);
  // Commas and colons need no escaping in a query; `log=norms,plugin:x` reads better escaped less.
  const search = params.toString().replace(/%2C/gi, ',').replace(/%3A/gi, ':');
  return `${url.pathname}${search ? `?${search}` : ''}${url.hash}`;
}

/** Writes the state into the address bar: `push` for a new place (a run), `replace` for options. */
export function writeViewState(state: ViewState, mode: 'push' | 'replace'): void {
  const next = viewStateUrl(state);
  if (next === `${location.pathname}${location.search}${location.hash}`) return;
  if (mode === 'push') history.pushState(null, '', next);
  else history.replaceState(null, '', next);
}

function setOrDelete(params: URLSearchParams, key: string, value: string | null): void {
  if (value === null) params.delete(key);
  else params.set(key, value);
}

function int(value: string | null): number | null {
  if (value === null || !/^-?\d+$/.test(value.trim())) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

function positiveInt(value: string | null): number | null {
  const n = int(value);
  return n !== null && n > 0 ? n : null;
}
