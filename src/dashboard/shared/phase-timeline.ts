import type { PhaseEventMessage } from '../../server/protocol.js';
import { formatInt } from './format.js';
import {
  BAND_ALPHA_CHART,
  CHANGE_POINT_COLOUR,
  COLLAPSE_COLOUR,
  CONVERGED_COLOUR,
  PHASE_COLOURS,
  STALLED_COLOUR,
  withAlpha,
} from './palette.js';

/**
 * Detector events → what the dashboard draws: phase segments, the collapse band, state markers
 * and change points (for the timeline strip, the chart bands and the badge), and the notice for
 * an event that arrived live. Pure functions over plain event lists; no DOM.
 */

export type PhaseName = NonNullable<PhaseEventMessage['phase']>;
export const PHASE_NAMES: readonly PhaseName[] = ['I', 'II', 'III', 'IV'];

/** The terminal failures of SPEC §3: after one, the run is shown as collapsed to its end. */
export const COLLAPSE_STATES = ['dimensional-collapse', 'total-collapse'] as const;
export type CollapseState = (typeof COLLAPSE_STATES)[number];

/** One phase from its transition to the next one (the last: to the latest step). */
export interface PhaseSegment {
  readonly phase: PhaseName;
  readonly from: number;
  readonly to: number;
  /** The last segment of a run that has not collapsed: it grows with the run. */
  readonly open: boolean;
  readonly event: PhaseEventMessage;
}

/** From a dimensional or total collapse to the end of the run. */
export interface CollapseBand {
  readonly label: CollapseState;
  readonly from: number;
  readonly to: number;
  readonly event: PhaseEventMessage;
}

/** A `converged` or `stalled-II` state (or any other non-terminal state): a marker at its step. */
export interface StateMarker {
  readonly label: string;
  readonly step: number;
  readonly event: PhaseEventMessage;
}

/** A change point on one series. */
export interface ChangeMarker {
  readonly step: number;
  readonly series: string;
  /** `up`, `down` or `variance`. */
  readonly direction: string;
  readonly event: PhaseEventMessage;
}

export interface PhaseTimeline {
  /** The step range of the whole run as far as it is known (data and events). */
  readonly start: number;
  readonly end: number;
  /** In step order; a segment after a collapse is not shown, one across it is cut there. */
  readonly segments: readonly PhaseSegment[];
  readonly collapse: CollapseBand | null;
  readonly states: readonly StateMarker[];
  readonly changes: readonly ChangeMarker[];
  /** What the badge says: the phase the run is in and the state that applies now, if any. */
  readonly current: { readonly phase: PhaseName | null; readonly state: string | null };
}

/**
 * Builds the timeline of a run.
 * @param events the run's events in detection order
 * @param steps the first and the latest step the dashboard holds (null when no data yet)
 */
export function buildTimeline(events: readonly PhaseEventMessage[], steps: { first: number | null; last: number | null }): PhaseTimeline {
  let start = steps.first ?? Number.POSITIVE_INFINITY;
  let end = steps.last ?? Number.NEGATIVE_INFINITY;
  for (const e of events) {
    start = Math.min(start, e.step);
    // The run got at least as far as the record that raised the event.
    end = Math.max(end, e.step, e.detectedAt);
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    start = 0;
    end = 0;
  }

  // Detection order is not step order: a phase III turn is found after the fact and dated back.
  const phases = events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => event.kind === 'phase' && isPhase(event.label))
    .sort((a, b) => a.event.step - b.event.step || a.index - b.index);

  const collapseEvent = events.find((e) => e.kind === 'state' && isCollapse(e.label));
  const collapse: CollapseBand | null = collapseEvent
    ? { label: collapseEvent.label as CollapseState, from: collapseEvent.step, to: Math.max(end, collapseEvent.step), event: collapseEvent }
    : null;

  const segments: PhaseSegment[] = [];
  phases.forEach(({ event }, i) => {
    const next = phases[i + 1]?.event.step;
    const from = event.step;
    let to = next ?? Math.max(end, from);
    let open = next === undefined;
    if (collapse) {
      // Nothing after a collapse is a phase any more; the collapse band covers it.
      if (from >= collapse.from) return;
      if (to > collapse.from) {
        to = collapse.from;
        open = false;
      }
    }
    segments.push({ phase: event.label as PhaseName, from, to, open, event });
  });

  const states: StateMarker[] = events
    .filter((e) => e.kind === 'state' && !isCollapse(e.label))
    .map((event) => ({ label: event.label, step: event.step, event }))
    .sort((a, b) => a.step - b.step);

  const changes: ChangeMarker[] = events
    .filter((e) => e.kind === 'change-point' && e.series !== null)
    .map((event) => ({ step: event.step, series: event.series as string, direction: event.label, event }))
    .sort((a, b) => a.step - b.step);

  return { start, end, segments, collapse, states, changes, current: currentOf(events, segments, collapseEvent) };
}

