import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fetchSeries } from '../shared/api.js';
import { RunSeries, type ChartSource } from '../shared/run-series.js';

/** Rows asked for: far more than a snapshot's last bucket holds, so it comes at full resolution. */
const BUCKET_POINTS = 4096;

/**
 * Gives the head maps the run's latest values exactly. A long run's RunSeries holds a decimated
 * history (a late joiner's snapshot, or its own compaction), whose last row holds each series'
 * extreme over the last bucket of steps rather than its last value. Then that bucket is fetched
 * at full resolution from `GET /api/runs/:id/series`, once per bucket; the rows of a live run's
 * frames are exact and are read as they are.
 *
 * @example
 * private exact = new ExactLatestController(this);
 * render() { const source = this.exact.source(runId, runSeries, names); … }
 */
export class ExactLatestController implements ReactiveController {
  private key = '';
  private data: RunSeries | null = null;
  private abort: AbortController | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.abort?.abort();
    this.abort = null;
    this.key = '';
    this.data = null;
  }

  /**
   * What to read the latest values from: `series` itself when its last row is exact, else the
   * fetched last bucket (and `series` until that arrives, or if it cannot be fetched).
   * @param names the series wanted (those the run does not have are not asked for: the server refuses unknown names)
   */
  source(runId: number, series: RunSeries | null, names: readonly string[]): ChartSource | null {
    if (!series || !series.rows || series.exactFrom < series.rows) return series;
    // Decimated rows come in pairs, a bucket's first step and its last: fetch the last bucket.
    const from = series.steps[Math.max(0, series.rows - 2)];
    const to = series.steps[series.rows - 1];
    const wanted = names.filter((name) => series.has(name));
    if (from === null || to === null || !wanted.length) return series;
    const key = `${runId}|${from}|${to}|${wanted.join(',')}`;
    if (key !== this.key) {
      this.key = key;
      this.data = null;
      void this.load(key, runId, wanted, { from, to });
    }
    return this.data ?? series;
  }

  private async load(key: string, runId: number, names: readonly string[], range: { from: number; to: number }): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    try {
      const answer = await fetchSeries(runId, names, range, BUCKET_POINTS, abort.signal);
      if (key !== this.key) return;
      const data = new RunSeries(Number.POSITIVE_INFINITY);
      data.replace(answer.columns, answer.data, 0, answer.decimated);
      this.data = data;
      this.host.requestUpdate();
    } catch {
      // Aborted, or the server is away: the held rows stay on (labelled by their step, and close).
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }
}
