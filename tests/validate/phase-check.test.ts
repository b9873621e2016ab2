import { describe, expect, it } from 'vitest';
import { groundTruthBoundaries } from '../../src/analysis/phase-boundaries.js';
import type { PhaseMarks } from '../../src/analysis/trajectory.js';
import type { PhaseEvent } from '../../src/operators/phases/phase-event.js';
import { checkPhases } from '../../src/validate/phase-check.js';

const fourPhases: PhaseMarks = {
  learner: 1,
  other: 2,
  T1: 620,
  headPeak: { step: 4400, value: 0.13 },
  T3: 4800,
  decay: 5500,
  T4: 5910,
  collapse: null,
  totalCollapse: null,
  outcome: 'four-phases',
  lastStep: 7000,
};

function event(kind: PhaseEvent['kind'], label: string, detectedAt: number, step = detectedAt): PhaseEvent {
  return { kind, detector: 'theory', step, detectedAt, label, phase: null, series: null, confidence: 1, evidence: {}, message: '' };
}

const live = [event('phase', 'I', 10), event('phase', 'II', 620), event('phase', 'III', 4700, 4400), event('phase', 'IV', 4800), event('state', 'converged', 5910)];

describe('groundTruthBoundaries', () => {
  it('puts III at the head peak, IV at T3 and convergence at T4', () => {
    expect(groundTruthBoundaries(fourPhases)).toEqual([
      { label: 'II', step: 620 },
      { label: 'III', step: 4400 },
      { label: 'IV', step: 4800 },
      { label: 'converged', step: 5910 },
    ]);
  });

  it('puts III at T3 when the head never moved, and lists collapses', () => {
    expect(groundTruthBoundaries({ ...fourPhases, headPeak: { step: 10, value: 0 } })[1]).toEqual({ label: 'III', step: 4800 });
    // A peak under 0.01 is noise, not substitution (as with ℓ2 normalisation).
    expect(groundTruthBoundaries({ ...fourPhases, headPeak: { step: 1750, value: -0.004 } })[1]).toEqual({ label: 'III', step: 4800 });
    const collapsed: PhaseMarks = { ...fourPhases, T3: null, T4: null, decay: null, collapse: 3950, outcome: 'dimensional-collapse' };
    expect(groundTruthBoundaries(collapsed)).toEqual([
      { label: 'II', step: 620 },
      { label: 'dimensional-collapse', step: 3950 },
    ]);
    const total: PhaseMarks = { ...fourPhases, T1: null, headPeak: null, T3: null, T4: null, decay: null, totalCollapse: 1520, outcome: 'total-collapse' };
    expect(groundTruthBoundaries(total)).toEqual([{ label: 'total-collapse', step: 1520 }]);
  });
});

describe('checkPhases', () => {
  it('passes when every boundary is found within 500 steps, in order', () => {
    const check = checkPhases(fourPhases, live);
    expect(check.pass).toBe(true);
    expect(check.boundaries.map((b) => b.delay)).toEqual([0, 300, 0, 0]);
  });

  it('fails a boundary found more than 500 steps late, or missed', () => {
    const late = live.map((e) => (e.label === 'III' ? event('phase', 'III', 4901, 4400) : e));
    expect(checkPhases(fourPhases, late).boundaries[1]).toMatchObject({ delay: 501, ok: false });
    expect(checkPhases(fourPhases, late).pass).toBe(false);
    const missed = checkPhases(fourPhases, live.filter((e) => e.label !== 'converged'));
    expect(missed.boundaries[3]).toMatchObject({ detectedAt: null, ok: false });
    expect(missed.pass).toBe(false);
  });

  it('counts a transition the trajectory does not have as false, but not the stall warning', () => {
    const collapsed: PhaseMarks = { ...fourPhases, T3: null, T4: null, decay: null, collapse: 3950, outcome: 'dimensional-collapse' };
    const events = [event('phase', 'I', 10), event('phase', 'II', 620), event('state', 'stalled-II', 2000), event('phase', 'III', 3000), event('state', 'dimensional-collapse', 3950)];
    const check = checkPhases(collapsed, events);
    expect(check.false).toEqual(['III @ 3000']);
    expect(check.pass).toBe(false);
    expect(checkPhases(collapsed, events.filter((e) => e.label !== 'III')).pass).toBe(true);
  });

  it('fails phases out of order and ignores change points', () => {
    const swapped = [live[0], live[2], live[1], live[3], live[4]];
    expect(checkPhases(fourPhases, swapped).ordered).toBe(false);
    const withChange = [...live, { ...event('change-point', 'down', 700, 650), detector: 'bocpd' as const, series: 'loss' }];
    expect(checkPhases(fourPhases, withChange).pass).toBe(true);
  });
});
