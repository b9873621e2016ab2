import type { MetricRecord } from '../operators/frames.js';
import type { RunPhaseEvent } from '../operators/phases/phase-event.js';
import type { Store } from '../store/store.js';
import { decimateMinMax, type Columns } from './decimate.js';

/**
 * One run's metric history in memory, columnar (step first), with a sequence number per
 * record: record k (1-based, in recording order) has seq k. Loaded from the store when first
 * needed, then extended by the live run's records; frames and snapshots are cut from it.
 * Detector events ride with the record that raised them (same seq), so a client that resumes
 * with `sinceSeq` gets exactly the events it missed.
 */
export class RunChannel {
  private names: string[] = [];
  private readonly index = new Map<string, number>();
  private steps: number[] = [];
  private values: (number | null)[][] = [];
  /** Events in detection order, each with the seq of the record that raised it. */
  private events: { seq: number; event: RunPhaseEvent }[] = [];

  private constructor(readonly runId: number) {}

  /** A channel holding everything the store has recorded for the run. */
  static fromStore(store: Store, runId: number): RunChannel {
    const channel = new RunChannel(runId);
    for (const name of store.seriesNames(runId)) channel.addColumn(name);
    for (const row of store.readPoints(runId)) {
      channel.steps.push(row.step);
      row.values.forEach((v, c) => channel.values[c].push(v));
    }
    for (const event of store.readEvents(runId)) {
      // The record that raised an event is the one at its detection step (or the next recorded one).
      channel.events.push({ seq: Math.min(channel.steps.length, lowerBound(channel.steps, event.detectedAt) + 1), event });
    }
    return channel;
  }

  /** The sequence number of the latest record (0 when there is none). */
  get seq(): number {
    return this.steps.length;
  }

  /** The step of the latest record, or null when there is none. */
  get lastStep(): number | null {
    return this.steps.length ? this.steps[this.steps.length - 1] : null;
  }

  /** 'step' followed by the series names, in the order of `data` columns. */
  get columns(): string[] {
    return ['step', ...this.names];
  }

  /** Adds a record (new series get a column, empty for earlier records); returns its seq. */
  append(record: MetricRecord): number {
    for (const name of Object.keys(record.values)) if (!this.index.has(name)) this.addColumn(name);
    this.steps.push(record.step);
    this.names.forEach((name, c) => {
      const v = record.values[name];
      this.values[c].push(v === undefined || !Number.isFinite(v) ? null : v);
    });
    for (const event of record.events ?? []) this.events.push({ seq: this.seq, event: { runId: this.runId, ...event } });
    return this.seq;
  }

  /** Events raised by records fromSeq … toSeq (inclusive), in detection order. */
  eventsBetween(fromSeq: number, toSeq: number): RunPhaseEvent[] {
    const out: RunPhaseEvent[] = [];
    for (const { seq, event } of this.events) if (seq >= fromSeq && seq <= toSeq) out.push(event);
    return out;
  }

  /** Records fromSeq … toSeq (inclusive), columnar. */
  slice(fromSeq: number, toSeq: number): Columns {
    const a = Math.max(0, fromSeq - 1);
    const b = Math.min(this.steps.length, toSeq);
    return [this.steps.slice(a, b), ...this.values.map((column) => column.slice(a, b))];
  }

  /** The whole history, decimated to at most `maxPoints` rows (min/max per bucket). */
  snapshot(maxPoints: number): { data: Columns; decimated: boolean } {
    return decimateMinMax([this.steps, ...this.values], maxPoints);
  }

  /** A step range of chosen series, decimated — what the REST series endpoint serves. */
  range(names: readonly string[], from: number, to: number, maxPoints: number): { columns: string[]; data: Columns; decimated: boolean } {
    let a = lowerBound(this.steps, from);
    const b = lowerBound(this.steps, to + 1);
    a = Math.min(a, b);
    const chosen = names.filter((n) => this.index.has(n));
    const data: Columns = [this.steps.slice(a, b), ...chosen.map((n) => this.values[this.index.get(n)!].slice(a, b))];
    return { columns: ['step', ...chosen], ...decimateMinMax(data, maxPoints) };
  }

  private addColumn(name: string): void {
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.values.push(new Array<number | null>(this.steps.length).fill(null));
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
