import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeExport } from '../store/export.js';
import { PRESETS, PRESET_NAMES } from '../config/presets.js';
import type { MetricModules } from '../operators/metrics/metric-modules.js';
import type { Hub } from './hub.js';
import type { Store } from '../store/store.js';

/** Largest `maxPoints` the series endpoint serves. */
const MAX_POINTS = 100_000;

/**
 * The REST API (GET only; steering goes over the WebSocket):
 * - `/api/runs` → `{ runs }`; `/api/runs/:id` → `{ run, config }`
 * - `/api/runs/:id/series?names=a,b&from=&to=&maxPoints=` → `{ columns, data, decimated }`
 * - `/api/runs/:id/events?from=&to=` → `{ events }`: detector events detected in the step range
 * - `/api/runs/:id/checkpoints` → `{ checkpoints: [{ step, reason, createdAt }] }`: where the run can be branched
 * - `/api/runs/:id/lineage` → `{ lineage: [{ runId, from, to }], children: [run summaries] }`: the runs its history reads through, and its branches
 * - `/api/runs/:id/export?format=csv|ndjson` → every recorded step at full resolution, with phases and events
 * - `/api/presets` → `{ presets }`
 * - `/api/plugins` → `{ plugins: [{ name, path, metrics: [{ name, description }] }] }`: the metric plug-in modules runs may use (`start` names them)
 * Returns false when the path is not an API path.
 */
export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, store: Store, hub: Hub, modules: MetricModules): Promise<boolean> {
  if (!url.pathname.startsWith('/api/')) return false;
  if (req.method !== 'GET') return json(res, 405, { error: `${req.method} is not allowed; the API is read-only (steer runs over the WebSocket)` });
  const parts = url.pathname.split('/').filter(Boolean); // ['api', …]
  if (parts[1] === 'presets' && parts.length === 2) {
    return json(res, 200, { presets: PRESET_NAMES.map((name) => ({ name, description: PRESETS[name].description, expected: PRESETS[name].expected })) });
  }
  if (parts[1] === 'plugins' && parts.length === 2) return json(res, 200, { plugins: modules.list() });
  if (parts[1] !== 'runs') return json(res, 404, { error: `no such endpoint: ${url.pathname}` });
  if (parts.length === 2) return json(res, 200, { runs: hub.summaries() });
  const runId = Number(parts[2]);
  const run = Number.isInteger(runId) && runId > 0 ? store.getRun(runId) : undefined;
  if (!run) return json(res, 404, { error: `run ${parts[2]} does not exist` });
  if (parts.length === 3) return json(res, 200, { run: hub.summaries().find((r) => r.id === runId), config: run.config });
  if (parts[3] === 'series' && parts.length === 4) {
    const channel = hub.channel(runId);
    const names = (url.searchParams.get('names') ?? '').split(',').filter(Boolean);
    const from = numberParam(url, 'from', -Infinity);
    const to = numberParam(url, 'to', Infinity);
    const maxPoints = numberParam(url, 'maxPoints', 2000);
    if ([from, to, maxPoints].some(Number.isNaN) || maxPoints < 2 || maxPoints > MAX_POINTS) {
      return json(res, 400, { error: `from and to must be numbers and maxPoints a number from 2 to ${MAX_POINTS}` });
    }
    const unknown = names.filter((n) => !channel.columns.includes(n));
    if (unknown.length) return json(res, 400, { error: `unknown series ${unknown.join(', ')}; this run has ${channel.columns.slice(1).join(', ')}` });
    return json(res, 200, channel.range(names.length ? names : channel.columns.slice(1), from, to, Math.floor(maxPoints)));
  }
  if (parts[3] === 'checkpoints' && parts.length === 4) return json(res, 200, { checkpoints: store.listCheckpoints(runId) });
  if (parts[3] === 'lineage' && parts.length === 4) {
    const lineage = store.lineage(runId).map((s) => ({ runId: s.runId, from: Number.isSafeInteger(s.from) && s.from > -Number.MAX_SAFE_INTEGER ? s.from : null, to: s.to < Number.MAX_SAFE_INTEGER ? s.to : null }));
    return json(res, 200, { lineage, children: hub.summaries().filter((r) => r.parentId === runId) });
  }
  if (parts[3] === 'events' && parts.length === 4) {
    const from = numberParam(url, 'from', -Number.MAX_SAFE_INTEGER);
    const to = numberParam(url, 'to', Number.MAX_SAFE_INTEGER);
    if (Number.isNaN(from) || Number.isNaN(to)) return json(res, 400, { error: 'from and to must be numbers' });
    return json(res, 200, { events: store.readEvents(runId, { from, to }) });
  }
  if (parts[3] === 'export' && parts.length === 4) {
    const format = url.searchParams.get('format') ?? 'csv';
    if (format !== 'csv' && format !== 'ndjson') return json(res, 400, { error: `format must be csv or ndjson, got ${format}` });
    res.writeHead(200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'content-disposition': `attachment; filename="run-${runId}.${format}"`,
    });
    await writeExport(store, runId, format, res);
    res.end();
    return true;
  }
  return json(res, 404, { error: `no such endpoint: ${url.pathname}` });
}

function numberParam(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  return text === null || text === '' ? fallback : Number(text);
}

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}
