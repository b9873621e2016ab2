import { Subject, filter, skip, type Observable, type Subscription } from 'rxjs';
import type { RunConfig } from '../config/schema.js';
import { PatchModel } from '../model/patch-model.js';
import { TrainState, type TrainStateSnapshot } from '../model/train-state.js';
import type { MetricRecord } from '../operators/frames.js';
import { builtinMetrics } from '../operators/metrics/builtins/builtin-metrics.js';
import type { MetricPlugin } from '../operators/metrics/define-metric.js';
import { MetricPluginHost } from '../operators/metrics/metric-plugin-host.js';
import { detectPhases } from '../operators/phases/detect-phases.js';
import { PhaseDetector } from '../operators/phases/phase-detector.js';
import { ConfigError } from '../errors.js';
import { trainingPipeline } from '../operators/training-pipeline.js';
import { RunControl } from './run-control.js';
import type { RunMemory } from './run-memory.js';
import { pullTicks } from './ticks.js';

/** Why a checkpoint was taken. */
export type CheckpointReason = 'periodic' | 'pause' | 'stop' | 'final';

export interface CheckpointEvent {
  readonly step: number;
  readonly reason: CheckpointReason;
  readonly snapshot: TrainStateSnapshot;
  /** The detectors' and metric plug-ins' memory after every record up to `step`. */
  readonly memory: RunMemory;
}

/** How a run ended: reached its target, was stopped, or failed. */
export type RunOutcome = { readonly status: 'completed' | 'stopped'; readonly step: number } | { readonly status: 'failed'; readonly step: number; readonly error: Error };

export interface RunOptions {
  /** Continue from this state instead of the config's initialisation. */
  readonly snapshot?: TrainStateSnapshot;
  /** The memory saved with that state (absent: detection and plug-ins start afresh). */
  readonly memory?: RunMemory;
  /**
   * The metric plug-ins to compute (see `metricPluginsFor`, which loads the config's modules);
   * default: the built-ins the config switches on.
   */
  readonly plugins?: readonly MetricPlugin[];
  readonly control?: RunControl;
  /** See {@link TickOptions.sliceMs}. */
  readonly sliceMs?: number;
}

/**
 * One training run: the model, its state and the pipeline that advances it, driven by a
 * pull-based tick source under a {@link RunControl}.
 *
 * `metrics$` and `checkpoints$` are hot: subscribe before {@link Run.start} to see everything.
 * Checkpoints come every `log.checkpointEvery` steps, on pause, on stop and at the end.
 * @example
 * const run = new Run(config);
 * run.metrics$.subscribe((r) => console.log(r.step, r.values.loss));
 * const outcome = await run.start();
 * run.dispose();
 */
export class Run {
  readonly model: PatchModel;
  readonly state: TrainState;
  readonly control: RunControl;
  readonly detector: PhaseDetector;
  readonly metricHost: MetricPluginHost;
  private readonly metricsSubject = new Subject<MetricRecord>();
  private readonly checkpointSubject = new Subject<CheckpointEvent>();
  private outcome: Promise<RunOutcome> | null = null;
  private subscriptions: Subscription[] = [];
  private settle: ((outcome: RunOutcome) => void) | null = null;
  private disposed = false;

  constructor(
    readonly config: RunConfig,
    private readonly options: RunOptions = {},
  ) {
    this.model = new PatchModel(config);
    try {
      this.state = options.snapshot ? TrainState.fromSnapshot(config, options.snapshot) : TrainState.create(config);
      this.detector = PhaseDetector.fromConfig(config, options.memory?.detector);
      if (!options.plugins && config.metrics.plugins.length) {
        throw new ConfigError(`metrics.plugins: ${config.metrics.plugins.join(', ')} must be loaded first (metricPluginsFor(config)) and passed as options.plugins`);
      }
      this.metricHost = new MetricPluginHost(
        options.plugins ?? builtinMetrics(config),
        config,
        { metricsEvery: config.log.metricsEvery, budgetMs: config.metrics.budgetMs, phase: () => this.detector.phase },
        options.memory?.metrics,
      );
    } catch (error) {
      (this as { state?: TrainState }).state?.dispose();
      this.model.dispose();
      throw error;
    }
    this.control = options.control ?? new RunControl();
  }

  /** The detectors' and plug-ins' memory now (taken between steps). */
  memory(): RunMemory {
    return { detector: this.detector.snapshot(), metrics: this.metricHost.snapshot() };
  }

  get metrics$(): Observable<MetricRecord> {
    return this.metricsSubject.asObservable();
  }

  get checkpoints$(): Observable<CheckpointEvent> {
    return this.checkpointSubject.asObservable();
  }

  /** Starts (once) and resolves when the run completes, is stopped or fails. */
  start(): Promise<RunOutcome> {
    if (this.disposed) throw new Error('Run.start: the run was disposed');
    this.outcome ??= new Promise<RunOutcome>((resolve) => {
      const every = this.config.log.checkpointEvery;
      const metricsEvery = this.config.log.metricsEvery;
      const checkpoint = (reason: CheckpointReason) =>
        this.checkpointSubject.next({ step: this.state.step, reason, snapshot: this.state.snapshot(), memory: this.memory() });
      // A checkpoint at step s must hold the detectors after the record of step s: when s is
      // recorded, it waits until that record has passed detection (in the same tick).
      let periodicDue = false;
      // Skip the current state: only changes into `paused` are pauses.
      this.subscriptions.push(this.control.state$.pipe(skip(1), filter((s) => s === 'paused')).subscribe(() => checkpoint('pause')));
      const finish = (result: RunOutcome) => {
        this.settle = null;
        for (const s of this.subscriptions) s.unsubscribe();
        this.subscriptions = [];
        this.metricsSubject.complete();
        this.checkpointSubject.complete();
        resolve(result);
      };
      this.settle = finish;
      const steps$ = pullTicks(this.control, { from: this.state.step, until: this.config.steps, sliceMs: this.options.sliceMs }).pipe(
        trainingPipeline(this.model, this.state, {
          metricsEvery: this.config.log.metricsEvery,
          metricHost: this.metricHost,
          afterStep: ({ state }) => {
            if (state.step % every !== 0 || state.step >= this.config.steps) return;
            if (state.step % metricsEvery === 0) periodicDue = true;
            else checkpoint('periodic');
          },
        }),
        detectPhases(this.detector),
      );
      this.subscriptions.push(
        steps$.subscribe({
          next: (record) => {
            this.metricsSubject.next(record);
            if (periodicDue) {
              periodicDue = false;
              checkpoint('periodic');
            }
          },
          error: (error: unknown) => {
            this.control.stop();
            finish({ status: 'failed', step: this.state.step, error: error instanceof Error ? error : new Error(String(error)) });
          },
          complete: () => {
            const completed = this.state.step >= this.config.steps;
            checkpoint(completed ? 'final' : 'stop');
            if (completed) this.control.stop();
            finish({ status: completed ? 'completed' : 'stopped', step: this.state.step });
          },
        }),
      );
    });
    return this.outcome;
  }

  /** Releases every tensor of the run (stopping it first if it is still going). */
  dispose(): void {
    if (this.disposed) return;
    this.control.stop();
    // A run disposed mid-flight ends as stopped, without the final checkpoint.
    this.settle?.({ status: 'stopped', step: this.state.step });
    this.disposed = true;
    this.metricHost.dispose();
    this.state.dispose();
    this.model.dispose();
  }
}
