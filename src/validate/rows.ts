import type { PresetName } from '../config/presets.js';
import type { PhaseMarks } from '../analysis/trajectory.js';

/** A row of the SPEC §4 table: a preset, what it must show, and how to tell. */
export interface ValidationRow {
  readonly id: string;
  readonly preset: PresetName;
  /** The claim, as SPEC §4 states it. */
  readonly claim: string;
  /** Whether a run's outcome is already decided (so it may stop before its last step). */
  settled(marks: PhaseMarks): boolean;
  /** Whether the runs of this row, together, behave as the claim says. */
  check(marks: readonly PhaseMarks[]): { readonly pass: boolean; readonly detail: string };
}

/** Steps a decided outcome must hold before a run stops early. */
export const SETTLE_MARGIN = 1000;

/** Rows whose claim is that v_2 does not come are watched this long. */
const NO_PHASE_III_BY = 12_000;

const heldSince = (step: number | null, marks: PhaseMarks) => step !== null && marks.lastStep >= step + SETTLE_MARGIN;
const terminal = (m: PhaseMarks) => heldSince(m.T4, m) || heldSince(m.collapse, m) || heldSince(m.totalCollapse, m);
const count = (marks: readonly PhaseMarks[], test: (m: PhaseMarks) => boolean) => marks.filter(test).length;

