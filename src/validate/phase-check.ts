import { groundTruthBoundaries, type Boundary, type BoundaryLabel } from '../analysis/phase-boundaries.js';
import type { PhaseMarks } from '../analysis/trajectory.js';
import { PHASES, type PhaseEvent } from '../operators/phases/phase-event.js';

/** Largest distance, in steps, between a live detection and the offline boundary. */
export const DETECTION_TOLERANCE = 500;

export interface BoundaryCheck {
  readonly label: BoundaryLabel;
  /** Offline (ground truth) step. */
  readonly truth: number;
  /** When live detection raised it (null: never). */
  readonly detectedAt: number | null;
  /** detectedAt − truth. */
  readonly delay: number | null;
  readonly ok: boolean;
}

export interface PhaseCheck {
  readonly boundaries: readonly BoundaryCheck[];
  /** Live transitions with no counterpart in the complete trajectory. */
  readonly false: readonly string[];
  /** Whether the live phase events came in the order I, II, III, IV (a prefix of it). */
  readonly ordered: boolean;
  readonly pass: boolean;
}

/** Labels live detection may raise with no boundary to match: the start, and a warning. */
const UNMATCHED_OK = new Set(['I', 'stalled-II']);

/**
 * Compares what the live detectors raised during a run with the boundaries read off its
 * complete trajectory: every boundary found, within {@link DETECTION_TOLERANCE} steps, phases
 * in order, and no transition that did not happen.
 * @example checkPhases(analyseTrajectory(trajectory, 2), store.readEvents(runId)).pass
 */
export function checkPhases(marks: PhaseMarks, events: readonly PhaseEvent[], tolerance = DETECTION_TOLERANCE): PhaseCheck {
  const theory = events.filter((e) => e.detector === 'theory');
  const truth = groundTruthBoundaries(marks);
  const boundaries = truth.map((b: Boundary): BoundaryCheck => {
    const found = theory.find((e) => e.label === b.label);
    const delay = found ? found.detectedAt - b.step : null;
    return { label: b.label, truth: b.step, detectedAt: found?.detectedAt ?? null, delay, ok: delay !== null && Math.abs(delay) <= tolerance };
  });
  const expected = new Set<string>(truth.map((b) => b.label));
  const falseTransitions = theory.filter((e) => !UNMATCHED_OK.has(e.label) && !expected.has(e.label)).map((e) => `${e.label} @ ${e.detectedAt}`);
  const order = theory.filter((e) => e.kind === 'phase').map((e) => e.label);
  const ordered = order.every((label, i) => label === PHASES[i]);
  return { boundaries, false: falseTransitions, ordered, pass: boundaries.every((b) => b.ok) && falseTransitions.length === 0 && ordered };
}
