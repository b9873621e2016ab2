import { tf, type Tensor } from '../../model/tf.js';
import type { MetricValue, MetricValues } from './define-metric.js';

/** A matrix or vector value may record at most this many entries (one series each). */
export const MAX_ENTRIES = 256;

/** Why a plug-in's values were refused: the message names the offending key. */
export class BadMetricValue extends Error {}

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function isTensor(value: unknown): value is Tensor {
  return value instanceof tf.Tensor;
}

function isValueRecord(value: unknown): value is MetricValues {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isTensor(value) && !ArrayBuffer.isView(value);
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number') throw new BadMetricValue(`${where} is ${describe(value)}, not a number`);
  if (!Number.isFinite(value)) throw new BadMetricValue(`${where} is ${value}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function') return 'a Promise (compute must be synchronous)';
  return typeof value === 'object' ? JSON.stringify(value)?.slice(0, 40) ?? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Writes one value (number, vector, matrix or tensor of those) as series under `series`. */
function flattenValue(series: string, value: MetricValue, out: Record<string, number>): void {
  if (value === null) return;
  if (isTensor(value)) {
    if (value.rank > 2) throw new BadMetricValue(`${series} is a rank-${value.rank} tensor; return a number, a vector or a matrix`);
    if (value.size > MAX_ENTRIES) throw new BadMetricValue(`${series} has ${value.size} entries; at most ${MAX_ENTRIES} are recorded — return a summary`);
    return flattenValue(series, value.arraySync() as MetricValue, out);
  }
  if (typeof value === 'number') {
    out[series] = finite(value, series);
    return;
  }
  if (!Array.isArray(value)) throw new BadMetricValue(`${series} is ${describe(value)}; return a number, an array, a matrix, a tensor or null`);
  if (value.every((v) => typeof v === 'number')) {
    if (value.length > MAX_ENTRIES) throw new BadMetricValue(`${series} has ${value.length} entries; at most ${MAX_ENTRIES} are recorded — return a summary`);
    (value as readonly number[]).forEach((v, i) => (out[`${series}_${i + 1}`] = finite(v, `${series}[${i}]`)));
    return;
  }
  const rows = value as readonly (readonly number[])[];
  const cols = Array.isArray(rows[0]) ? rows[0].length : -1;
  if (!rows.every((row) => Array.isArray(row) && row.length === cols && row.every((v) => typeof v === 'number'))) {
    throw new BadMetricValue(`${series} is not a matrix: rows must be arrays of numbers of one length`);
  }
  if (rows.length * cols > MAX_ENTRIES) throw new BadMetricValue(`${series} has ${rows.length}×${cols} entries; at most ${MAX_ENTRIES} are recorded — return a summary`);
  rows.forEach((row, j) => row.forEach((v, r) => (out[`${series}_${j + 1}_${r + 1}`] = finite(v, `${series}[${j}][${r}]`))));
}

/**
 * Turns what a metric returned into series values: a single value is recorded as `name`
 * (expanded for vectors and matrices), a record `{ key: value }` as `name.key`. Throws
 * {@link BadMetricValue} naming the first value that is not a finite number of a valid shape.
 * @example flattenMetricValues('p', { dist: 0.5, M: [[1, 2]] }) // { 'p.dist': 0.5, 'p.M_1_1': 1, 'p.M_1_2': 2 }
 */
export function flattenMetricValues(name: string, result: MetricValues | MetricValue): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isValueRecord(result)) {
    flattenValue(name, result as MetricValue, out);
    return out;
  }
  for (const [key, value] of Object.entries(result)) {
    if (!KEY.test(key)) throw new BadMetricValue(`key ${JSON.stringify(key)} must start with a letter or _ and hold only letters, digits or _`);
    flattenValue(`${name}.${key}`, value, out);
  }
  return out;
}
