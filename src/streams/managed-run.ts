import type { Observable } from 'rxjs';
import type { RunConfig } from '../config/schema.js';
import type { MetricRecord } from '../operators/frames.js';
import type { LiveFork } from './branch-plan.js';
import type { BranchRule } from './branch-rules.js';
import type { ControlActionName, ControlState } from './run-control.js';
import type { RunOutcome } from './run.js';

/** What steering a run needs to see of its control. */
export interface ControlView {
  readonly state: ControlState;
  readonly state$: Observable<ControlState>;
}

/** A branch point reached by a run: the rule that fired and the state at that record's step. */
export interface RuleFork {
  readonly rule: BranchRule;
  readonly fork: LiveFork;
}

/**
 * A run the manager trains, in this thread or in a worker thread: its records, its control
 * state, its step, and the few things done to it from outside — commands, forks, flushes.
 */
export interface ManagedRun {
  readonly config: RunConfig;
  readonly metrics$: Observable<MetricRecord>;
  readonly control: ControlView;
  /** The current step (in a worker: as of its latest report). */
  readonly state: { readonly step: number };
  /** Branch points reached by the run's rules (see {@link BranchRule}). */
  readonly forks$: Observable<RuleFork>;
  readonly outcome: Promise<RunOutcome>;
  /** Pause, resume, step(n) or stop; resolves once the run has taken the command (its state and step then hold). */
  command(action: ControlActionName, n?: number): Promise<void>;
  /** The state and the detectors' and plug-ins' memory at the current step, taken between two steps; the run goes on. */
  fork(): Promise<LiveFork>;
  /** Writes buffered records to the store now. */
  flush(): Promise<void>;
  /** Watches for one more branch rule from now on; resolves once the run watches it. */
  addRule(rule: BranchRule): Promise<void>;
}
