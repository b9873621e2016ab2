import type { OperatorFunction } from 'rxjs';
import type { RunConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { Tensor } from '../../model/tf.js';
import type { MetricRecord } from '../frames.js';
import type { StepFrame } from './step-frame.js';

/**
 * One value a metric returns: a number; `null` for "no value at this step"; a vector or a small
 * matrix (recorded entry by entry as `name_i` / `name_j_r`, 1-based); or a tensor of those
 * shapes (read back and disposed by the host).
 */
export type MetricValue = number | null | readonly number[] | readonly (readonly number[])[] | Tensor;

/** Named values: `{ dist: 0.3, Estar: [[1, 0], [0.2, 1]] }` records `name.dist`, `name.Estar_2_1`, … */
export type MetricValues = Readonly<Record<string, MetricValue>>;

export interface MetricDefinition<S = undefined> {
  /** The prefix of the metric's series (`name.key`); a letter, then letters, digits, `_` or `-`. */
  readonly name: string;
  /** One line shown in listings. */
  readonly description?: string;
  /**
   * Compute every this many steps (default: at every recorded step). Computed only at recorded
   * steps, so the interval is rounded up to a multiple of `log.metricsEvery`.
   */
  readonly every?: number;
  /**
   * Creates the metric's memory for a run (an EMA, a running maximum). It is saved with every
   * checkpoint, so keep it JSON: plain numbers, arrays and objects.
   */
  readonly init?: (config: RunConfig) => S;
  /**
   * Computes the values at one recorded step; may update `state` in place. Synchronous; tensors
   * made here are freed when it returns (it runs inside `tf.tidy`).
   */
  readonly compute: (frame: StepFrame, state: S) => MetricValues | MetricValue;
}

const PLUGIN = Symbol.for('phasewatch.metric-plugin');

/** A metric defined with {@link defineMetric}: the host calls `compute` at its steps. */
export interface ComputeMetricPlugin {
  readonly [PLUGIN]: true;
  readonly kind: 'compute';
  readonly name: string;
  readonly description: string;
  readonly every: number | null;
  readonly init: (config: RunConfig) => unknown;
  readonly compute: (frame: StepFrame, state: unknown) => MetricValues | MetricValue;
}

/**
 * A metric written as an operator: it receives a `StepFrame` at every recorded step and must
 * emit its records synchronously, while the frame is pushed (its tensors end with the push).
 */
export interface OperatorMetricPlugin {
  readonly [PLUGIN]: true;
  readonly kind: 'operator';
  readonly name: string;
  readonly description: string;
  readonly operator: OperatorFunction<StepFrame, MetricRecord>;
}

export type MetricPlugin = ComputeMetricPlugin | OperatorMetricPlugin;

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ConfigError(`${what}: name ${JSON.stringify(name)} must start with a letter and hold only letters, digits, _ or - (at most 64)`);
  }
  return name;
}

/**
 * Defines a metric plug-in: a name and a function from a step's frame to named numbers.
 * @example
 * export default defineMetric({
 *   name: 'headAsym',
 *   compute: ({ E, tf }) => tf.norm(tf.sub(E, tf.transpose(E))),
 * });
 */
export function defineMetric<S = undefined>(definition: MetricDefinition<S>): ComputeMetricPlugin {
  const name = checkName(definition?.name, 'defineMetric');
  if (typeof definition.compute !== 'function') throw new ConfigError(`defineMetric ${name}: compute must be a function`);
  const every = definition.every ?? null;
  if (every !== null && (!Number.isInteger(every) || every < 1)) throw new ConfigError(`defineMetric ${name}: every must be a positive integer, got ${every}`);
  if (definition.init !== undefined && typeof definition.init !== 'function') throw new ConfigError(`defineMetric ${name}: init must be a function`);
  return Object.freeze({
    [PLUGIN]: true as const,
    kind: 'compute' as const,
    name,
    description: definition.description ?? '',
    every,
    init: (definition.init ?? (() => undefined)) as (config: RunConfig) => unknown,
    compute: definition.compute as (frame: StepFrame, state: unknown) => MetricValues | MetricValue,
  });
}

/**
 * Names an operator so it can be loaded as a plug-in (a module's default export may also be a
 * bare operator; it is then named after its file).
 * @example export const lossEma = metricOperator('lossEma', (frames) => frames.pipe(map(...)));
 */
export function metricOperator(name: string, operator: OperatorFunction<StepFrame, MetricRecord>, description = ''): OperatorMetricPlugin {
  checkName(name, 'metricOperator');
  if (typeof operator !== 'function') throw new ConfigError(`metricOperator ${name}: operator must be a function`);
  return Object.freeze({ [PLUGIN]: true as const, kind: 'operator' as const, name, description, operator });
}

export function isMetricPlugin(value: unknown): value is MetricPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN] === true;
}
