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
];

export function rowById(id: string): ValidationRow {
  const row = VALIDATION_ROWS.find((r) => r.id === id);
  if (!row) throw new Error(`unknown validation row ${id}`);
  return row;
}
