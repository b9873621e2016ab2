import { describe, expect, it } from 'vitest';
import { analyseTrajectory, type Trajectory } from '../../src/analysis/trajectory.js';

/**
 * Synthetic trajectories with change points placed by hand: every expected step below follows
 * from the piecewise-linear curves and the SPEC §3 thresholds, not from running the analysis.
 */
const steps = Array.from({ length: 1001 }, (_, i) => i * 10); // 0 … 10000

/** Linear from (s0, v0) to (s1, v1), constant outside. */
const ramp = (s0: number, v0: number, s1: number, v1: number) => (s: number) => (s <= s0 ? v0 : s >= s1 ? v1 : v0 + ((v1 - v0) * (s - s0)) / (s1 - s0));

function headEntry(s: number): number {
  return s <= 4000 ? ramp(1000, 0, 4000, 0.15)(s) : ramp(4000, 0.15, 6005, 0)(s);
}

function trajectory(curves: Record<string, (s: number) => number>): Trajectory {
  return { steps, series: Object.fromEntries(Object.entries(curves).map(([name, f]) => [name, steps.map(f)])) };
}

const healthy = {
  // |c[1][1]| crosses 0.7 at step 1000 (0.2 + 0.5·(1000/1000)).
  cos_1_1: ramp(0, 0.2, 2000, 1.2),
  cos_1_2: () => 0.01,
  // w_2 learns v_2: |c[2][2]| = 0.4 … crosses 0.7 at 5000, reaches 1 at 5600.
  cos_2_2: ramp(4400, 0.4, 5600, 1.0),
  cos_2_1: ramp(4400, 0.2, 5600, 0.0),
  // E_21 rises to its peak 0.15 at 4000, then decays to 0 at 6005: below 0.015 after 5804.5.
  E_2_1: headEntry,
  E_1_2: () => 0,
  // ‖E − I‖_F: at least 0.02 until 6505, then 0.005.
  E_dist_I: (s: number) => (s < 6505 ? Math.max(headEntry(s), 0.02) : 0.005),
  varF_1: () => 1,
  varF_2: () => 1,
  loss: () => 1,
};

describe('analyseTrajectory', () => {
  it('finds T1, the head peak, T3, the decay and T4 of a run that completes the four phases', () => {
    const marks = analyseTrajectory(trajectory({ ...healthy, cos_1_1: (s) => Math.min(1, ramp(0, 0.2, 2000, 1.2)(s)) }), 2);
    expect(marks.learner).toBe(1);
    expect(marks.other).toBe(2);
    expect(marks.T1).toBe(1000);
    expect(marks.headPeak).toEqual({ step: 4000, value: 0.15 });
    expect(marks.T3).toBe(5000);
    // |E_21| < 0.015 first after 4000 + 2005·(1 − 0.1) = 5804.5.
    expect(marks.decay).toBe(5810);
    // ‖E − I‖ < 0.01 from the first step after 6505; |c| ≥ 0.95 for both learned pairs long before.
    expect(marks.T4).toBe(6510);
    expect(marks.outcome).toBe('four-phases');
    expect(marks.collapse).toBeNull();
  });

  it('names the neuron that learns v_1 first, whichever index it has', () => {
    const swapped = trajectory({
      ...healthy,
      cos_2_1: (s) => Math.min(1, ramp(0, 0.2, 2000, 1.2)(s)),
      cos_1_1: ramp(4400, 0.2, 5600, 0),
      cos_1_2: ramp(4400, 0.4, 5600, 1.0),
      cos_2_2: () => 0.01,
      E_1_2: healthy.E_2_1,
      E_2_1: () => 0,
    });
    const marks = analyseTrajectory(swapped, 2);
    expect([marks.learner, marks.other, marks.T1, marks.T3]).toEqual([2, 1, 1000, 5000]);
  });

  it('reports dimensional collapse when the other neuron also learns v_1', () => {
    const marks = analyseTrajectory(
      trajectory({ ...healthy, cos_2_1: ramp(2000, 0.1, 4000, 0.9), cos_2_2: () => 0.2, E_2_1: () => 0, E_dist_I: () => 0 }),
      2,
    );
    // |c[2][1]| = 0.1 + 0.8·(s − 2000)/2000 ≥ 0.7 from s = 3500.
    expect(marks.collapse).toBe(3500);
    expect(marks.outcome).toBe('dimensional-collapse');
    expect(marks.T3).toBeNull();
  });

  it('reports total collapse when Var(F) and the loss vanish', () => {
    const vanish = ramp(0, 1, 5000, 0);
    const marks = analyseTrajectory(trajectory({ ...healthy, cos_1_1: () => 0.2, varF_1: vanish, varF_2: vanish, loss: vanish }), 2);
    // Both below 1% of their first value once 1 − s/5000 < 0.01, i.e. from s = 4960.
    expect(marks.totalCollapse).toBe(4960);
    expect(marks.outcome).toBe('total-collapse');
  });

  it('says a run is stalled in phase II when v_1 is learned but v_2 never is', () => {
    const marks = analyseTrajectory(trajectory({ ...healthy, cos_2_2: () => 0.25, cos_2_1: () => 0.1 }), 2);
    expect(marks.T1).toBe(1000);
    expect(marks.T3).toBeNull();
    expect(marks.outcome).toBe('stalled-II');
  });
});
