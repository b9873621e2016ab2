import { describe, expect, it } from 'vitest';
import { tf } from '../../../src/model/tf.js';
import { BadMetricValue, flattenMetricValues, MAX_ENTRIES } from '../../../src/operators/metrics/metric-values.js';

describe('flattenMetricValues', () => {
  it('names a bare number after the metric and keys under it', () => {
    expect(flattenMetricValues('gap', 0.25)).toEqual({ gap: 0.25 });
    expect(flattenMetricValues('p', { dist: 0.5, skip: null })).toEqual({ 'p.dist': 0.5 });
  });

  it('records vectors and matrices entry by entry, 1-based', () => {
    expect(flattenMetricValues('p', { v: [3, 4], M: [[1, 2], [5, 6]] })).toEqual({
      'p.v_1': 3,
      'p.v_2': 4,
      'p.M_1_1': 1,
      'p.M_1_2': 2,
      'p.M_2_1': 5,
      'p.M_2_2': 6,
    });
  });

  it('reads tensors of rank 0 to 2', () => {
    const values = tf.tidy(() => flattenMetricValues('t', { s: tf.scalar(2), M: tf.tensor2d([[1, 2]]) }));
    expect(values).toEqual({ 't.s': 2, 't.M_1_1': 1, 't.M_1_2': 2 });
  });

  it('refuses NaN, infinities, strings, ragged rows, promises, oversized values and bad keys, naming the value', () => {
    const refused: [unknown, RegExp][] = [
      [{ a: Number.NaN }, /p\.a is NaN/],
      [{ a: Infinity }, /p\.a is Infinity/],
      [{ a: 'x' }, /p\.a is string/],
      [{ M: [[1, 2], [3]] }, /p\.M is not a matrix/],
      [{ a: Promise.resolve(1) }, /Promise/],
      [{ v: new Array(MAX_ENTRIES + 1).fill(0) }, /at most 256/],
      [{ 'bad key': 1 }, /key "bad key"/],
      [{ v: [1, Number.NaN] }, /p\.v\[1\] is NaN/],
    ];
    for (const [value, message] of refused) {
      expect(() => flattenMetricValues('p', value as never)).toThrow(BadMetricValue);
      expect(() => flattenMetricValues('p', value as never)).toThrow(message);
    }
    const big = tf.zeros([3, 3, 3]);
    expect(() => flattenMetricValues('p', big)).toThrow(/rank-3/);
    big.dispose();
  });
});
