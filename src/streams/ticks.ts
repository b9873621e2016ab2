import { Observable, filter, take, type Subscription } from 'rxjs';
import type { Tick } from '../operators/frames.js';
import type { RunControl } from './run-control.js';

export interface TickOptions {
  /** First tick (the state's current step). */
  readonly from: number;
  /** Ticks stop before this one (the run's target step count). */
  readonly until: number;
  /**
   * Longest stretch of synchronous steps before yielding to the event loop, in ms, so servers
   * and timers in the same process keep answering while a run trains.
   */
  readonly sliceMs?: number;
}

/**
 * A pull-based source of step indices, gated by a {@link RunControl}.
 *
 * Tick t is emitted only when the subscriber has finished tick t − 1 (the pipeline below it is
 * synchronous, so `next` returns when the step is done) and the control lets a step start.
 * Nothing is emitted while paused; stop completes the stream after the step in progress.
 * @example pullTicks(control, { from: 0, until: 30_000 }).pipe(sampleBatch(config), …)
 */
export function pullTicks(control: RunControl, options: TickOptions): Observable<Tick> {
  const sliceMs = options.sliceMs ?? 16;
  return new Observable<Tick>((subscriber) => {
    let next = options.from;
    let immediate: NodeJS.Immediate | undefined;
    let waiting: Subscription | undefined;
    let pumping = false;

    const schedule = () => {
      if (immediate === undefined && !subscriber.closed) immediate = setImmediate(pump);
    };
    const waitForGate = () => {
      waiting = control.state$.pipe(filter((state) => state !== 'paused'), take(1)).subscribe(() => {
        waiting = undefined;
        schedule();
      });
    };
    function pump(): void {
      immediate = undefined;
      if (pumping) return;
      pumping = true;
      try {
        const deadline = performance.now() + sliceMs;
        while (!subscriber.closed) {
          if (next >= options.until || control.state === 'stopped') {
            subscriber.complete();
            return;
          }
          if (!control.tryAcquire()) {
            waitForGate();
            return;
          }
          subscriber.next(next++);
          control.settle();
          if (performance.now() >= deadline) {
            schedule();
            return;
          }
        }
      } finally {
        pumping = false;
      }
    }

    schedule();
    return () => {
      if (immediate !== undefined) clearImmediate(immediate);
      waiting?.unsubscribe();
    };
  });
}
