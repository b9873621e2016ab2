import { z } from 'zod';
import { RunSummarySchema } from '../../server/protocol.js';
import { describeIssues } from './zod-issues.js';

/**
 * The REST side of the server (same origin as the page). Every call carries the page's
 * `?token=` as a bearer token, so a link that opened the dashboard opens its data too.
 */

/** The access token from the page URL, or null. */
export function pageToken(search: string = location.search): string | null {
  return new URLSearchParams(search).get('token') || null;
}

/** The WebSocket URL of the server: `/ws` on this origin, `wss` under https, with the token. */
export function webSocketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'> = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = pageToken(loc.search);
  return `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** A failed REST call: the HTTP status and the server's message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** GET a JSON document and check its shape. */
export async function apiGet<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = pageToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { headers, signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, `${path}: the server did not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const { message, code } = errorOf(body);
    throw new ApiError(response.status, `${path}: ${message ?? `${response.status} ${response.statusText}`.trim()}`, code);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(response.status, `${path}: unexpected answer (${describeIssues(parsed.error)})`);
  return parsed.data;
}

/** The server's error body in any of the usual shapes: `{ error: { code, message } }`, `{ error }`, `{ code, message }`. */
function errorOf(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === 'string') return { message: inner, code: str(record.code) };
  if (inner && typeof inner === 'object') {
    const e = inner as Record<string, unknown>;
    return { message: str(e.message), code: str(e.code) };
  }
  return { message: str(record.message), code: str(record.code) };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A URL for a plain link (no headers there), with the token as a query parameter. */
export function linkUrl(path: string, params: Record<string, string> = {}): string {
  const search = new URLSearchParams(params);
  const token = pageToken();
  if (token) search.set('token', token);
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

export const PresetSchema = z.object({
  name: z.string(),
  description: z.string().optional().default(''),
  expected: z.string().optional().default(''),
});
export type PresetInfo = z.infer<typeof PresetSchema>;
export const PresetsResponseSchema = z.object({ presets: z.array(PresetSchema) });

/** A metric plug-in module the server has loaded (`serve --metrics`): a run's start form can name it. */
export const PluginModuleSchema = z.object({
  name: z.string(),
  path: z.string(),
  metrics: z.array(z.object({ name: z.string(), description: z.string().optional().default('') })),
});
export type PluginModuleInfo = z.infer<typeof PluginModuleSchema>;
export const PluginsResponseSchema = z.object({ plugins: z.array(PluginModuleSchema) });

export const RunDetailSchema = z.object({
  run: RunSummarySchema,
  config: z.record(z.string(), z.unknown()),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const SeriesResponseSchema = z.object({
  columns: z.array(z.string()),
  data: z.array(z.array(z.number().nullable())),
  decimated: z.boolean(),
});
export type SeriesResponse = z.infer<typeof SeriesResponseSchema>;

export const CheckpointSchema = z.object({
  step: z.number(),
  reason: z.string(),
  createdAt: z.string(),
});
export type CheckpointInfo = z.infer<typeof CheckpointSchema>;
export const CheckpointsResponseSchema = z.object({ checkpoints: z.array(CheckpointSchema) });

export function fetchPresets(signal?: AbortSignal): Promise<PresetInfo[]> {
  return apiGet('/api/presets', PresetsResponseSchema, signal).then((r) => r.presets);
}

export function fetchPlugins(signal?: AbortSignal): Promise<PluginModuleInfo[]> {
  return apiGet('/api/plugins', PluginsResponseSchema, signal).then((r) => r.plugins);
}

export function fetchRunDetail(runId: number, signal?: AbortSignal): Promise<RunDetail> {
  return apiGet(`/api/runs/${runId}`, RunDetailSchema, signal);
}

/** The steps a run can be branched at (its checkpoints), in the order the server lists them. */
export function fetchCheckpoints(runId: number, signal?: AbortSignal): Promise<CheckpointInfo[]> {
  return apiGet(`/api/runs/${runId}/checkpoints`, CheckpointsResponseSchema, signal).then((r) => r.checkpoints);
}

/** History of some series over [from, to] at up to maxPoints rows (zooming in, related runs); no names: every series. */
export function fetchSeries(
  runId: number,
  names: readonly string[],
  range: { from: number; to: number },
  maxPoints: number,
  signal?: AbortSignal,
): Promise<SeriesResponse> {
  const query = new URLSearchParams({
    names: names.join(','),
    from: String(Math.floor(range.from)),
    to: String(Math.ceil(range.to)),
    maxPoints: String(Math.round(maxPoints)),
  });
  return apiGet(`/api/runs/${runId}/series?${query}`, SeriesResponseSchema, signal);
}

/** The export link of a run (csv or ndjson, every recorded step). */
export function exportUrl(runId: number, format: 'csv' | 'ndjson'): string {
  return linkUrl(`/api/runs/${runId}/export`, { format });
}

/** The head size m from a run's config (`config.model.m`), or null when it is not there. */
export function neuronsOf(config: Record<string, unknown> | null | undefined): number | null {
  const model = config?.model;
  if (!model || typeof model !== 'object') return null;
  const m = (model as Record<string, unknown>).m;
  return typeof m === 'number' && Number.isInteger(m) && m > 0 ? m : null;
}
