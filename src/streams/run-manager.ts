import { hostname } from 'node:os';
import { Subject, type Observable } from 'rxjs';
import type { RunConfig } from '../config/schema.js';
import { NotLiveError, UsageError } from '../errors.js';
import type { TrainStateSnapshot } from '../model/train-state.js';
import type { MetricRecord } from '../operators/frames.js';
import type { RunMemory } from './run-memory.js';
import type { MetricPlugin } from '../operators/metrics/define-metric.js';
import { MetricModules } from '../operators/metrics/metric-modules.js';
import type { Store } from '../store/store.js';
import type { RunRecord } from '../store/types.js';
import { createBranch, planBranch, type BranchRequest, type LiveFork } from './branch-plan.js';
import { triggerOf, type BranchRule } from './branch-rules.js';
import { LocalRun } from './local-run.js';
import type { ManagedRun } from './managed-run.js';
import { applyResume, planResume } from './resume-plan.js';
import { Run, type RunOutcome } from './run.js';
import type { ControlActionName, ControlState } from './run-control.js';
import { ThreadRun } from './thread-run.js';

export type { ControlActionName } from './run-control.js';

/** A run training under this manager (in this thread or a worker thread). */
export interface LiveRun {
  readonly id: number;
  readonly run: ManagedRun;
  readonly outcome: Promise<RunOutcome>;
}

export type ManagerEvent =
  | { readonly type: 'started'; readonly runId: number }
  | { readonly type: 'control'; readonly runId: number; readonly state: ControlState }
  | { readonly type: 'ended'; readonly runId: number; readonly outcome: RunOutcome }
  | { readonly type: 'branched'; readonly runId: number; readonly parentId: number; readonly forkStep: number }
  | { readonly type: 'branch-failed'; readonly runId: number; readonly rule: string; readonly error: string };

export interface RunManagerOptions {
  /**
   * Train each run in its own worker thread (own tfjs backend and database connection), so that
   * runs use several cores and the server's thread stays free; default false: runs share this
   * thread, each yielding to the event loop between short slices of steps.
   */
  readonly threads?: boolean;
  /** The metric plug-in modules runs may use (a config naming any other is refused). */
  readonly modules?: MetricModules;
}

/** Where a run starts from. */
interface Launch {
  readonly config: RunConfig;
  readonly snapshot?: TrainStateSnapshot;
  readonly memory?: RunMemory;
  readonly rules?: readonly BranchRule[];
}

/**
 * The runs a server trains: starts runs from configs, resumes stored ones, branches them (by
 * hand or by rule), forwards control, and tells listeners when runs start, change state, branch
 * and end. Every run is recorded in the store.
 */
export class RunManager {
  private readonly runs = new Map<number, LiveRun>();
  private readonly eventsSubject = new Subject<ManagerEvent>();
  private closed = false;

  constructor(
    readonly store: Store,
    private readonly backend: string,
    private readonly options: RunManagerOptions = {},
  ) {}

  get events$(): Observable<ManagerEvent> {
    return this.eventsSubject.asObservable();
  }

  /** Whether runs train in worker threads. */
  get threaded(): boolean {
    return this.options.threads ?? false;
  }

  /** Creates a stored run for `config` and starts training it, with automatic branch points if given. */
  start(config: RunConfig, meta: { preset: string | null; name?: string; branchRules?: readonly BranchRule[] }): LiveRun {
    this.assertOpen();
    this.pluginsFor(config);
    const record = this.store.createRun({
      name: meta.name ?? meta.preset ?? 'custom',
      preset: meta.preset,
      config,
      seed: config.seed,
      backend: this.backend,
      targetSteps: config.steps,
    });
    return this.launch(record.id, { config, rules: meta.branchRules });
  }

  /** Continues a stored run from its last checkpoint (optionally to a new total). */
  resume(runId: number, steps?: number): LiveRun {
    this.assertOpen();
    if (this.runs.has(runId)) throw new UsageError(`run ${runId} is already training here`);
    const plan = planResume(this.store, runId, steps);
    this.pluginsFor(plan.config);
    applyResume(this.store, plan, this.backend);
    return this.launch(runId, { config: plan.config, snapshot: plan.snapshot, memory: plan.memory });
  }

