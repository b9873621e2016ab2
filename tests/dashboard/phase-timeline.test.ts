import { describe, expect, it } from 'vitest';
import type { PhaseEventMessage } from '../../src/server/protocol.js';
import { chartSpecs } from '../../src/dashboard/shared/chart-specs.js';
import { PHASE_COLOURS, withAlpha } from '../../src/dashboard/shared/palette.js';
import { eventKey, RunEvents } from '../../src/dashboard/shared/phase-events.js';
import {
  badgeText,
  buildTimeline,
  changesOn,
  chartOverlay,
  clusterChanges,
  eventNotice,
  unplottedChanges,
} from '../../src/dashboard/shared/phase-timeline.js';

/**
 * The dashboard's event handling without a browser: hand-made event lists in, segments, bands,
 * markers, badge text and notices out, each checked against values worked out by hand.
 */

type Phase = PhaseEventMessage['phase'];

function phase(label: 'I' | 'II' | 'III' | 'IV', step: number, detectedAt = step, message = `entered ${label}`): PhaseEventMessage {
  return { runId: 3, kind: 'phase', detector: 'theory', step, detectedAt, label, phase: label, series: null, confidence: 0.9, evidence: {}, message };
}

function state(label: string, step: number, inPhase: Phase, detectedAt = step): PhaseEventMessage {
  return { runId: 3, kind: 'state', detector: 'theory', step, detectedAt, label, phase: inPhase, series: null, confidence: 0.8, evidence: {}, message: label };
}

function change(series: string, step: number, label = 'down', detectedAt = step + 30, inPhase: Phase = 'I'): PhaseEventMessage {
  return {
    runId: 3,
    kind: 'change-point',
    detector: 'bocpd',
    step,
    detectedAt,
    label,
    phase: inPhase,
    series,
    confidence: 0.87,
    evidence: { [series]: 1.35 },
    message: `${series} ${label}`,
  };
}

const data = { first: 0, last: 5000 };

describe('buildTimeline: phase segments', () => {
  it('runs each band from its transition to the next one, and the last to the latest step', () => {
    const t = buildTimeline([phase('I', 0), phase('II', 620), phase('III', 4200, 4700)], data);
    expect(t.segments.map((s) => [s.phase, s.from, s.to, s.open])).toEqual([
      ['I', 0, 620, false],
      ['II', 620, 4200, false],
      ['III', 4200, 5000, true],
    ]);
    expect(t.start).toBe(0);
    expect(t.end).toBe(5000);
    expect(t.current).toEqual({ phase: 'III', state: null });
    expect(badgeText(t.current)).toBe('III');
  });

  it('orders bands by step, not by detection (a phase III turn is dated back)', () => {
    // III is found at 4700 but lies at 4200; a change point detected in between must not reorder anything.
    const events = [phase('I', 0), phase('II', 620), change('loss', 4300, 'down', 4400), phase('III', 4200, 4700)];
    const t = buildTimeline(events, data);
    expect(t.segments.map((s) => `${s.phase}:${s.from}-${s.to}`)).toEqual(['I:0-620', 'II:620-4200', 'III:4200-5000']);
  });

  it('extends the range to the latest event when the data lags behind it', () => {
    const t = buildTimeline([phase('I', 10), phase('II', 640, 700)], { first: 10, last: 650 });
    expect(t.end).toBe(700);
    expect(t.segments.at(-1)).toMatchObject({ phase: 'II', from: 640, to: 700, open: true });
  });

  it('has no segments, no phase and a dash on the badge before any event', () => {
    const t = buildTimeline([], { first: 0, last: 120 });
    expect(t.segments).toEqual([]);
    expect([t.start, t.end]).toEqual([0, 120]);
    expect(t.current).toEqual({ phase: null, state: null });
    expect(badgeText(t.current)).toBe('—');
    expect(buildTimeline([], { first: null, last: null })).toMatchObject({ start: 0, end: 0 });
  });
});

