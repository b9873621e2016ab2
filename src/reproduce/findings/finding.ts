import { mean, sampleSd } from '../../analysis/statistics.js';
import type { PhaseMarks } from '../../analysis/trajectory.js';
import type { Store } from '../../store/store.js';
import type { FigureBand, FigureSpec } from '../figure-spec.js';
import { thinSeries } from '../figure-spec.js';
import type { ExecutedPlan, TrainedRun } from '../execute-plan.js';

/** How a row of the report ends: the claim holds, fails, was not reached in the budget, or a question is answered. */
export type Verdict = 'holds' | 'does not hold' | 'not reached' | 'answered';

/** One row of the report's table. */
export interface Finding {
  /** The claim or question, in a few words. */
  readonly claim: string;
  /** What the paper, the notes or SPEC say. */
  readonly expected: string;
  /** What the runs show, with the spread over seeds. */
  readonly measured: string;
  readonly verdict: Verdict;
}

/** A section of the report: prose, its rows, its figures and a per-run table. */
export interface Section {
  readonly title: string;
  readonly text: string;
  readonly findings: readonly Finding[];
  readonly figures: readonly FigureSpec[];
  /** Per-run detail as a markdown table (header row first). */
  readonly runs: readonly (readonly string[])[];
  /** Commands that rerun one run of each kind in the section. */
  readonly rerun: readonly string[];
}

/** What every section reads: the store and the trained plan. */
export interface FindingContext {
  readonly store: Store;
  readonly plan: ExecutedPlan;
}

export const runsOf = (ctx: FindingContext, experiment: TrainedRun['experiment'], label?: string) =>
  ctx.plan.runs.filter((r) => r.experiment === experiment && (label === undefined || r.label === label));

/** A stored series of a run (through its lineage), thinned for a figure. */
export function seriesOf(ctx: FindingContext, runId: number, name: string, transform: (v: number) => number = (v) => v) {
  const { steps, values } = ctx.store.readSeries(runId, name);
  return thinSeries(steps, values.map((v) => (v === null ? null : transform(v))));
}

/** Values of a run's series over steps in [from, to). */
export function valuesBetween(ctx: FindingContext, runId: number, name: string, from: number, to: number): number[] {
  const { steps, values } = ctx.store.readSeries(runId, name);
  return steps.flatMap((s, i) => (s >= from && s < to && values[i] !== null ? [values[i]!] : []));
}

export { mean, median } from '../../analysis/statistics.js';

/** `620 ± 36 (n = 5)`; `—` without values; one value as it is. */
export function spread(xs: readonly (number | null)[], digits = 0): string {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return '—';
  if (v.length === 1) return v[0].toFixed(digits);
  return `${mean(v).toFixed(digits)} ± ${sampleSd(v).toFixed(digits)} (n = ${v.length})`;
}

/** The paper's phases as bands: I to T₁, II to the head's peak, III to T₃, IV after; up to the last boundary reached. */
export function phaseBands(marks: PhaseMarks): FigureBand[] {
  const peak = marks.headPeak && marks.T1 !== null && marks.headPeak.step > marks.T1 ? marks.headPeak.step : null;
  const edges: [string, number | null][] = [['I', 0], ['II', marks.T1], ['III', peak], ['IV', marks.T3]];
  const bands: FigureBand[] = [];
  for (let i = 0; i < edges.length && edges[i][1] !== null; i++) {
    const next = i + 1 < edges.length ? edges[i + 1][1] : null;
    bands.push({ label: edges[i][0], from: edges[i][1]!, to: next ?? marks.lastStep });
  }
  return bands;
}

/** `phasewatch run` for one planned run. */
export function rerunCommand(run: Pick<TrainedRun, 'preset' | 'sets' | 'seed'>): string {
  return ['phasewatch run', run.preset === 'default' ? '' : `--preset ${run.preset}`, `--seed ${run.seed}`, ...run.sets.map((s) => `--set ${s}`)].filter(Boolean).join(' ');
}

/** The verdict of a claim that needs data the runs did not reach. */
export const verdictOf = (reached: boolean, holds: boolean): Verdict => (!reached ? 'not reached' : holds ? 'holds' : 'does not hold');

/** A step or a dash. */
export const stepText = (s: number | null | undefined) => (s === null || s === undefined ? '—' : String(s));