/**
 * The badge: the phase of the latest segment, and the state that still applies — a collapse
 * always (it is terminal), `converged` or `stalled-II` only if no phase transition came after it
 * (a run stalled in II that reaches III is no longer stalled).
 */
function currentOf(events: readonly PhaseEventMessage[], segments: readonly PhaseSegment[], collapse: PhaseEventMessage | undefined) {
  let lastPhaseAt = -1;
  let lastState: { label: string; at: number } | null = null;
  let reported: PhaseName | null = null;
  for (let at = 0; at < events.length; at++) {
    const e = events[at];
    if (e.kind === 'phase') lastPhaseAt = at;
    else if (e.kind === 'state') lastState = { label: e.label, at };
    if (e.phase) reported = e.phase;
  }
  const phase = segments.at(-1)?.phase ?? reported;
  const state = collapse ? collapse.label : lastState && lastState.at > lastPhaseAt ? lastState.label : null;
  return { phase, state };
}

/** The change points a chart draws: those on the series it plots. */
export function changesOn(timeline: PhaseTimeline, seriesKeys: readonly string[]): ChangeMarker[] {
  const keys = new Set(seriesKeys);
  return timeline.changes.filter((c) => keys.has(c.series));
}

/** The change points no chart plots (shown on the timeline only). */
export function unplottedChanges(timeline: PhaseTimeline, plotted: Iterable<string>): ChangeMarker[] {
  const keys = new Set(plotted);
  return timeline.changes.filter((c) => !keys.has(c.series));
}

// ----- chart overlays ---------------------------------------------------------------------------

/** A translucent background band between two steps. */
export interface OverlayBand {
  readonly from: number;
  readonly to: number;
  readonly fill: string;
  /** Diagonal hatching in `stroke` on top of the fill (the collapse band). */
  readonly hatch: string | null;
}

/** A vertical line at a step, optionally labelled at the top of the plot. */
export interface OverlayLine {
  readonly step: number;
  readonly colour: string;
  readonly dashed: boolean;
  readonly label: string | null;
}

/** What the chart plug-in draws behind (bands) and over (lines) a chart's series. */
export interface ChartOverlay {
  readonly bands: readonly OverlayBand[];
  /** State markers (converged, stalled-II), labelled. */
  readonly states: readonly OverlayLine[];
  /** Change points on the series this chart plots, dashed. */
  readonly changes: readonly OverlayLine[];
}

export const EMPTY_OVERLAY: ChartOverlay = { bands: [], states: [], changes: [] };

/**
 * The overlay of a chart that plots `seriesKeys`. The band that is still growing (and the
 * collapse band) end at +∞: the plug-in clips them to the plot's right edge, so the overlay
 * changes only when the events do, not with every new step.
 */
export function chartOverlay(timeline: PhaseTimeline, seriesKeys: readonly string[]): ChartOverlay {
  const bands: OverlayBand[] = timeline.segments.map((s) => ({
    from: s.from,
    to: s.open ? Number.POSITIVE_INFINITY : s.to,
    fill: withAlpha(PHASE_COLOURS[s.phase], BAND_ALPHA_CHART),
    hatch: null,
  }));
  const states: OverlayLine[] = timeline.states.map((s) => ({ step: s.step, colour: stateColour(s.label), dashed: false, label: stateText(s.label) }));
  if (timeline.collapse) {
    const c = timeline.collapse;
    bands.push({ from: c.from, to: Number.POSITIVE_INFINITY, fill: withAlpha(COLLAPSE_COLOUR, 0.14), hatch: withAlpha(COLLAPSE_COLOUR, 0.45) });
    states.push({ step: c.from, colour: COLLAPSE_COLOUR, dashed: false, label: stateText(c.label) });
  }
  const changes = changesOn(timeline, seriesKeys).map((c) => ({ step: c.step, colour: CHANGE_POINT_COLOUR, dashed: true, label: null }));
  return { bands, states, changes };
}

/** The colour of a state's marker or band. */
export function stateColour(label: string): string {
  if (isCollapse(label)) return COLLAPSE_COLOUR;
  if (label === 'converged') return CONVERGED_COLOUR;
  return STALLED_COLOUR;
}

