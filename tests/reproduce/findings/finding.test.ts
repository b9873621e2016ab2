import { describe, expect, it } from 'vitest';
import type { PhaseMarks } from '../../../src/analysis/trajectory.js';
import { median, phaseBands, rerunCommand, spread } from '../../../src/reproduce/findings/finding.js';

const marks = (over: Partial<PhaseMarks>): PhaseMarks => ({
  learner: 1,
  other: 2,
  T1: null,
  headPeak: null,
  T3: null,
  decay: null,
  T4: null,
  collapse: null,
  totalCollapse: null,
  outcome: 'phase-I',
  lastStep: 7000,
  ...over,
});

describe('report helpers', () => {
  it('bands the phases up to the last boundary reached', () => {
    expect(phaseBands(marks({ T1: 620, headPeak: { step: 4400, value: 0.13 }, T3: 4800 }))).toEqual([
      { label: 'I', from: 0, to: 620 },
      { label: 'II', from: 620, to: 4400 },
      { label: 'III', from: 4400, to: 4800 },
      { label: 'IV', from: 4800, to: 7000 },
    ]);
    // A collapse: phase II never turns, so it runs to the end.
    expect(phaseBands(marks({ T1: 600 }))).toEqual([
      { label: 'I', from: 0, to: 600 },
      { label: 'II', from: 600, to: 7000 },
    ]);
    // A head that peaked before T₁ (m = 64 under Adam) has no phase III band.
    expect(phaseBands(marks({ T1: 100, headPeak: { step: 80, value: 0.3 } }))).toHaveLength(2);
  });

  it('writes mean ± sample sd with the count', () => {
    // Mean 620; deviations −20, 0, 20: s = √(800 / 2) = 20.
    expect(spread([600, 620, 640])).toBe('620 ± 20 (n = 3)');
    expect(spread([0.125], 2)).toBe('0.13');
    expect(spread([null, Number.NaN])).toBe('—');
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('reruns a run from its preset, seed and settings', () => {
    expect(rerunCommand({ preset: 'default', seed: 3, sets: ['data.d=32', 'steps=40000'] })).toBe('phasewatch run --seed 3 --set data.d=32 --set steps=40000');
    expect(rerunCommand({ preset: 'adam', seed: 0, sets: [] })).toBe('phasewatch run --preset adam --seed 0');
  });
});
