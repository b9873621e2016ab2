import type { PhaseMarks } from '../../analysis/trajectory.js';
import { rowById } from '../../validate/rows.js';
import type { FigureSeries } from '../figure-spec.js';
import { ABLATION_ROWS } from '../plan.js';
import type { TrainedRun } from '../execute-plan.js';
import { phaseBands, rerunCommand, runsOf, seriesOf, spread, stepText, type Finding, type FindingContext, type Section } from './finding.js';

/** The phase durations of a run that completed them: I = T₁, II = peak − T₁, III = T₃ − peak, IV = T₄ − T₃. */
export function durations(m: PhaseMarks): { I: number; II: number; III: number; IV: number } | null {
  if (m.outcome !== 'four-phases' || m.T1 === null || !m.headPeak || m.T3 === null || m.T4 === null) return null;
  return { I: m.T1, II: m.headPeak.step - m.T1, III: m.T3 - m.headPeak.step, IV: m.T4 - m.T3 };
}

function runRow(run: TrainedRun): string[] {
  const m = run.marks;
  const peak = m.headPeak ? `${Math.abs(m.headPeak.value).toFixed(3)} @ ${m.headPeak.step}` : '—';
  return [run.label, String(run.seed), String(run.runId), m.outcome, stepText(m.T1), peak, stepText(m.T3), stepText(m.T4), stepText(m.collapse ?? m.totalCollapse), String(m.lastStep)];
}
const RUN_HEADER = ['run', 'seed', 'id', 'outcome', 'T₁', 'peak |E_kj*| @ step', 'T₃', 'T₄', 'collapse', 'last step'];

/** A validation row's check over the runs of one label, as a finding. */
function rowFinding(runs: readonly TrainedRun[], rowId: string, claim: string): Finding {
  const row = rowById(rowId);
  const { pass, detail } = row.check(runs.map((r) => r.marks));
  // Failing only because --max-steps ended runs before their outcome settled is not a refutation.
  const cut = runs.some((r) => r.capped && !row.settled(r.marks));
  return { claim, expected: row.claim, measured: detail, verdict: pass ? 'holds' : cut ? 'not reached' : 'does not hold' };
}

/** Four phases in order on the default preset, with durations; Adam beside it. */
export function phasesSection(ctx: FindingContext): Section {
  const runs = runsOf(ctx, 'phases', 'default');
  const adam = runsOf(ctx, 'adam');
  const all = runs.map((r) => durations(r.marks)).filter((d) => d !== null);
  const durationText = (list: typeof all) => (['I', 'II', 'III', 'IV'] as const).map((p) => `${p} ${spread(list.map((d) => d[p]))}`).join('; ');
  const first = runs[0];
  const k = first?.marks.other ?? 2;
  const j = first?.marks.learner ?? 1;
  const findings: Finding[] = [
    {
      ...rowFinding(runs, 'default', 'The four phases, in order, on the default preset'),
      measured: `${rowById('default').check(runs.map((r) => r.marks)).detail}; durations in steps: ${durationText(all)}`,
    },
    {
      ...rowFinding(adam, 'adam', 'The same under Adam (lr 0.003)'),
      measured: `${rowById('adam').check(adam.map((r) => r.marks)).detail}; durations: ${durationText(adam.map((r) => durations(r.marks)).filter((d) => d !== null))}`,
    },
  ];
  const series: FigureSeries[] = first
    ? [
        { label: `|cos(w${j}, v1)|`, ...seriesOf(ctx, first.runId, `cos_${j}_1`, Math.abs), color: 0 },
        { label: `|cos(w${k}, v1)|`, ...seriesOf(ctx, first.runId, `cos_${k}_1`, Math.abs), color: 1, dash: [6, 4] },
        { label: `|cos(w${k}, v2)|`, ...seriesOf(ctx, first.runId, `cos_${k}_2`, Math.abs), color: 1 },
        { label: `E${k}${j} × 5`, ...seriesOf(ctx, first.runId, `E_${k}_${j}`, (v) => 5 * v), color: 2, width: 2 },
      ]
    : [];
  return {
    title: 'The four phases',
    text:
      'The default preset (SPEC §5: d = 64, m = 2, SGD η = 0.01, η_E = 0.001) over several seeds, each run stopped 1,000 steps after its outcome is settled. ' +
      'The phases are read off the stored trajectory with the SPEC §3 thresholds: I ends at T₁ (|cos(w_j*, v₁)| ≥ 0.7), II at the peak of the substituting head entry E_kj*, III at T₃ (|cos(w_k, v₂)| ≥ 0.7), IV at T₄ (‖E − I‖_F < 0.01).',
    findings,
    figures: first
      ? [
          {
            name: 'phases',
            title: `The four phases on the default preset (seed ${first.seed})`,
            caption: `Neuron ${j} learns v₁ (I); the head entry E${k}${j} grows and substitutes for neuron ${k} (II); neuron ${k} turns to v₂, accelerated, while E${k}${j} falls (III); the head returns to the identity (IV). E${k}${j} is drawn ×5.`,
            xLabel: 'step',
            yLabel: '|cos| and 5·E',
            series,
            bands: phaseBands(first.marks),
            marks: first.marks.T4 !== null ? [{ x: first.marks.T4, label: 'E = I' }] : [],
          },
        ]
      : [],
    runs: [RUN_HEADER, ...[...runs, ...adam].map(runRow)],
    rerun: [first, adam[0]].filter(Boolean).map((r) => rerunCommand(r!)),
  };
}

/** The SPEC §4 ablations, each against its claim. */
export function ablationsSection(ctx: FindingContext): Section {
  const findings = ABLATION_ROWS.map((row) => rowFinding(runsOf(ctx, 'ablations', row), row, row));
  const runs = ABLATION_ROWS.flatMap((row) => runsOf(ctx, 'ablations', row));
  const firstOf = (row: string) => runsOf(ctx, 'ablations', row)[0] ?? runsOf(ctx, 'phases', row)[0];
  // k's alignment with v₁: near 1 when both neurons carry v₁ (dimensional collapse).
  const series = ['default', ...ABLATION_ROWS].flatMap((row, i): FigureSeries[] => {
    const run = firstOf(row);
    if (!run) return [];
    const k = run.marks.other ?? 2;
    return [{ label: row, ...seriesOf(ctx, run.runId, `cos_${k}_1`, Math.abs), color: i, width: row === 'default' ? 2.5 : 1.5 }];
  });
  return {
    title: 'Ablations (SPEC §4)',
    text: 'Each ablation changes one thing from the default preset; its claim comes from the notes (SPEC §4). A run stops once its outcome has held for 1,000 steps.',
    findings,
    figures: [
      {
        name: 'ablations',
        title: 'Does the second neuron collapse onto v₁? (seed 0 of each row)',
        caption: '|cos(w_k, v₁)| for the neuron k that should learn v₂: it rises to 1 under dimensional collapse (head none, stop-grad online or none, weight normalisation) and stays low when v₂ is learned (default, head full).',
        xLabel: 'step',
        yLabel: '|cos(w_k, v1)|',
        series,
      },
    ],
    runs: [RUN_HEADER, ...runs.map(runRow)],
    rerun: ABLATION_ROWS.map((row) => `phasewatch run --preset ${row} --seed 0`),
  };
}