describe('buildTimeline: states', () => {
  it('cuts the phases at a dimensional collapse and bands the rest as collapsed', () => {
    const events = [phase('I', 0), phase('II', 620), state('dimensional-collapse', 3000, 'II'), phase('III', 3500)];
    const t = buildTimeline(events, data);
    // II ends at the collapse; III (after it) is not a phase any more.
    expect(t.segments.map((s) => [s.phase, s.from, s.to, s.open])).toEqual([
      ['I', 0, 620, false],
      ['II', 620, 3000, false],
    ]);
    expect(t.collapse).toMatchObject({ label: 'dimensional-collapse', from: 3000, to: 5000 });
    expect(t.states).toEqual([]);
    expect(t.current.state).toBe('dimensional-collapse');
    expect(badgeText(t.current)).toBe('II · dimensional collapse');
  });

  it('keeps a total collapse as the state even when later events come', () => {
    const t = buildTimeline([phase('I', 0), state('total-collapse', 800, 'I'), change('loss', 900)], data);
    expect(t.segments.map((s) => [s.phase, s.from, s.to])).toEqual([['I', 0, 800]]);
    expect(t.collapse).toMatchObject({ label: 'total-collapse', from: 800, to: 5000 });
    expect(badgeText(t.current)).toBe('I · total collapse');
  });

  it('marks converged and stalled-II at their steps, and shows a state only until the next phase', () => {
    const stalled = buildTimeline([phase('I', 0), phase('II', 620), state('stalled-II', 2500, 'II')], data);
    expect(stalled.states.map((s) => [s.label, s.step])).toEqual([['stalled-II', 2500]]);
    expect(badgeText(stalled.current)).toBe('II · stalled');

    const moved = buildTimeline([phase('I', 0), phase('II', 620), state('stalled-II', 2500, 'II'), phase('III', 4200, 4700)], data);
    expect(moved.states.map((s) => s.label)).toEqual(['stalled-II']); // the marker stays on the timeline…
    expect(moved.current).toEqual({ phase: 'III', state: null }); // …but the run is no longer stalled

    const done = buildTimeline([phase('I', 0), phase('II', 620), phase('III', 4200), phase('IV', 4900), state('converged', 6100, 'IV')], {
      first: 0,
      last: 6500,
    });
    expect(done.segments.at(-1)).toMatchObject({ phase: 'IV', from: 4900, to: 6500, open: true });
    expect(done.states.map((s) => [s.label, s.step])).toEqual([['converged', 6100]]);
    expect(badgeText(done.current)).toBe('IV · converged');
  });
});

describe('change points', () => {
  // m = 2 with head entries: cosines cos_j_l, head E_1_2 E_2_1 E_dist_I, norms wnorm_j, loss, subshare_j.
  const specs = chartSpecs(2, { 1: [1, 2], 2: [1, 2] }, true);
  const keysOf = (key: string) => specs.find((s) => s.key === key)!.series.map((d) => d.key);
  const events = [phase('I', 0), change('loss', 400), phase('II', 620), change('cos_2_2', 4100, 'up'), change('E_offdiag_max', 700, 'up'), change('loss', 4300)];
  const t = buildTimeline(events, data);

  it('go to the charts that plot their series', () => {
    expect(changesOn(t, keysOf('loss')).map((c) => c.step)).toEqual([400, 4300]);
    expect(changesOn(t, keysOf('cosines')).map((c) => [c.series, c.step, c.direction])).toEqual([['cos_2_2', 4100, 'up']]);
    expect(changesOn(t, keysOf('norms'))).toEqual([]);
    expect(changesOn(t, keysOf('head'))).toEqual([]); // E_offdiag_max is not drawn when the entries are
  });

  it('on a series no chart plots stay on the timeline only', () => {
    const plotted = specs.flatMap((s) => s.series.map((d) => d.key));
    expect(unplottedChanges(t, plotted).map((c) => c.series)).toEqual(['E_offdiag_max']);
    expect(t.changes.map((c) => c.step)).toEqual([400, 700, 4100, 4300]);
  });

  it('make the chart overlay: every band in its phase colour, open bands to +∞, dashed change lines', () => {
    const o = chartOverlay(t, keysOf('loss'));
    expect(o.bands.map((b) => [b.from, b.to, b.fill])).toEqual([
      [0, 620, withAlpha(PHASE_COLOURS.I, 0.13)],
      [620, Number.POSITIVE_INFINITY, withAlpha(PHASE_COLOURS.II, 0.13)],
    ]);
    expect(o.changes.map((c) => [c.step, c.dashed])).toEqual([
      [400, true],
      [4300, true],
    ]);
    expect(o.states).toEqual([]);
    expect(chartOverlay(t, keysOf('norms')).changes).toEqual([]);
  });

  it('add a hatched collapse band and a labelled collapse marker to every chart', () => {
    const collapsed = buildTimeline([phase('I', 0), phase('II', 620), state('dimensional-collapse', 3000, 'II')], data);
    const o = chartOverlay(collapsed, keysOf('loss'));
    expect(o.bands).toHaveLength(3);
    expect(o.bands[2]).toMatchObject({ from: 3000, to: Number.POSITIVE_INFINITY });
    expect(o.bands[2].hatch).not.toBeNull();
    expect(o.bands[1]).toMatchObject({ from: 620, to: 3000, hatch: null });
    expect(o.states.map((s) => [s.step, s.label])).toEqual([[3000, 'dimensional collapse']]);
  });

  it('are grouped into at most one tick per bucket on the strip', () => {
    const many = Array.from({ length: 500 }, (_, i) => change('loss', i * 10));
    const clusters = clusterChanges(buildTimeline(many, { first: 0, last: 4990 }).changes, 0, 4990, 50);
    expect(clusters).toHaveLength(50);
    expect(clusters.reduce((n, c) => n + c.changes.length, 0)).toBe(500);
    // Bucket 0 covers steps [0, 99.8): 0, 10, …, 90 — mean 45.
    expect(clusters[0].changes).toHaveLength(10);
    expect(clusters[0].step).toBe(45);
  });
});

