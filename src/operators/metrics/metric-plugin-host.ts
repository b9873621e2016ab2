import { Subject, type Subscription } from 'rxjs';
import type { RunConfig } from '../../config/schema.js';
import { PluginError } from '../../errors.js';
import type { PatchModel } from '../../model/patch-model.js';
import { tf } from '../../model/tf.js';
import type { MetricRecord, SteppedFrame } from '../frames.js';
import type { PhaseEvent, PhaseName } from '../phases/phase-event.js';
import type { ComputeMetricPlugin, MetricPlugin, OperatorMetricPlugin } from './define-metric.js';
import { BadMetricValue, flattenMetricValues } from './metric-values.js';
import { stepFrameOf, type StepFrame } from './step-frame.js';

/** The memory of a run's stateful plug-ins, by plug-in name: plain JSON, saved with checkpoints. */
export type MetricPluginState = Readonly<Record<string, unknown>>;

export interface MetricPluginHostOptions {
  /** The run's recording interval: plug-ins are computed only at recorded steps. */
  readonly metricsEvery: number;
  /** A plug-in whose last {@link SLOW_WINDOW} calls average more than this is sampled half as often. */
  readonly budgetMs: number;
  /** The run's current phase, stamped on reports. */
  readonly phase?: () => PhaseName | null;
  /** Milliseconds clock (tests pass a fake one). */
  readonly now?: () => number;
}

/** What one recorded step adds to the record: the plug-ins' values and any reports. */
export interface PluginMeasurement {
  readonly values: Record<string, number>;
  readonly events: PhaseEvent[];
}

/** Calls averaged before a plug-in is judged slow. */
export const SLOW_WINDOW = 5;

type ReportLabel = 'error' | 'bad-value' | 'leak' | 'slow' | 'late';

interface Slot {
  readonly plugin: MetricPlugin;
  /** Steps between calls: a multiple of the recording interval, doubled while too slow. */
  interval: number;
  off: boolean;
  state: unknown;
  durations: number[];
  readonly reported: Set<ReportLabel>;
  /** Operator plug-ins: the frames pushed in, the records collected during a push, the error it ended with. */
  frames?: Subject<StepFrame>;
  subscription?: Subscription;
  collected?: MetricRecord[] | null;
  failure?: { readonly error: unknown };
}

/**
 * Runs a run's metric plug-ins at recorded steps and keeps every failure inside the host: a
 * plug-in that throws, returns a bad value (NaN, a wrong shape, a name taken), leaves tensors
 * alive or emits out of turn is reported once, by name, and switched off; a slow one is reported
 * once and sampled half as often each time its calls average over the budget. The run, the
 * other plug-ins and the tensor count go on as if it were not there.
 *
 * @example
 * const host = new MetricPluginHost([myMetric], config, { metricsEvery: 10, budgetMs: 25 });
 * const { values, events } = host.measure(model, frame);
 */
export class MetricPluginHost {
  private readonly slots: Slot[];
  private pending: PhaseEvent[] = [];
  private lastStep = 0;
  private readonly now: () => number;

  constructor(
    plugins: readonly MetricPlugin[],
    private readonly config: RunConfig,
    private readonly options: MetricPluginHostOptions,
    saved: MetricPluginState = {},
  ) {
    const seen = new Set<string>();
    for (const plugin of plugins) {
      if (seen.has(plugin.name)) throw new PluginError(`two metric plug-ins are named "${plugin.name}"; series are prefixed by the name, so it must be unique`);
      seen.add(plugin.name);
    }
    this.now = options.now ?? (() => performance.now());
    this.slots = plugins.map((plugin) => this.slotFor(plugin, saved));
  }

  /** Names of the plug-ins still computing. */
  get active(): string[] {
    return this.slots.filter((s) => !s.off).map((s) => s.plugin.name);
  }

  /**
   * Computes every due plug-in on a recorded step's frame; never throws for a plug-in's fault.
   * @param recorded the values already in the step's record (a plug-in may not overwrite them)
   */
  measure(model: PatchModel, frame: SteppedFrame, recorded: Readonly<Record<string, number>> = {}): PluginMeasurement {
    const step = frame.state.step;
    this.lastStep = step;
    const values: Record<string, number> = {};
    for (const slot of this.slots) {
      if (slot.off || step % slot.interval !== 0) continue;
      const started = this.now();
      const before = tf.memory().numTensors;
      let produced: Record<string, number> = {};
      try {
        tf.tidy(() => {
          produced = slot.plugin.kind === 'compute' ? this.compute(slot, slot.plugin, stepFrameOf(model, frame)) : this.push(slot, slot.plugin, stepFrameOf(model, frame));
        });
      } catch (error) {
        this.switchOff(slot, step, error instanceof BadMetricValue ? 'bad-value' : 'error', describeError(error));
        continue;
      }
      const kept = tf.memory().numTensors - before;
      if (kept > 0) {
        this.switchOff(slot, step, 'leak', `${kept} tensor(s) stayed alive after the call (tf.keep or tf.variable inside compute?)`);
        continue;
      }
      const taken = Object.keys(produced).find((name) => name in values || name in recorded);
      if (taken) {
        this.switchOff(slot, step, 'bad-value', `series ${taken} is already recorded by another metric`);
        continue;
      }
      Object.assign(values, produced);
      this.time(slot, step, this.now() - started);
    }
    const events = this.pending;
    this.pending = [];
    return { values, events };
  }

