import type { FigureSpec } from '../figure-spec.js';
import { fitPowerLaw, type PowerLawFit } from '../power-law-fit.js';
import type { TrainedRun } from '../execute-plan.js';
import { rerunCommand, runsOf, spread, stepText, verdictOf, type Finding, type FindingContext, type Section } from './finding.js';

interface Sweep {
  readonly runs: readonly TrainedRun[];
  readonly xs: number[];
  readonly ys: number[];
  /** The seed of each point. */
  readonly seeds: number[];
  readonly fit: PowerLawFit | null;
}

/** Seeds as shades of the palette's first blue, so the points read as one measurement. */
const SEED_COLOURS: readonly (number | string)[] = [0, '#6a9be0', '#0b3a80', '#93b8ec', '#163f7a'];

/** The measured points (x, y) of a sweep and their power-law fit (null with fewer than two points). */
function sweep(runs: readonly TrainedRun[], measure: (run: TrainedRun) => number | null): Sweep {
  const points = runs.flatMap((r) => {
    const y = measure(r);
    return r.x !== undefined && y !== null && y > 0 ? [[r.x, y, r.seed] as const] : [];
  });
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const distinct = new Set(xs).size;
  return { runs, xs, ys, seeds: points.map(([, , seed]) => seed), fit: distinct >= 2 ? fitPowerLaw(xs, ys) : null };
}

/** Every swept value has a measurement: a fit over part of the range says little about the exponent. */
const reachedAll = (s: Sweep) => new Set(s.runs.map((r) => r.x)).size === new Set(s.xs).size;

const fitText = (fit: PowerLawFit | null) => (fit ? `fitted exponent ${fit.slope.toFixed(2)} ± ${fit.slopeError.toFixed(2)} (R² = ${fit.r2.toFixed(3)}, ${fit.points} runs)` : 'too few runs reached the mark for a fit');

/** Per x, the values measured over seeds, and how many seeds reached the mark where some did not. */
function byX(s: Sweep, digits: number): string {
  const xs = [...new Set(s.runs.map((r) => r.x!))].sort((a, b) => a - b);
  return xs
    .map((x) => {
      const measured = s.ys.filter((_, i) => s.xs[i] === x);
      const tried = s.runs.filter((r) => r.x === x).length;
      return `${x}: ${spread(measured, digits)}${measured.length < tried ? ` (${measured.length} of ${tried} seeds reached it)` : ''}`;
    })
    .join(', ');
}

/** Points and fit line on log–log axes, with the theory's slope through the points' centre. */
function logLogFigure(name: string, title: string, caption: string, xLabel: string, yLabel: string, s: Sweep, theory: number, theoryLabel: string): FigureSpec {
  const lo = Math.min(...s.xs);
  const hi = Math.max(...s.xs);
  const ends = s.xs.length ? [lo, hi] : [];
  const centre = s.xs.length ? Math.exp(s.xs.reduce((a, x) => a + Math.log(x), 0) / s.xs.length) : 1;
  const centreY = s.ys.length ? Math.exp(s.ys.reduce((a, y) => a + Math.log(y), 0) / s.ys.length) : 1;
  return {
    name,
    title,
    caption,
    xLabel,
    yLabel,
    logX: true,
    logY: true,
    series: [
      // One series per seed: several seeds at one x must each keep their point.
      ...[...new Set(s.seeds)]
        .sort((a, b) => a - b)
        .map((seed, i) => {
          const mine = s.seeds.flatMap((sd, k) => (sd === seed ? [k] : []));
          return { label: `seed ${seed}`, x: mine.map((k) => s.xs[k]), y: mine.map((k) => s.ys[k]), color: SEED_COLOURS[i % SEED_COLOURS.length], points: true };
        }),
      ...(s.fit ? [{ label: `fit: slope ${s.fit.slope.toFixed(2)}`, x: ends, y: ends.map((x) => s.fit!.scale * x ** s.fit!.slope), color: 1 }] : []),
      { label: theoryLabel, x: ends, y: ends.map((x) => centreY * (x / centre) ** theory), color: '#6b7280', dash: [5, 4] },
    ],
  };
}

