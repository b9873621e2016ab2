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

/** Check: at least 4 of 5 seeds (80 %) complete phases I–IV. */
const mostCompleteFourPhases: ValidationRow['check'] = (marks) => {
  const done = count(marks, (m) => m.outcome === 'four-phases');
  const needed = Math.ceil(0.8 * marks.length);
  return { pass: done >= needed, detail: `${done}/${marks.length} seeds complete phases I–IV (need ${needed})` };
};

/** Check: every seed ends in `outcome`; `what` says it in words, `extra` adds figures. */
const everySeed =
  (outcome: PhaseMarks['outcome'], what: string, extra: (marks: readonly PhaseMarks[]) => string = () => ''): ValidationRow['check'] =>
  (marks) => {
    const n = count(marks, (m) => m.outcome === outcome);
    return { pass: n === marks.length, detail: `${n}/${marks.length} seeds ${what}${extra(marks)}` };
  };

/** The |E_kj*| peaks of the seeds, for the detail column. */
const headPeaks = (digits: number) => (marks: readonly PhaseMarks[]) => `; |E_21| peaks ${marks.map((m) => (m.headPeak ? Math.abs(m.headPeak.value).toFixed(digits) : '—')).join(', ')}`;

/** The rows `phasewatch validate` runs, in order. */
export const VALIDATION_ROWS: readonly ValidationRow[] = [
  {
    id: 'default',
    preset: 'default',
    claim: 'all four phases complete within 30k steps in at least 4 of 5 seeds',
    settled: terminal,
    check: mostCompleteFourPhases,
  },
  {
    id: 'head-none',
    preset: 'head-none',
    claim: 'without a head both neurons learn v_1: dimensional collapse (≈ 2.5–5k steps), every seed',
    settled: terminal,
    check: everySeed('dimensional-collapse', 'collapse'),
  },
  {
    id: 'no-bn',
    preset: 'no-bn',
    claim: 'without BatchNorm: total collapse (Var(F) → 0, ‖W‖ shrinks, loss → 0)',
    settled: terminal,
    check: everySeed('total-collapse', 'collapse totally'),
  },
  {
    id: 'stopgrad-online',
    preset: 'stopgrad-online',
    claim: 'stop-gradient on the online branch: collapse onto v_1',
    settled: terminal,
    check: everySeed('dimensional-collapse', 'collapse onto v_1'),
  },
  {
    id: 'adam',
    preset: 'adam',
    claim: 'Adam (lr 0.003): E_21 rises then falls to ≈ 0 as w_2 learns v_2; phases within ≈ 4k steps',
    settled: terminal,
    check: (marks) => {
      const ok = count(marks, (m) => m.outcome === 'four-phases' && m.T3 !== null && m.T3 <= 4000 && m.decay !== null);
      return { pass: ok === marks.length, detail: `${ok}/${marks.length} seeds learn v_2 by 4k steps with E_21 back near 0${headPeaks(2)(marks)} (SPEC's prototype: ≈ 0.7–0.85)` };
    },
  },
  {
    id: 'head-full',
    preset: 'head-full',
    claim: 'every entry of E trained: about the same as offdiag (four phases in at least 4 of 5 seeds)',
    settled: terminal,
    check: mostCompleteFourPhases,
  },
  {
    id: 'l2-norm',
    preset: 'l2-norm',
    claim: 'per-sample ℓ2 normalisation instead of BN: v_1 learned, E ≈ I, no phase III (checked over 12k steps)',
    settled: (m) => m.T3 !== null || heldSince(m.collapse, m) || heldSince(m.totalCollapse, m) || m.lastStep >= NO_PHASE_III_BY,
    check: (marks) => {
      const ok = count(marks, (m) => m.T1 !== null && m.T3 === null && (m.headPeak === null || Math.abs(m.headPeak.value) < 0.05));
      return { pass: ok === marks.length, detail: `${ok}/${marks.length} seeds learn v_1 with max |E_kj*| < 0.05 and no v_2${headPeaks(3)(marks)}` };
    },
  },
  {
    id: 'stopgrad-none',
    preset: 'stopgrad-none',
    claim: 'no stop-gradient: collapse onto v_1',
    settled: terminal,
    check: everySeed('dimensional-collapse', 'collapse onto v_1'),
  },
  {
    id: 'weight-norm',
    preset: 'weight-norm',
    claim: 'per-neuron weight normalisation: collapse (phase II needs norm to move from neuron 2 to neuron 1)',
    settled: terminal,
    check: everySeed('dimensional-collapse', 'collapse onto v_1'),
  },
  {
    id: 'eta-ratio-0.01',
    preset: 'eta-ratio-0.01',
    claim: 'η_E/η = 0.01: E_21 stays tiny; collapse onto v_1',
    settled: terminal,
    check: everySeed('dimensional-collapse', 'collapse onto v_1', headPeaks(3)),
  },
  {
    id: 'eta-ratio-1',
    preset: 'eta-ratio-1',
    claim: 'η_E/η = 1: E_21 large; neuron 2 shrinks and stalls (no v_2 for ≥ 12k steps)',
    settled: (m) => m.T3 !== null || heldSince(m.collapse, m) || m.lastStep >= NO_PHASE_III_BY,
    check: (marks) => {
      const ok = count(marks, (m) => m.T1 !== null && (m.T3 === null || m.T3 >= NO_PHASE_III_BY) && m.outcome !== 'dimensional-collapse');
      return { pass: ok === marks.length, detail: `${ok}/${marks.length} seeds without v_2 for 12k steps${headPeaks(2)(marks)}` };
    },
  },
];

export function rowById(id: string): ValidationRow {
  const row = VALIDATION_ROWS.find((r) => r.id === id);
  if (!row) throw new Error(`unknown validation row ${id}`);
  return row;
}
