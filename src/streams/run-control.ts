import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';

/**
 * What the tick source may do: `running` pulls steps freely, `paused` pulls none,
 * `stepping` pulls a given number then pauses, `stopped` ends the run.
 */
export type ControlState = 'running' | 'paused' | 'stepping' | 'stopped';

/** What people may ask of a run. */
export type ControlActionName = 'pause' | 'resume' | 'step' | 'stop';

/**
 * The gate between a run and the people steering it: pause, resume, step(n), stop.
 *
 * The tick source asks {@link RunControl.tryAcquire} before every step, so a pause takes
 * effect between two steps and nothing is computed while paused.
 * @example const control = new RunControl(); control.pause(); control.step(5);
 */
export class RunControl {
  private readonly subject: BehaviorSubject<ControlState>;
  private budget = 0;

  constructor(initial: Exclude<ControlState, 'stepping'> = 'running') {
    this.subject = new BehaviorSubject<ControlState>(initial);
  }

  /** The current state and every change after it. */
  get state$(): Observable<ControlState> {
    return this.subject.pipe(distinctUntilChanged());
  }

  get state(): ControlState {
    return this.subject.value;
  }

  /** Steps still allowed while `stepping`. */
  get remaining(): number {
    return this.state === 'stepping' ? this.budget : 0;
  }

  pause(): void {
    if (this.state === 'running' || this.state === 'stepping') this.set('paused');
  }

  resume(): void {
    if (this.state === 'paused' || this.state === 'stepping') this.set('running');
  }

  /** Runs `n` more steps (from paused or running), then pauses. */
  step(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`step(n): n must be a positive integer, got ${n}`);
    if (this.state === 'stopped') return;
    this.budget = (this.state === 'stepping' ? this.budget : 0) + n;
    this.set('stepping');
  }

  /** Applies a named action (`step` runs `n`). */
  apply(action: ControlActionName, n = 1): void {
    if (action === 'pause') this.pause();
    else if (action === 'resume') this.resume();
    else if (action === 'step') this.step(n);
    else this.stop();
  }

  /** Ends the run after the step in progress; final. */
  stop(): void {
    if (this.state !== 'stopped') this.set('stopped');
  }

  /** For the tick source: may one step start now? Counts it against a `step(n)` budget. */
  tryAcquire(): boolean {
    if (this.state === 'running') return true;
    if (this.state !== 'stepping' || this.budget <= 0) return false;
    this.budget -= 1;
    return true;
  }

  /** For the tick source, after each step: a used-up `step(n)` budget pauses the run. */
  settle(): void {
    if (this.state === 'stepping' && this.budget <= 0) this.set('paused');
  }

  private set(state: ControlState): void {
    this.subject.next(state);
  }
}
