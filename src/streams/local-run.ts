import { ReplaySubject, type Observable } from 'rxjs';
import type { Store } from '../store/store.js';
import type { LiveFork } from './branch-plan.js';
import type { BranchRule } from './branch-rules.js';
import type { ManagedRun, RuleFork } from './managed-run.js';
import type { ControlActionName } from './run-control.js';
import { startRecorded, type RunRecorder } from './run-recorder.js';
import { ruleForks } from './rule-forks.js';
import type { Run, RunOutcome } from './run.js';

/**
 * A run trained in this thread (it yields to the event loop between short slices of steps),
 * recorded into the store. Commands take effect at once.
 */
export class LocalRun implements ManagedRun {
  readonly outcome: Promise<RunOutcome>;
  readonly forks$: Observable<RuleFork>;
  private readonly recorder: RunRecorder;
  private readonly forks: ReplaySubject<RuleFork>;

  constructor(
    readonly run: Run,
    store: Store,
    runId: number,
    rules: readonly BranchRule[] = [],
  ) {
    // Replayed: a rule may fire before the manager has subscribed.
    this.forks = new ReplaySubject<RuleFork>();
    this.watch(rules);
    this.forks$ = this.forks.asObservable();
    ({ recorder: this.recorder, outcome: this.outcome } = startRecorded(run, store, runId));
  }

  get config() {
    return this.run.config;
  }

  get metrics$() {
    return this.run.metrics$;
  }

  get control() {
    return this.run.control;
  }

  get state() {
    return this.run.state;
  }

  command(action: ControlActionName, n = 1): Promise<void> {
    this.run.control.apply(action, n);
    return Promise.resolve();
  }

  fork(): Promise<LiveFork> {
    return Promise.resolve({ snapshot: this.run.state.snapshot(), memory: this.run.memory() });
  }

  flush(): Promise<void> {
    this.recorder.flush();
    return Promise.resolve();
  }

  addRule(rule: BranchRule): Promise<void> {
    this.watch([rule]);
    return Promise.resolve();
  }

  private watch(rules: readonly BranchRule[]): void {
    // Not completing the shared subject: other rules may still fire.
    ruleForks(this.run, rules).subscribe({ next: (fork) => this.forks.next(fork) });
  }
}
