/**
 * What the phase detectors report: the paper's phase transitions, terminal states and change
 * points on any series. Plain JSON values, so events are stored, sent and exported as they are.
 */

/** The learning phases of SPEC §3 (I: v_1 learned, II: substitution, III: acceleration, IV: head back to I). */
export const PHASES = ['I', 'II', 'III', 'IV'] as const;
export type PhaseName = (typeof PHASES)[number];

/** States a run can fall into (or reach) besides the four phases. */
export const RUN_STATES = ['converged', 'dimensional-collapse', 'total-collapse', 'stalled-II'] as const;
export type RunStateName = (typeof RUN_STATES)[number];

/** `plugin`: not a detector but a metric plug-in's host, reporting a plug-in it switched off or sampled less. */
export type DetectorName = 'theory' | 'bocpd' | 'page-hinkley' | 'plugin';

export type EventKind = 'phase' | 'state' | 'change-point' | 'plugin';

export interface PhaseEvent {
  /**
   * `phase`: a transition into `label` (I–IV); `state`: `label` is a {@link RunStateName};
   * `change-point`: a change on `series`; `plugin`: the metric plug-in `series` misbehaved
   * (`label` error, bad-value, leak or slow) and was switched off or sampled less.
   */
  readonly kind: EventKind;
  readonly detector: DetectorName;
  /** Where the boundary lies (for a phase III turn or a change point, earlier than detection). */
  readonly step: number;
  /** The step of the metric record whose arrival triggered the event. */
  readonly detectedAt: number;
  /** Phase name, state name, or the direction of a change point (`up`, `down`, `variance`). */
  readonly label: string;
  /** The theory phase the run is in once this event happened (null before the first record). */
  readonly phase: PhaseName | null;
  /** The watched series of a change point, or the plug-in's name; null for theory events. */
  readonly series: string | null;
  /** 0–1: how clearly the rule held (theory) or the posterior probability / alarm strength (change points). */
  readonly confidence: number;
  /** The metric values behind the event, by name. */
  readonly evidence: Readonly<Record<string, number>>;
  /** One line for people: what happened and why. */
  readonly message: string;
}

/** An event as stored and sent: with its run. */
export interface RunPhaseEvent extends PhaseEvent {
  readonly runId: number;
}

/** A short label for tables and CSV cells, e.g. `phase II`, `dimensional-collapse`, `cp loss down`. */
export function eventTag(event: PhaseEvent): string {
  if (event.kind === 'phase') return `phase ${event.label}`;
  if (event.kind === 'state') return event.label;
  if (event.kind === 'plugin') return `plugin ${event.series} ${event.label}`;
  return `cp ${event.series} ${event.label}`;
}