  /** The plug-ins' memory, for a checkpoint. */
  snapshot(): MetricPluginState {
    const out: Record<string, unknown> = {};
    for (const slot of this.slots) {
      if (slot.plugin.kind !== 'compute' || slot.state === undefined) continue;
      try {
        out[slot.plugin.name] = JSON.parse(JSON.stringify(slot.state));
      } catch (error) {
        this.switchOff(slot, this.lastStep, 'bad-value', `its state cannot be saved as JSON (${describeError(error)})`);
      }
    }
    return out;
  }

  /** Ends the operator plug-ins' subscriptions. */
  dispose(): void {
    for (const slot of this.slots) slot.subscription?.unsubscribe();
  }

  private slotFor(plugin: MetricPlugin, saved: MetricPluginState): Slot {
    const every = this.options.metricsEvery;
    const asked = plugin.kind === 'compute' ? plugin.every : null;
    const slot: Slot = { plugin, interval: asked === null ? every : Math.ceil(asked / every) * every, off: false, state: undefined, durations: [], reported: new Set() };
    try {
      if (plugin.kind === 'compute') slot.state = plugin.name in saved ? JSON.parse(JSON.stringify(saved[plugin.name])) : plugin.init(this.config);
      else this.subscribe(slot, plugin);
    } catch (error) {
      this.switchOff(slot, 0, 'error', `failed to start: ${describeError(error)}`);
    }
    return slot;
  }

  private compute(slot: Slot, plugin: ComputeMetricPlugin, frame: StepFrame): Record<string, number> {
    return flattenMetricValues(plugin.name, plugin.compute(frame, slot.state));
  }

  private subscribe(slot: Slot, plugin: OperatorMetricPlugin): void {
    slot.frames = new Subject<StepFrame>();
    slot.collected = null;
    slot.subscription = plugin.operator(slot.frames.asObservable()).subscribe({
      next: (record) => {
        if (slot.collected) slot.collected.push(record);
        else this.switchOff(slot, record?.step ?? 0, 'late', 'it emitted outside a frame push; an operator plug-in must emit synchronously while its frame is pushed');
      },
      // Kept for the push that caused it (throwing here would escape as an unhandled error).
      error: (error: unknown) => (slot.failure = { error }),
      complete: () => (slot.failure ??= { error: new Error('its operator completed; an operator plug-in must keep running') }),
    });
  }

  private push(slot: Slot, plugin: OperatorMetricPlugin, frame: StepFrame): Record<string, number> {
    const records: MetricRecord[] = [];
    slot.collected = records;
    try {
      slot.frames!.next(frame);
    } finally {
      slot.collected = null;
    }
    if (slot.failure) throw slot.failure.error;
    const out: Record<string, number> = {};
    for (const record of records) {
      if (typeof record !== 'object' || record === null || typeof record.values !== 'object' || record.values === null) throw new BadMetricValue(`emitted ${JSON.stringify(record)?.slice(0, 40)}, not a MetricRecord { step, values }`);
      Object.assign(out, flattenMetricValues(plugin.name, record.values));
    }
    return out;
  }

  private time(slot: Slot, step: number, ms: number): void {
    slot.durations.push(ms);
    if (slot.durations.length < SLOW_WINDOW) return;
    const mean = slot.durations.reduce((a, b) => a + b, 0) / slot.durations.length;
    slot.durations = [];
    if (mean <= this.options.budgetMs) return;
    slot.interval *= 2;
    this.report(slot, step, 'slow', `takes ${mean.toFixed(1)} ms per call (budget ${this.options.budgetMs} ms): now computed every ${slot.interval} steps`);
  }

  private switchOff(slot: Slot, step: number, label: ReportLabel, why: string): void {
    slot.off = true;
    slot.subscription?.unsubscribe();
    this.report(slot, step, label, `${why}; switched off, the run goes on`);
  }

  private report(slot: Slot, step: number, label: ReportLabel, text: string): void {
    if (slot.reported.has(label)) return;
    slot.reported.add(label);
    const what = slot.plugin.kind === 'operator' ? 'metric operator' : 'metric plug-in';
    this.pending.push({
      kind: 'plugin',
      detector: 'plugin',
      step,
      detectedAt: step,
      label,
      phase: this.options.phase?.() ?? null,
      series: slot.plugin.name,
      confidence: 1,
      evidence: {},
      message: `${what} "${slot.plugin.name}" at step ${step}: ${text}`,
    });
  }
}

function describeError(error: unknown): string {
  if (error instanceof BadMetricValue) return `returned a bad value: ${error.message}`;
  if (error instanceof Error) return `threw ${error.name}: ${error.message}`;
  return `threw ${String(error)}`;
}
