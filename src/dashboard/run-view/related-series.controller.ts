import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StepRange } from '../chart/chart.js';
import { ApiError, fetchSeries } from '../shared/api.js';
import type { RelatedRun } from '../shared/lineage.js';
import { RunSeries } from '../shared/run-series.js';

/** Rows asked for per related run: context next to the selected run, so coarser than its ~2000. */
export const RELATED_POINTS = 1000;
/** A live related run's curves are fetched again at most this often (ms). */
export const RELATED_REFRESH_MS = 2000;
/** Largest step the series endpoint is asked for ("to the end"). */
const TO_THE_END = Number.MAX_SAFE_INTEGER;

/** What the run view wants drawn next to the selected run. */
export interface RelatedRequest {
  readonly related: readonly RelatedRun[];
  /** The series the charts plot. */
  readonly names: readonly string[];
  readonly zoom: StepRange | null;
  /** The latest step known for each run (its live status, else its summary). */
  readonly steps: ReadonlyMap<number, number>;
}

interface Entry {
  /** What `data` answers: the names, the range and the divergence step it was fetched for. */
  key: string;
  data: RunSeries | null;
  /** The run's latest known step when `data` was asked for: newer steps mean a refresh is due. */
  through: number;
  fetchedAt: number;
  /** The run's series names, learnt once: the endpoint refuses a request naming a series the run lacks. */
  columns: string[] | null;
  abort: AbortController | null;
  /** The key of the request in flight. */
  loading: string | null;
  /** The key of the last request made (a failed one is retried with backoff, a new one at once). */
  tried: string;
  error: string | null;
  failures: number;
}

/**
 * Keeps the curves of the runs related to the selected one (its parent, its branches, its
 * siblings, its ancestors) for the charts, fetched over REST (`GET /api/runs/:id/series`) rather than
 * subscribed: each related run costs one small request of at most RELATED_POINTS rows for the
 * plotted series, from its divergence step on, repeated at most every RELATED_REFRESH_MS while
 * it trains — not every record of every related run at frame rate, and not a growing history
 * per run held in the page. The selected run keeps its own full-resolution subscription.
 *
 * Zooming asks for the zoomed range, so related curves sharpen with the selected run's.
 *
 * @example
 * private related = new RelatedSeriesController(this);
 * willUpdate() { this.related.update({ related, names, zoom, steps }); }
 * render() { … this.related.data(run.id) … }
 */
export class RelatedSeriesController implements ReactiveController {
  /** Bumped whenever a related run's data or error changes. */
  version = 0;
  private readonly entries = new Map<number, Entry>();
  private request: RelatedRequest | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (the host updates every frame while a run trains: the timer is kept, not remade). */
  private timerDue = Number.POSITIVE_INFINITY;
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    if (this.request) this.update(this.request);
  }

  hostDisconnected(): void {
    this.connected = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) entry.abort?.abort();
    this.entries.clear();
  }

  /** The related run's fetched series, or null while it loads. */
  data(runId: number): RunSeries | null {
    return this.entries.get(runId)?.data ?? null;
  }

  /** Why the run's curves could not be fetched (the last attempt), or null. */
  error(runId: number): string | null {
    return this.entries.get(runId)?.error ?? null;
  }

  /** Fetches what the request needs that is not held (call from the host's willUpdate). */
  update(request: RelatedRequest): void {
    this.request = request;
    if (!this.connected) return;
    const wanted = new Set(request.related.map((r) => r.id));
    for (const [id, entry] of this.entries) {
      if (wanted.has(id)) continue;
      entry.abort?.abort();
      this.entries.delete(id);
      this.version++;
    }
    const now = Date.now();
    let nextDue = Number.POSITIVE_INFINITY;
    for (const run of request.related) {
      let entry = this.entries.get(run.id);
      if (!entry) {
        entry = { key: '', data: null, through: -1, fetchedAt: 0, columns: null, abort: null, loading: null, tried: '', error: null, failures: 0 };
        this.entries.set(run.id, entry);
      }
      const key = keyOf(run, request);
      const step = request.steps.get(run.id) ?? 0;
      if (entry.loading === key) continue;
      const wait = entry.error ? RELATED_REFRESH_MS * Math.min(8, 2 ** (entry.failures - 1)) : RELATED_REFRESH_MS;
      const due = entry.fetchedAt + wait;
      const stale = entry.key !== key || entry.data === null;
      // The run moved on since the data was asked for (it trains, or was resumed).
      const behind = step > entry.through;
      if ((stale && entry.tried !== key) || ((stale || behind) && now >= due)) {
        void this.load(run, entry, key, step, request);
      } else if (stale || behind) {
        nextDue = Math.min(nextDue, due);
      }
    }
    if (nextDue !== this.timerDue) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = nextDue;
      if (Number.isFinite(nextDue)) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.timerDue = Number.POSITIVE_INFINITY;
          this.host.requestUpdate();
        }, Math.max(50, nextDue - now));
      }
    }
  }

  private async load(run: RelatedRun, entry: Entry, key: string, step: number, request: RelatedRequest): Promise<void> {
    entry.abort?.abort();
    const abort = new AbortController();
    entry.abort = abort;
    entry.loading = key;
    entry.tried = key;
    try {
      if (!entry.columns) {
        // Every series at two rows: learns the names for the cost of a tiny answer.
        const probe = await fetchSeries(run.id, [], { from: run.from, to: run.from }, 2, abort.signal);
        entry.columns = probe.columns.slice(1);
      }
      const known = new Set(entry.columns);
      const names = request.names.filter((n) => known.has(n));
      const from = request.zoom ? Math.max(run.from, request.zoom.from) : run.from;
      const to = request.zoom ? request.zoom.to : TO_THE_END;
      const data = new RunSeries(Number.POSITIVE_INFINITY);
      if (names.length && to >= from) {
        const answer = await fetchSeries(run.id, names, { from, to }, RELATED_POINTS, abort.signal);
        data.replace(answer.columns, answer.data, 0, answer.decimated);
      }
      if (entry.abort !== abort) return;
      Object.assign(entry, { key, data, through: step, fetchedAt: Date.now(), error: null, failures: 0 });
    } catch (error) {
      if ((error as Error).name === 'AbortError' || entry.abort !== abort) return;
      entry.error = (error as Error).message;
      entry.failures++;
      entry.fetchedAt = Date.now();
      // A 400 may mean the run's series changed (a plug-in started late): learn them again.
      if (error instanceof ApiError && error.status === 400) entry.columns = null;
    } finally {
      if (entry.abort === abort) {
        entry.abort = null;
        entry.loading = null;
      }
    }
    this.version++;
    this.host.requestUpdate();
  }
}

function keyOf(run: RelatedRun, request: RelatedRequest): string {
  return `${run.from}|${request.zoom ? `${request.zoom.from}-${request.zoom.to}` : 'all'}|${request.names.join(',')}`;
}