describe('the phase colours', () => {
  it('are four different colours', () => {
    expect(new Set(Object.values(PHASE_COLOURS)).size).toBe(4);
    expect(withAlpha('#e69f00', 0.5)).toBe('rgba(230, 159, 0, 0.5)');
  });
});

describe('RunEvents: snapshot, frames and resync', () => {
  const snapshot = [phase('I', 0), change('loss', 400)];

  it('keeps each event once when a frame repeats what the snapshot had', () => {
    const log = new RunEvents();
    log.replace(snapshot);
    expect(log.size).toBe(2);
    // A frame overlapping the snapshot's last records repeats the change point, then brings phase II.
    const fresh = log.append([change('loss', 400), phase('II', 620, 650)]);
    expect(fresh.map((e) => e.label)).toEqual(['II']);
    expect(log.events.map((e) => e.label)).toEqual(['I', 'down', 'II']);
    // The same frame again (a duplicate delivery) adds nothing.
    expect(log.append([phase('II', 620, 650)])).toEqual([]);
    expect(log.append(undefined)).toEqual([]);
    expect(log.size).toBe(3);
  });

  it('starts over on a resync and takes the fresh snapshot without duplicates', () => {
    const log = new RunEvents();
    log.replace(snapshot);
    log.append([phase('II', 620, 650)]);
    const before = log.version;
    log.clear();
    expect(log.size).toBe(0);
    expect(log.version).toBeGreaterThan(before);
    log.replace([...snapshot, phase('II', 620, 650), change('cos_2_2', 4100, 'up')]);
    expect(log.events.map((e) => eventKey(e))).toHaveLength(4);
    expect(new Set(log.events.map((e) => eventKey(e))).size).toBe(4);
    // A late frame from before the resync repeats events the new snapshot holds.
    expect(log.append([phase('II', 620, 650)])).toEqual([]);
  });

  it('gives a new array and version on every change (so Lit sees it)', () => {
    const log = new RunEvents();
    log.replace(snapshot);
    const held = log.events;
    const version = log.version;
    log.append([phase('II', 620)]);
    expect(log.events).not.toBe(held);
    expect(log.version).toBe(version + 1);
    log.append([phase('II', 620)]);
    expect(log.version).toBe(version + 1);
  });

  it('tells the same event from one at another step or on another series', () => {
    expect(eventKey(change('loss', 400))).toBe(eventKey({ ...change('loss', 400), confidence: 0.5, message: 'reworded' }));
    expect(eventKey(change('loss', 400))).not.toBe(eventKey(change('loss', 410)));
    expect(eventKey(change('loss', 400))).not.toBe(eventKey(change('cos_1_1', 400)));
  });
});

describe('eventNotice', () => {
  it('says which run entered which phase where, with the detector’s message', () => {
    const e = phase('II', 620, 650, 'neuron 1 learned v₁ (|c| = 0.71)');
    expect(eventNotice(e)).toEqual({ text: 'Run 3 entered phase II at step 620 — neuron 1 learned v₁ (|c| = 0.71)', level: 'info' });
  });

  it('words states by their weight, and gives no notice for a change point', () => {
    expect(eventNotice(state('converged', 6100, 'IV'))).toEqual({ text: 'Run 3 converged at step 6,100 — converged', level: 'info' });
    expect(eventNotice(state('stalled-II', 2500, 'II'))?.level).toBe('warning');
    expect(eventNotice(state('stalled-II', 2500, 'II'))?.text).toBe('Run 3 is stalled in phase II (step 2,500) — stalled-II');
    expect(eventNotice(state('dimensional-collapse', 3000, 'II'))).toEqual({
      text: 'Run 3: dimensional collapse at step 3,000 — dimensional-collapse',
      level: 'error',
    });
    expect(eventNotice(change('loss', 400))).toBeNull();
  });

  it('does not repeat the phase when the message begins with it', () => {
    const e = phase('III', 4200, 4700, 'phase III — w2 turns to v2 (|c22| = 0.74)');
    expect(eventNotice(e)?.text).toBe('Run 3 entered phase III at step 4,200 — w2 turns to v2 (|c22| = 0.74)');
    // Only its own phase is taken off: another lead-in stays.
    expect(eventNotice(phase('II', 620, 620, 'phase I ended'))?.text).toBe('Run 3 entered phase II at step 620 — phase I ended');
  });

  it('does not announce phase I, which every run enters at its start', () => {
    expect(eventNotice(phase('I', 10))).toBeNull();
    expect(eventNotice(phase('III', 4200))?.text).toBe('Run 3 entered phase III at step 4,200 — entered III');
  });
});