  /**
   * Branches a run — a live one at its current step (the parent goes on), or any run at one of
   * its checkpoints — with a config patch, and starts training the branch.
   * @throws UsageError / ConfigError when the patch cannot apply
   */
  async branch(request: BranchRequest): Promise<LiveRun> {
    this.assertOpen();
    const parent = this.runs.get(request.parentId);
    const live = parent && request.at === undefined ? await parent.run.fork() : undefined;
    return this.launchBranch(request, live);
  }

  /**
   * Branches a live run automatically the first time a detector event matches `rule.on`, at that
   * record's step, with `rule.sets`; resolves once the run watches for it.
   * @throws UsageError for a malformed trigger; NotLiveError
   */
  async addBranchRule(runId: number, rule: BranchRule): Promise<void> {
    triggerOf(rule.on);
    await this.requireLive(runId).run.addRule(rule);
  }

  /** Forwards a command; resolves once the run has taken it (its state and step then hold). */
  async control(runId: number, action: ControlActionName, n = 1): Promise<void> {
    await this.requireLive(runId).run.command(action, n);
  }

  live(runId: number): LiveRun | undefined {
    return this.runs.get(runId);
  }

  liveRuns(): LiveRun[] {
    return [...this.runs.values()];
  }

  /** @throws NotLiveError when the run is not training under this manager */
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
    await Promise.all(pending.map((live) => live.run.command('stop')));
    await Promise.all(pending.map((live) => live.outcome));
    this.eventsSubject.complete();
  }

  private async launchBranch(request: BranchRequest, live: LiveFork | undefined): Promise<LiveRun> {
    const plan = planBranch(this.store, request, live);
    this.pluginsFor(plan.config);
    // The branch reads its history up to the fork through the store: the parent's buffered points go first.
    await this.runs.get(request.parentId)?.run.flush();
    this.assertOpen();
    const record = createBranch(this.store, plan, this.backend);
    const launched = this.launch(record.id, { config: plan.config, snapshot: plan.snapshot, memory: plan.memory });
    this.eventsSubject.next({ type: 'branched', runId: record.id, parentId: plan.parent.id, forkStep: plan.forkStep });
    return launched;
  }

  private launch(runId: number, from: Launch): LiveRun {
    const rules = from.rules ?? [];
    // Marked running now, not when a worker thread gets there: listeners see the run live at once.
    this.store.updateRun(runId, { status: 'running', pid: process.pid, host: hostname(), error: null, finishedAt: null });
    const run: ManagedRun = this.threaded
      ? new ThreadRun(from.config, { dbPath: this.store.path, backend: this.backend, runId, config: from.config, snapshot: from.snapshot, memory: from.memory, rules })
      : new LocalRun(new Run(from.config, { snapshot: from.snapshot, memory: from.memory, plugins: this.pluginsFor(from.config) }), this.store, runId, rules);
    const live: LiveRun = { id: runId, run, outcome: run.outcome };
    this.runs.set(runId, live);
    run.control.state$.subscribe((state) => this.eventsSubject.next({ type: 'control', runId, state }));
    // A rule fired: branch at the state it captured, at that record's step.
    run.forks$.subscribe(({ rule, fork }) => {
      const name = `${this.store.getRun(runId)?.name ?? runId} + on ${rule.on}: ${rule.sets.join(' ') || 'copy'}`;
      this.launchBranch({ parentId: runId, sets: rule.sets, name }, fork).catch((error: unknown) =>
        this.eventsSubject.next({ type: 'branch-failed', runId, rule: rule.on, error: (error as Error).message }),
      );
    });
    void run.outcome.then((result) => {
      this.runs.delete(runId);
      this.eventsSubject.next({ type: 'ended', runId, outcome: result });
    });
    this.eventsSubject.next({ type: 'started', runId });
    return live;
  }

  /** The plug-in modules runs started here may use. */
  get modules(): MetricModules {
    return this.options.modules ?? MetricModules.none;
  }

  /** @throws ConfigError when the config names a plug-in module not loaded here */
  private pluginsFor(config: RunConfig): MetricPlugin[] {
    return this.modules.pluginsFor(config);
  }

  private assertOpen(): void {
    if (this.closed) throw new UsageError('the server is shutting down; no new runs');
  }
}
