import { describe, expect, it } from 'vitest';
import {
  directPredHead,
  directPredUpdate,
  effectiveRank,
  frobeniusDistance,
  optimalPredictor,
  unitDiagonal,
} from '../../../src/operators/metrics/closed-form-predictors.js';

/** Element-wise closeness of two row-major matrices. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 6) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
}

describe('the optimal linear predictor E* = row-normalised C21 C11⁻¹', () => {
  it('matches a diagonal case worked by hand', () => {
    // C11⁻¹ = diag(1/2, 1); B = [[1, .5], [0, 1]]·diag(1/2, 1) = [[.5, .5], [0, 1]]; rows over their diagonal.
    const { B, Estar, shown } = optimalPredictor([2, 0, 0, 1], [1, 0.5, 0, 1], 2);
    expectClose(B, [0.5, 0.5, 0, 1]);
    expectClose(Estar, [1, 1, 0, 1]);
    expect(shown).toEqual([true, true]);
  });

  it('matches a correlated case worked by hand', () => {
    // C11 = [[2, 1], [1, 2]], C11⁻¹ = (1/3)[[2, −1], [−1, 2]]; C21 = 3I gives B = [[2, −1], [−1, 2]], E* = [[1, −½], [−½, 1]].
    const { B, Estar } = optimalPredictor([2, 1, 1, 2], [3, 0, 0, 3], 2);
    expectClose(B, [2, -1, -1, 2]);
    expectClose(Estar, [1, -0.5, -0.5, 1]);
  });

  it('hides a row whose diagonal B_jj is tiny instead of dividing noise by it', () => {
    const { Estar, shown } = optimalPredictor([1, 0, 0, 1], [0, 0.4, 0, 1], 2);
    expect(shown).toEqual([false, true]);
    expect(Number.isNaN(Estar[0]) && Number.isNaN(Estar[1])).toBe(true);
    expectClose(Estar.subarray(2), [0, 1]);
  });

  it('still inverts a collapsed (singular) C11', () => {
    // Both neurons carry the same feature: C11 = [[1, 1], [1, 1]] has no inverse; the ridge keeps B finite.
    const { B } = optimalPredictor([1, 1, 1, 1], [1, 1, 1, 1], 2);
    expect(Array.from(B).every(Number.isFinite)).toBe(true);
  });
});

describe('DirectPred’s W_DP', () => {
  it('averages the correlation with weight 0.3 on the past, or starts from it', () => {
    expectClose(directPredUpdate(null, [0, 1, 1, 0]), [0, 1, 1, 0]);
    expectClose(directPredUpdate([1, 0, 0, 1], [0, 1, 1, 0]), [0.3, 0.7, 0.7, 0.3]);
  });

  it('maps eigenvalues s to √(s / max s) + 0.01 on a diagonal F̂', () => {
    // s = 4, 1: p = 1 + .01 and √(1/4) + .01.
    expectClose(directPredHead([4, 0, 0, 1], 2), [1.01, 0, 0, 0.51]);
  });

  it('keeps the eigenvectors of a correlated F̂', () => {
    // F̂ = [[2, 1], [1, 2]]: s = 3 on (1, 1)/√2 and 1 on (1, −1)/√2, so W = ½[[p1 + p2, p1 − p2], [p1 − p2, p1 + p2]].
    const p1 = 1.01;
    const p2 = Math.sqrt(1 / 3) + 0.01;
    const W = directPredHead([2, 1, 1, 2], 2);
    expectClose(W, [(p1 + p2) / 2, (p1 - p2) / 2, (p1 - p2) / 2, (p1 + p2) / 2]);
    expectClose(unitDiagonal(W, 2), [1, (p1 - p2) / (p1 + p2), (p1 - p2) / (p1 + p2), 1]);
  });
});

describe('effective rank and distances', () => {
  it('is m for the identity, 1 for a rank-one matrix, exp(H) in between', () => {
    expect(effectiveRank([1, 0, 0, 0, 1, 0, 0, 0, 1], 3)).toBeCloseTo(3, 9);
    expect(effectiveRank([1, 1, 1, 1], 2)).toBeCloseTo(1, 9);
    // Eigenvalues 3 and 1: p = (¾, ¼), H = −¾ ln ¾ − ¼ ln ¼.
    const H = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expect(effectiveRank([3, 0, 0, 1], 2)).toBeCloseTo(Math.exp(H), 9);
    expect(effectiveRank([2, 1, 1, 2], 2)).toBeCloseTo(Math.exp(H), 9);
  });

  it('measures ‖a − b‖_F', () => {
    expect(frobeniusDistance([1, 0, 0, 1], [1, 3, 4, 1])).toBe(5);
  });
});