/** T₁ against d and η, and the head's peak against η_E/η, each fitted as a power law. */
export function scalingSection(ctx: FindingContext): Section {
  const dSweep = sweep(runsOf(ctx, 'scaling-d'), (r) => r.marks.T1);
  const etaSweep = sweep(runsOf(ctx, 'scaling-eta'), (r) => r.marks.T1);
  const ratioSweep = sweep(runsOf(ctx, 'peak-ratio'), (r) => (r.marks.headPeak ? Math.abs(r.marks.headPeak.value) : null));
  const close = (fit: PowerLawFit | null, target: number, tolerance: number) => fit !== null && Math.abs(fit.slope - target) <= tolerance;
  const findings: Finding[] = [
    {
      claim: 'T₁ grows as d²',
      expected: 'T₁ = d^{2+o(1)}/η (the notes; the o(1) allows a slope a little off 2 at small d)',
      measured: `T₁ by d: ${byX(dSweep, 0)}; ${fitText(dSweep.fit)}`,
      verdict: verdictOf(dSweep.fit !== null && reachedAll(dSweep), close(dSweep.fit, 2, 0.35)),
    },
    {
      claim: 'T₁ falls as 1/η',
      expected: 'T₁ = d^{2+o(1)}/η: slope −1 against η',
      measured: `T₁ by η (η_E = η/10): ${byX(etaSweep, 0)}; ${fitText(etaSweep.fit)}`,
      verdict: verdictOf(etaSweep.fit !== null && reachedAll(etaSweep), close(etaSweep.fit, -1, 0.15)),
    },
    {
      claim: 'The head’s peak grows as √(η_E/η)',
      expected: 'peak |E_kj*| = Θ(√(η_E/η)): slope ½',
      measured: `peak |E_kj*| by η_E/η: ${byX(ratioSweep, 3)}; ${fitText(ratioSweep.fit)}`,
      verdict: verdictOf(ratioSweep.fit !== null && reachedAll(ratioSweep), close(ratioSweep.fit, 0.5, 0.15)),
    },
  ];
  const row = (s: Sweep, what: string, value: (r: TrainedRun) => string) => s.runs.map((r) => [what, String(r.x), String(r.seed), String(r.runId), value(r), String(r.marks.lastStep)]);
  return {
    title: 'Scaling',
    text:
      'T₁ is measured on runs stopped at T₁, recorded every 2 steps (d sweep at η = 0.01; η sweep at d = 64 with η_E = η/10); the peak of the substituting entry E_kj* on runs of the η_E/η presets, ' +
      'stopped 200 steps after T₃ or at 12k steps. Exponents are least-squares slopes in log–log space over all runs, with their standard errors.',
    findings,
    figures: [
      logLogFigure('scaling-d', 'T₁ against d (η = 0.01)', 'The end of phase I against the patch dimension, log–log, with the fitted power law and slope 2 (grey) for reference.', 'd', 'T₁ (steps)', dSweep, 2, 'slope 2'),
      logLogFigure('scaling-eta', 'T₁ against η (d = 64)', 'The end of phase I against the encoder’s learning rate, log–log, with slope −1 (grey) for reference.', 'η', 'T₁ (steps)', etaSweep, -1, 'slope −1'),
      logLogFigure('peak-ratio', 'Peak |E_kj*| against η_E/η', 'The largest value of the substituting head entry against the ratio of the learning rates, log–log, with slope ½ (grey) for reference.', 'η_E / η', 'peak |E_kj*|', ratioSweep, 0.5, 'slope ½'),
    ],
    runs: [
      ['sweep', 'x', 'seed', 'id', 'measured', 'stopped at'],
      ...row(dSweep, 'd', (r) => `T₁ = ${stepText(r.marks.T1)}`),
      ...row(etaSweep, 'η', (r) => `T₁ = ${stepText(r.marks.T1)}`),
      ...row(ratioSweep, 'η_E/η', (r) => (r.marks.headPeak ? `peak ${Math.abs(r.marks.headPeak.value).toFixed(3)} @ ${r.marks.headPeak.step}` : '—')),
    ],
    rerun: [dSweep.runs[0], etaSweep.runs[0], ratioSweep.runs[0]].filter(Boolean).map((r) => rerunCommand(r)),
  };
}
