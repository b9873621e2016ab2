import { PHASE_THRESHOLDS, type PhaseMarks } from './trajectory.js';

/** A boundary the live detectors must find: a phase entered or a state reached. */
export type BoundaryLabel = 'II' | 'III' | 'IV' | 'converged' | 'dimensional-collapse' | 'total-collapse';

export interface Boundary {
  readonly label: BoundaryLabel;
  readonly step: number;
}

/**
 * The phase boundaries of a complete trajectory, in order, from its offline marks:
 * II at T1; III at the peak of |E_kj*| (the paper's T_2, the end of the substitution; T3 when
 * the head never substituted, i.e. |E_kj*| stayed under 0.01); IV at T3; `converged` at T4; or the collapse that ended the run.
 * Phase I starts with the run and has no boundary to find.
 * @example groundTruthBoundaries(analyseTrajectory(trajectory, 2)) // [{ label: 'II', step: 620 }, …]
 */
export function groundTruthBoundaries(marks: PhaseMarks): Boundary[] {
  const out: Boundary[] = [];
  const endsAt = marks.totalCollapse ?? Infinity;
  if (marks.T1 !== null && marks.T1 < endsAt) out.push({ label: 'II', step: marks.T1 });
  if (marks.T3 !== null && marks.T1 !== null) {
    const peak = marks.headPeak;
    const substituted = peak && Math.abs(peak.value) >= PHASE_THRESHOLDS.substituted && peak.step >= marks.T1 && peak.step <= marks.T3;
    const turn = substituted ? peak.step : marks.T3;
    out.push({ label: 'III', step: turn }, { label: 'IV', step: marks.T3 });
    if (marks.T4 !== null) out.push({ label: 'converged', step: marks.T4 });
  }
  if (marks.outcome === 'dimensional-collapse' && marks.collapse !== null) out.push({ label: 'dimensional-collapse', step: marks.collapse });
  if (marks.totalCollapse !== null) out.push({ label: 'total-collapse', step: marks.totalCollapse });
  return out;
}
