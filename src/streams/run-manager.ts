import { Subject, type Observable } from 'rxjs';
import type { RunConfig } from '../config/schema.js';
import { NotLiveError, UsageError } from '../errors.js';
import type { MetricRecord } from '../operators/frames.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';
import { createBranch, planBranch, type BranchRequest } from './branch-plan.js';
import { triggerOf, type BranchRule } from './branch-rules.js';
import { applyResume, planResume } from './resume-plan.js';
import { Run, type RunOutcome } from './run.js';
import type { ControlState } from './run-control.js';
import { startRecorded, type RunRecorder } from './run-recorder.js';

/** A run training in this process. */
export interface LiveRun {
  readonly id: number;
  readonly run: Run;
  readonly outcome: Promise<RunOutcome>;
  readonly recorder: RunRecorder;
}

export type ManagerEvent =
  | { readonly type: 'started'; readonly runId: number }
  | { readonly type: 'control'; readonly runId: number; readonly state: ControlState }
  | { readonly type: 'ended'; readonly runId: number; readonly outcome: RunOutcome }
  | { readonly type: 'branched'; readonly runId: number; readonly parentId: number; readonly forkStep: number }
  | { readonly type: 'branch-failed'; readonly runId: number; readonly rule: string; readonly error: string };

export type ControlActionName = 'pause' | 'resume' | 'step' | 'stop';

/**
 * The runs a server trains: starts runs from configs, resumes stored ones, forwards control,
 * and tells listeners when runs start, change state and end. Every run is recorded in the store.
 * Runs share this thread; each yields to the event loop between short slices of steps.
 */
export class RunManager {
  private readonly runs = new Map<number, LiveRun>();
  private readonly eventsSubject = new Subject<ManagerEvent>();
  private closed = false;

  constructor(
    readonly store: Store,
    private readonly backend: string,
  ) {}

  get events$(): Observable<ManagerEvent> {
    return this.eventsSubject.asObservable();
  }

  /** Creates a stored run for `config` and starts training it, with automatic branch points if given. */
  start(config: RunConfig, meta: { preset: string | null; name?: string; branchRules?: readonly BranchRule[] }): LiveRun {
    this.assertOpen();
    const record = this.store.createRun({
      name: meta.name ?? meta.preset ?? 'custom',
      preset: meta.preset,
      config,
      seed: config.seed,
      backend: this.backend,
      targetSteps: config.steps,
    });
    const live = this.launch(record.id, new Run(config));
    for (const rule of meta.branchRules ?? []) this.addBranchRule(live.id, rule);
    return live;
  }

  /**
   * Branches a live run automatically the first time a detector event matches `rule.on`, at the
   * step of that event's record, with `rule.sets`. A patch that cannot apply is reported as a
   * `branch-failed` event; the run goes on.
   */
  addBranchRule(runId: number, rule: BranchRule): void {
    const live = this.requireLive(runId);
    const matches = triggerOf(rule.on);
    const subscription = live.run.metrics$.subscribe((record) => {
      if (!record.events?.some(matches)) return;
      subscription.unsubscribe();
      try {
        this.branch({ parentId: runId, sets: rule.sets, name: `${this.store.getRun(runId)?.name ?? runId} ⑂ ${rule.on} ${rule.sets.join(' ')}`.trim() });
      } catch (error) {
        this.eventsSubject.next({ type: 'branch-failed', runId, rule: rule.on, error: (error as Error).message });
      }
    });
  }

  /** Continues a stored run from its last checkpoint (optionally to a new total). */
  resume(runId: number, steps?: number): LiveRun {
    this.assertOpen();
    if (this.runs.has(runId)) throw new UsageError(`run ${runId} is already training here`);
    const plan = planResume(this.store, runId, steps);
    const run = new Run(plan.config, { snapshot: plan.snapshot, detectorState: plan.detectorState });
    applyResume(this.store, plan, this.backend);
    return this.launch(runId, run);
  }

  /**
   * Branches a run — a live one at its current step (the parent goes on), or any run at one of
   * its checkpoints — with a config patch, and starts training the branch.
   * @throws UsageError / ConfigError when the patch cannot apply
   */
  branch(request: BranchRequest): LiveRun {
    this.assertOpen();
    const parent = this.runs.get(request.parentId);
    // Between two slices of steps, so the state and the detectors are at one step boundary.
    const live = parent ? { snapshot: parent.run.state.snapshot(), detectorState: parent.run.detector.snapshot() } : undefined;
    const plan = planBranch(this.store, request, live);
    // The branch reads its history up to the fork through the store: write the parent's buffered points first.
    parent?.recorder.flush();
    const record = createBranch(this.store, plan, this.backend);
    const launched = this.launch(record.id, new Run(plan.config, { snapshot: plan.snapshot, detectorState: plan.detectorState }));
    this.eventsSubject.next({ type: 'branched', runId: record.id, parentId: plan.parent.id, forkStep: plan.forkStep });
    return launched;
  }

  /** @throws NotLiveError when the run is not training in this process */
  control(runId: number, action: ControlActionName, n = 1): void {
    const live = this.requireLive(runId);
    const control = live.run.control;
    if (action === 'pause') control.pause();
    else if (action === 'resume') control.resume();
    else if (action === 'step') control.step(n);
    else control.stop();
  }

  live(runId: number): LiveRun | undefined {
    return this.runs.get(runId);
  }

  liveRuns(): LiveRun[] {
    return [...this.runs.values()];
  }

  requireLive(runId: number): LiveRun {
    const live = this.runs.get(runId);
    if (!live) {
      const stored = this.store.getRun(runId);
      throw new NotLiveError(stored ? `run ${runId} is not training (status ${this.store.displayStatus(stored)}); resume it first` : `run ${runId} does not exist`);
    }
    return live;
  }

  /** Metric records of a live run as they are made. */
  metrics$(runId: number): Observable<MetricRecord> {
    return this.requireLive(runId).run.metrics$;
  }

  /** Every stored run, live ones marked. */
  list(): (RunRecord & { live: boolean; displayStatus: string })[] {
    return this.store.listRuns().map((run) => ({ ...run, live: this.runs.has(run.id), displayStatus: this.store.displayStatus(run) }));
  }

  /** Stops every run (each writes a checkpoint and is marked stopped) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.runs.values()];
    for (const live of pending) live.run.control.stop();
    await Promise.all(pending.map((live) => live.outcome));
    this.eventsSubject.complete();
  }

  private launch(runId: number, run: Run): LiveRun {
    const { outcome, recorder } = startRecorded(run, this.store, runId);
    const live: LiveRun = { id: runId, run, outcome, recorder };
    this.runs.set(runId, live);
    run.control.state$.subscribe((state) => this.eventsSubject.next({ type: 'control', runId, state }));
    void outcome.then((result) => {
      this.runs.delete(runId);
      this.eventsSubject.next({ type: 'ended', runId, outcome: result });
    });
    this.eventsSubject.next({ type: 'started', runId });
    return live;
  }

  private assertOpen(): void {
    if (this.closed) throw new UsageError('the server is shutting down; no new runs');
  }
}
