/**
 * Offline reading of a recorded trajectory with the thresholds of SPEC §3: when each of the
 * paper's phases begins and ends, or which terminal state the run fell into. This is the
 * ground truth that `phasewatch validate` reports and that live detection is checked against.
 */

/** The SPEC §3 thresholds. */
export const PHASE_THRESHOLDS = {
  /** |c| at or above this: the neuron has learned the feature. */
  learned: 0.7,
  /** |c| below this: the neuron carries (almost) none of the feature. */
  absent: 0.3,
  /** Phase IV starts when |E_kj*| falls below this fraction of its peak … */
  decayFraction: 0.1,
  /** … and is complete when ‖E − I‖_F is below this, with the learned pairs denoised: */
  identity: 0.01,
  denoised: 0.95,
  /** Total collapse: max_j Var(F_j) and the loss both fall below this fraction of their first values. */
  vanished: 0.01,
  /** |E_kj*| must reach this for the head to have substituted at all (in phase I, max|E_jr| ≲ 0.01). */
  substituted: 0.01,
} as const;

/** A recorded trajectory: steps and, per series name, values aligned with them. */
export interface Trajectory {
  readonly steps: readonly number[];
  readonly series: Readonly<Record<string, readonly (number | null)[]>>;
}

export type Outcome = 'four-phases' | 'phase-III' | 'stalled-II' | 'phase-I' | 'dimensional-collapse' | 'total-collapse';

export interface PhaseMarks {
  /** j*: the neuron that learned v_1 first (1-based), and k: the one that should learn v_2. */
  readonly learner: number | null;
  readonly other: number | null;
  /** End of phase I: first step with |c[j*][1]| ≥ 0.7. */
  readonly T1: number | null;
  /** Largest |E_{k j*}| over the run (signed value) and its step: the substitution of phase II. */
  readonly headPeak: { readonly step: number; readonly value: number } | null;
  /** Phase III done: first step after T1 with |c[k][2]| ≥ 0.7 and |c[k][1]| < 0.3. */
  readonly T3: number | null;
  /** First step after the peak with |E_{k j*}| < 0.1 × |peak|: the head returning. */
  readonly decay: number | null;
  /** Phase IV complete: first step from max(T3, decay) with ‖E − I‖_F < 0.01 and both learned |c| ≥ 0.95. */
  readonly T4: number | null;
  /** Dimensional collapse: first step with |c[k][1]| ≥ 0.7 while |c[j*][1]| ≥ 0.7. */
  readonly collapse: number | null;
  /** Total collapse: first step where max_j Var(F_j) and the loss fell below 1% of their first values. */
  readonly totalCollapse: number | null;
  readonly outcome: Outcome;
  /** Last recorded step. */
  readonly lastStep: number;
}

/**
 * Reads the phase boundaries off a trajectory of the core metrics (`cos_j_l`, `E_j_r`,
 * `E_dist_I`, `varF_j`, `loss`). For m > 2, k is the neuron (other than j*) that first learns v_2.
 * @example analyseTrajectory(trajectoryFromStore(store, runId), 2).outcome
 */