// ----- words ------------------------------------------------------------------------------------

/** A state for people: `stalled-II` → `stalled`, `dimensional-collapse` → `dimensional collapse`. */
export function stateText(label: string): string {
  if (label === 'stalled-II') return 'stalled';
  return label.replace(/-/g, ' ');
}

/** The badge text: `II`, `II · stalled`, `IV · converged`, `— · total collapse`, or `—`. */
export function badgeText(current: PhaseTimeline['current']): string {
  const phase = current.phase ?? '—';
  return current.state ? `${phase} · ${stateText(current.state)}` : phase;
}

/** A step range as shown: `620–4,210`. */
export function stepRange(from: number, to: number): string {
  return `${formatInt(from)}–${formatInt(to)}`;
}

/** Confidence as a percentage (`0.71` → `71%`). */
export function formatConfidence(confidence: number): string {
  return Number.isFinite(confidence) ? `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%` : '—';
}

/** Evidence as `name = value` pairs, 3 significant digits (`|c_1_1| = 0.712`). */
export function evidenceLines(evidence: Readonly<Record<string, number>>): string[] {
  return Object.entries(evidence).map(([name, value]) => `${name} = ${Number.isFinite(value) ? Number(value.toPrecision(3)) : '—'}`);
}

/**
 * A notice for an event that arrived live, or null for one that needs none: a change point (there
 * are many; the charts and the timeline show them), or phase I, which every run enters at its
 * first record, so announcing it would only say that the run started. A plug-in event (one the
 * run's plug-in host raised: `error`, `bad-value`, `leak` or `late` switched the plug-in off, an
 * error; `slow` samples it less, a warning) says it in the host's own words, which name the plug-in.
 */
export function eventNotice(event: PhaseEventMessage): { text: string; level: 'info' | 'warning' | 'error' } | null {
  const at = formatInt(event.step);
  const tail = event.message ? ` — ${event.message}` : '';
  const run = `Run ${event.runId}`;
  if (event.kind === 'plugin') {
    const text = event.message || `metric plug-in "${event.series ?? '?'}" at step ${at}: ${event.label}`;
    return { text: `${run}: ${text}`, level: event.label === 'slow' ? 'warning' : 'error' };
  }
  if (event.kind === 'phase' && event.label === 'I') return null;
  if (event.kind === 'phase') {
    // The theory detector starts its messages with "phase II — "; the notice already says so.
    const own = event.message.replace(new RegExp(`^phase ${event.label}\\s*[—–-]\\s*`), '');
    return { text: `${run} entered phase ${event.label} at step ${at}${own ? ` — ${own}` : ''}`, level: 'info' };
  }
  if (event.kind !== 'state') return null;
  if (event.label === 'converged') return { text: `${run} converged at step ${at}${tail}`, level: 'info' };
  if (event.label === 'stalled-II') return { text: `${run} is stalled in phase II (step ${at})${tail}`, level: 'warning' };
  if (isCollapse(event.label)) return { text: `${run}: ${stateText(event.label)} at step ${at}${tail}`, level: 'error' };
  return { text: `${run}: ${stateText(event.label)} at step ${at}${tail}`, level: 'warning' };
}

// ----- the timeline's change-point ticks --------------------------------------------------------

/** Change points close enough to share one tick on the strip. */
export interface ChangeCluster {
  /** Where the tick goes: the mean step of its change points. */
  readonly step: number;
  readonly changes: readonly ChangeMarker[];
}

/**
 * Groups change points into at most `buckets` ticks over [start, end]: a long run with change
 * points on many series would otherwise put hundreds of elements on a strip a few hundred
 * pixels wide, where they could be neither seen apart nor hovered.
 */
export function clusterChanges(changes: readonly ChangeMarker[], start: number, end: number, buckets: number): ChangeCluster[] {
  const span = Math.max(1, end - start);
  const groups = new Map<number, ChangeMarker[]>();
  for (const c of changes) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(((c.step - start) / span) * buckets)));
    const group = groups.get(b);
    if (group) group.push(c);
    else groups.set(b, [c]);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, group]) => ({ step: group.reduce((sum, c) => sum + c.step, 0) / group.length, changes: group }));
}

function isPhase(label: string): label is PhaseName {
  return (PHASE_NAMES as readonly string[]).includes(label);
}

function isCollapse(label: string): label is CollapseState {
  return (COLLAPSE_STATES as readonly string[]).includes(label);
}