/** The rows `phasewatch validate` runs, in order. */
export const VALIDATION_ROWS: readonly ValidationRow[] = [
  {
    id: 'default',
    preset: 'default',
    claim: 'all four phases complete within 30k steps in at least 4 of 5 seeds',
    settled: terminal,
    check: (marks) => {
      const done = count(marks, (m) => m.outcome === 'four-phases');
      const needed = Math.ceil(0.8 * marks.length);
      return { pass: done >= needed, detail: `${done}/${marks.length} seeds complete phases I–IV (need ${needed})` };
    },
  },
  {
    id: 'head-none',
    preset: 'head-none',
    claim: 'without a head both neurons learn v_1: dimensional collapse (≈ 2.5–5k steps), every seed',
    settled: terminal,
    check: (marks) => {
      const collapsed = count(marks, (m) => m.outcome === 'dimensional-collapse');
      return { pass: collapsed === marks.length, detail: `${collapsed}/${marks.length} seeds collapse` };
    },
  },
  {
    id: 'no-bn',
    preset: 'no-bn',
    claim: 'without BatchNorm: total collapse (Var(F) → 0, ‖W‖ shrinks, loss → 0)',
    settled: terminal,
    check: (marks) => {
      const collapsed = count(marks, (m) => m.outcome === 'total-collapse');
      return { pass: collapsed === marks.length, detail: `${collapsed}/${marks.length} seeds collapse totally` };
    },
  },
  {
    id: 'stopgrad-online',
    preset: 'stopgrad-online',
    claim: 'stop-gradient on the online branch: collapse onto v_1',
    settled: terminal,
    check: (marks) => {
      const collapsed = count(marks, (m) => m.outcome === 'dimensional-collapse');
      return { pass: collapsed === marks.length, detail: `${collapsed}/${marks.length} seeds collapse onto v_1` };
    },
  },
  {
    id: 'adam',
    preset: 'adam',
    claim: 'Adam (lr 0.003): E_21 rises then falls to ≈ 0 as w_2 learns v_2; phases within ≈ 4k steps',
    settled: terminal,
    check: (marks) => {
      const ok = count(marks, (m) => m.outcome === 'four-phases' && m.T3 !== null && m.T3 <= 4000 && m.decay !== null);
      const peaks = marks.map((m) => (m.headPeak ? Math.abs(m.headPeak.value).toFixed(2) : '—')).join(', ');
      return { pass: ok === marks.length, detail: `${ok}/${marks.length} seeds learn v_2 by 4k steps with E_21 back near 0; |E_21| peaks ${peaks} (SPEC's prototype: ≈ 0.7–0.85)` };
    },
  },
  {
    id: 'head-full',
    preset: 'head-full',
    claim: 'every entry of E trained: about the same as offdiag (four phases in at least 4 of 5 seeds)',
    settled: terminal,
    check: (marks) => {
      const done = count(marks, (m) => m.outcome === 'four-phases');
      const needed = Math.ceil(0.8 * marks.length);
      return { pass: done >= needed, detail: `${done}/${marks.length} seeds complete phases I–IV (need ${needed})` };
    },
  },
  {
    id: 'l2-norm',
    preset: 'l2-norm',
    claim: 'per-sample ℓ2 normalisation instead of BN: v_1 learned, E ≈ I, no phase III (checked over 12k steps)',
    settled: (m) => m.T3 !== null || heldSince(m.collapse, m) || heldSince(m.totalCollapse, m) || m.lastStep >= NO_PHASE_III_BY,
    check: (marks) => {
      const ok = count(marks, (m) => m.T1 !== null && m.T3 === null && (m.headPeak === null || Math.abs(m.headPeak.value) < 0.05));
      const peaks = marks.map((m) => (m.headPeak ? Math.abs(m.headPeak.value).toFixed(3) : '—')).join(', ');
      return { pass: ok === marks.length, detail: `${ok}/${marks.length} seeds learn v_1 with max |E_kj*| < 0.05 and no v_2 (peaks ${peaks})` };
    },
  },
  {
    id: 'stopgrad-none',
    preset: 'stopgrad-none',
    claim: 'no stop-gradient: collapse onto v_1',
    settled: terminal,
    check: (marks) => {
      const collapsed = count(marks, (m) => m.outcome === 'dimensional-collapse' || m.outcome === 'total-collapse');
      return { pass: collapsed === marks.length, detail: `${collapsed}/${marks.length} seeds collapse (${marks.map((m) => m.outcome).join(', ')})` };
    },
  },
  {
    id: 'weight-norm',
    preset: 'weight-norm',
    claim: 'per-neuron weight normalisation: collapse (phase II needs norm to move from neuron 2 to neuron 1)',
    settled: terminal,
    check: (marks) => {
      const collapsed = count(marks, (m) => m.outcome === 'dimensional-collapse');
      return { pass: collapsed === marks.length, detail: `${collapsed}/${marks.length} seeds collapse onto v_1` };
    },
  },
  {
    id: 'eta-ratio-0.01',
    preset: 'eta-ratio-0.01',
    claim: 'η_E/η = 0.01: E_21 stays tiny; collapse onto v_1',
    settled: terminal,
    check: (marks) => {
      const collapsed = count(marks, (m) => m.outcome === 'dimensional-collapse');
      const peaks = marks.map((m) => (m.headPeak ? Math.abs(m.headPeak.value).toFixed(3) : '—')).join(', ');
      return { pass: collapsed === marks.length, detail: `${collapsed}/${marks.length} seeds collapse onto v_1; |E_21| peaks ${peaks}` };
    },
  },
  {
    id: 'eta-ratio-1',
    preset: 'eta-ratio-1',
    claim: 'η_E/η = 1: E_21 large; neuron 2 shrinks and stalls (no v_2 for ≥ 12k steps)',
    settled: (m) => m.T3 !== null || heldSince(m.collapse, m) || m.lastStep >= NO_PHASE_III_BY,
    check: (marks) => {
      const ok = count(marks, (m) => m.T1 !== null && (m.T3 === null || m.T3 >= NO_PHASE_III_BY) && m.outcome !== 'dimensional-collapse');
      const peaks = marks.map((m) => (m.headPeak ? Math.abs(m.headPeak.value).toFixed(2) : '—')).join(', ');
      return { pass: ok === marks.length, detail: `${ok}/${marks.length} seeds without v_2 for 12k steps; |E_21| peaks ${peaks}` };
    },
  },
];

export function rowById(id: string): ValidationRow {
  const row = VALIDATION_ROWS.find((r) => r.id === id);
  if (!row) throw new Error(`unknown validation row ${id}`);
  return row;
}