export function analyseTrajectory(trajectory: Trajectory, m: number): PhaseMarks {
  const { steps, series } = trajectory;
  const T = PHASE_THRESHOLDS;
  const at = (name: string, i: number) => Math.abs(series[name]?.[i] ?? NaN);
  const lastStep = steps.length ? steps[steps.length - 1] : 0;
  const firstIndex = (from: number, test: (i: number) => boolean) => {
    for (let i = Math.max(0, from); i < steps.length; i++) if (test(i)) return i;
    return -1;
  };
  const stepOf = (i: number) => (i >= 0 ? steps[i] : null);

  const totalIndex = totalCollapseIndex(trajectory, m);
  // j*: earliest neuron to reach |c[j][1]| ≥ 0.7.
  let learner: number | null = null;
  let t1Index = -1;
  for (let j = 1; j <= m; j++) {
    const i = firstIndex(0, (k) => at(`cos_${j}_1`, k) >= T.learned);
    if (i >= 0 && (t1Index < 0 || i < t1Index)) {
      learner = j;
      t1Index = i;
    }
  }
  let other: number | null = null;
  if (learner !== null) {
    if (m === 2) other = learner === 1 ? 2 : 1;
    else {
      let best = -1;
      for (let j = 1; j <= m; j++) {
        if (j === learner) continue;
        const i = firstIndex(t1Index, (k) => at(`cos_${j}_2`, k) >= T.learned);
        if (i >= 0 && (best < 0 || i < best)) {
          best = i;
          other = j;
        }
      }
    }
  }

  let headPeak: PhaseMarks['headPeak'] = null;
  let peakIndex = -1;
  const headName = learner !== null && other !== null ? `E_${other}_${learner}` : null;
  if (headName && series[headName]) {
    for (let i = 0; i < steps.length; i++) {
      const v = series[headName][i];
      if (v !== null && (peakIndex < 0 || Math.abs(v) > Math.abs(headPeak!.value))) {
        peakIndex = i;
        headPeak = { step: steps[i], value: v };
      }
    }
  }

  const t3Index =
    other === null || t1Index < 0 ? -1 : firstIndex(t1Index, (i) => at(`cos_${other}_2`, i) >= T.learned && at(`cos_${other}_1`, i) < T.absent);
  const collapseIndex =
    other === null || t1Index < 0 ? -1 : firstIndex(t1Index, (i) => at(`cos_${other}_1`, i) >= T.learned && at(`cos_${learner}_1`, i) >= T.learned);
  const decayIndex =
    headPeak && headName && Math.abs(headPeak.value) > 0 ? firstIndex(peakIndex + 1, (i) => at(headName, i) < T.decayFraction * Math.abs(headPeak!.value)) : -1;
  const t4Index =
    t3Index < 0
      ? -1
      : firstIndex(Math.max(t3Index, decayIndex), (i) => at('E_dist_I', i) < T.identity && at(`cos_${learner}_1`, i) >= T.denoised && at(`cos_${other}_2`, i) >= T.denoised);

  const collapsedFirst = collapseIndex >= 0 && (t3Index < 0 || collapseIndex < t3Index);
  let outcome: Outcome;
  if (totalIndex >= 0) outcome = 'total-collapse';
  else if (collapsedFirst) outcome = 'dimensional-collapse';
  else if (t4Index >= 0) outcome = 'four-phases';
  else if (t3Index >= 0) outcome = 'phase-III';
  else if (t1Index >= 0) outcome = 'stalled-II';
  else outcome = 'phase-I';

  return {
    learner,
    other,
    T1: stepOf(t1Index),
    headPeak,
    T3: collapsedFirst ? null : stepOf(t3Index),
    decay: stepOf(decayIndex),
    T4: collapsedFirst ? null : stepOf(t4Index),
    collapse: stepOf(collapseIndex),
    totalCollapse: stepOf(totalIndex),
    outcome,
    lastStep,
  };
}

function totalCollapseIndex({ steps, series }: Trajectory, m: number): number {
  const maxVar = (i: number) => {
    let v = -Infinity;
    for (let j = 1; j <= m; j++) v = Math.max(v, series[`varF_${j}`]?.[i] ?? NaN);
    return v;
  };
  const loss = series.loss;
  if (!loss || steps.length === 0) return -1;
  const var0 = maxVar(0);
  const loss0 = loss[0] ?? NaN;
  for (let i = 1; i < steps.length; i++) {
    if (maxVar(i) < PHASE_THRESHOLDS.vanished * var0 && (loss[i] ?? NaN) < PHASE_THRESHOLDS.vanished * loss0) return i;
  }
  return -1;
}

/** A trajectory of the given series from a list of metric records. */
export function trajectoryFromRecords(records: readonly { step: number; values: Readonly<Record<string, number>> }[]): Trajectory {
  const steps = records.map((r) => r.step);
  const names = new Set(records.flatMap((r) => Object.keys(r.values)));
  const series: Record<string, (number | null)[]> = {};
  for (const name of names) series[name] = records.map((r) => (Number.isFinite(r.values[name]) ? r.values[name] : null));
  return { steps, series };
}
