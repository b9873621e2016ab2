import { hostname } from 'node:os';
import type { Subscription } from 'rxjs';
import { encodeCheckpoint } from '../store/checkpoint-codec.js';
import type { Store } from '../store/store.js';
import type { MetricPoint, RunStatus } from '../store/types.js';
import type { PhaseEvent } from '../operators/phases/phase-event.js';
import { memoryExtras } from './run-memory.js';
import type { CheckpointEvent, Run, RunOutcome } from './run.js';

export interface RecorderOptions {
  /** Longest time points wait in memory before they are written, in ms. */
  readonly flushMs?: number;
}

/**
 * Persists a run into the store: metric points and detector events (batched, one transaction per flush),
 * checkpoints (written after the points up to their step, in the same transaction, so a
 * checkpoint never precedes its history), and the run's status, step and owner process.
 *
 * @example
 * const recorder = new RunRecorder(run, store, runId);
 * const outcome = await recorder.attach(run.start());
 */
export class RunRecorder {
  private points: MetricPoint[] = [];
  private events: PhaseEvent[] = [];
  private checkpoints: CheckpointEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly run: Run,
    private readonly store: Store,
    readonly runId: number,
    private readonly options: RecorderOptions = {},
  ) {
    this.subscriptions.push(
      run.metrics$.subscribe((record) => {
        this.points.push({ step: record.step, values: { ...record.values } });
        if (record.events) this.events.push(...record.events);
        this.scheduleFlush();
      }),
      run.checkpoints$.subscribe((event) => {
        this.checkpoints.push(event);
        // Flush soon (after the current slice of steps), not inside the hot loop.
        this.scheduleFlush(0);
      }),
      run.control.state$.subscribe((state) => {
        if (state === 'paused' || state === 'running' || state === 'stepping') {
          this.flush(state === 'paused' ? 'paused' : 'running');
        }
      }),
    );
    store.updateRun(runId, { status: 'running', pid: process.pid, host: hostname(), error: null, finishedAt: null });
  }

  /** Waits for the run's outcome, then writes everything left and the final status. */
  async attach(outcome: Promise<RunOutcome>): Promise<RunOutcome> {
    const result = await outcome;
    this.close(result);
    return result;
  }

  /** Writes buffered points and checkpoints now, with the run's current step. */
  flush(status?: RunStatus): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const points = this.points;
    const checkpoints = this.checkpoints;
    const events = this.events;
    this.points = [];
    this.checkpoints = [];
    this.events = [];
    this.store.transaction(() => {
      if (points.length) this.store.appendPoints(this.runId, points);
      if (events.length) this.store.appendEvents(this.runId, events);
      for (const c of checkpoints) {
        this.store.saveCheckpoint(this.runId, c.step, c.reason, encodeCheckpoint({ train: c.snapshot, ...memoryExtras(c.memory) }));
      }
      this.store.updateRun(this.runId, { step: this.run.state.step, ...(status ? { status } : {}) });
    });
  }

  private close(outcome: RunOutcome): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.flush();
    this.store.updateRun(this.runId, {
      status: outcome.status,
      step: outcome.step,
      pid: null,
      error: outcome.status === 'failed' ? outcome.error.message : null,
      finishedAt: new Date().toISOString(),
    });
  }

  private scheduleFlush(delay = this.options.flushMs ?? 250): void {
    if (delay === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), 0);
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), delay);
  }
}

/**
 * Trains a run to its end while recording it, then frees its tensors: the one way runs are
 * driven (CLI, server, validation workers). Listeners on the run's streams must be attached
 * before calling, since the run starts at once.
 * @example const outcome = await trainRecorded(new Run(config), store, runId);
 */
export async function trainRecorded(run: Run, store: Store, runId: number): Promise<RunOutcome> {
  return startRecorded(run, store, runId).outcome;
}

/**
 * {@link trainRecorded}, also handing back the recorder, so its buffered points can be flushed
 * at once (before a branch reads its parent's history through the store).
 */
export function startRecorded(run: Run, store: Store, runId: number): { recorder: RunRecorder; outcome: Promise<RunOutcome> } {
  const recorder = new RunRecorder(run, store, runId);
  const outcome = recorder.attach(run.start()).finally(() => run.dispose());
  return { recorder, outcome };
}
