import type { FigureSeries } from '../figure-spec.js';
import { durations } from './phases.js';
import { mean, median, rerunCommand, runsOf, seriesOf, spread, stepText, valuesBetween, type Finding, type FindingContext, type Section } from './finding.js';

/** The answer in words: whether every branch that dropped the head at phase III still learned v₂. */
function learnedAfterIII(list: readonly { branch: { marks: { T3: number | null; outcome: string } } }[]): string {
  if (!list.length) return '';
  const learned = list.filter(({ branch }) => branch.marks.T3 !== null).length;
  if (learned === list.length) return 'Yes — once the substitution has turned, the second neuron learns v₂ without the head, and no later than with it: ';
  if (learned === 0) return 'No — without the head from phase III on, the second neuron does not learn v₂: ';
  return `In ${learned} of ${list.length} seeds the second neuron still learns v₂ without the head: `;
}

/** Dropping the head at the start of phase II and of phase III, by branch rules. */
export function branchSection(ctx: FindingContext): Section {
  const families = ctx.plan.families;
  const branchesOn = (rule: string) => families.flatMap((f) => f.branches.filter((b) => b.rule === rule).map((b) => ({ family: f, branch: b })));
  const atII = branchesOn('phase:II');
  const atIII = branchesOn('phase:III');
  const outcomes = (list: typeof atII) => {
    const counts = new Map<string, number>();
    for (const { branch } of list) counts.set(branch.marks.outcome, (counts.get(branch.marks.outcome) ?? 0) + 1);
    return [...counts].map(([o, n]) => `${n}× ${o}`).join(', ') || 'no branch';
  };
  const collapsedII = atII.filter(({ branch }) => branch.marks.outcome === 'dimensional-collapse').length;
  const findings: Finding[] = [
    {
      claim: 'Dropping the head when phase II begins collapses the second neuron onto v₁',
      expected: 'the notes: without the head every neuron learns v₁ (dimensional collapse); phase II is where the head starts to matter',
      measured: `forks at step ${spread(atII.map(({ branch }) => branch.forkStep))}: ${outcomes(atII)}`,
      verdict: atII.length === 0 ? 'not reached' : collapsedII === atII.length ? 'holds' : 'does not hold',
    },
    {
      claim: 'Does the second neuron still learn v₂ if the head is dropped when phase III begins?',
      expected: 'not said in the paper or the notes',
      measured: `${learnedAfterIII(atIII)}forks at step ${spread(atIII.map(({ branch }) => branch.forkStep))}: ${outcomes(atIII)}; v₂ learned (T₃) at ${spread(atIII.map(({ branch }) => branch.marks.T3))} against ${spread(atIII.map(({ family }) => family.parent.marks.T3))} in the parents`,
      verdict: atIII.length === 0 ? 'not reached' : 'answered',
    },
  ];
  const family = families[0];
  const k = family?.parent.marks.other ?? 2;
  const series: FigureSeries[] = family
    ? [
        { label: `parent: |cos(w${k}, v1)|`, ...seriesOf(ctx, family.parent.runId, `cos_${k}_1`, Math.abs), color: 0, width: 2 },
        { label: `parent: |cos(w${k}, v2)|`, ...seriesOf(ctx, family.parent.runId, `cos_${k}_2`, Math.abs), color: 0, dash: [6, 4], width: 2 },
        ...family.branches.flatMap((b, i): FigureSeries[] => [
          { label: `head dropped at ${b.rule.replace('phase:', '')}: |cos(w${k}, v1)|`, ...seriesOf(ctx, b.runId, `cos_${k}_1`, Math.abs), color: i + 1 },
          { label: `head dropped at ${b.rule.replace('phase:', '')}: |cos(w${k}, v2)|`, ...seriesOf(ctx, b.runId, `cos_${k}_2`, Math.abs), color: i + 1, dash: [6, 4] },
        ]),
      ]
    : [];
  return {
    title: 'Branching: dropping the head mid-run',
    text: 'Default runs with two branch rules (`--branch-on phase:II --set head.mode=none --branch-on phase:III --set head.mode=none`): each branch continues its parent’s exact state from the step the live detector marked, without the head.',
    findings,
    figures: family
      ? [
          {
            name: 'branches',
            title: `Dropping the head at the start of phase II and of phase III (seed ${family.seed})`,
            caption: `The alignment of neuron ${k} with v₁ (solid) and v₂ (dashed) in the parent and in its two branches; the dotted lines are the fork steps.`,
            xLabel: 'step',
            yLabel: `|cos(w${k}, v)|`,
            series,
            marks: family.branches.map((b) => ({ x: b.forkStep, label: `drop at ${b.rule.replace('phase:', '')}` })),
          },
        ]
      : [],
    runs: [
      ['seed', 'parent', 'parent outcome', 'rule', 'branch', 'fork step', 'branch outcome', 'branch T₃', 'branch collapse'],
      ...families.flatMap((f) => f.branches.map((b) => [String(f.seed), String(f.parent.runId), f.parent.marks.outcome, b.rule, String(b.runId), String(b.forkStep), b.marks.outcome, stepText(b.marks.T3), stepText(b.marks.collapse)])),
    ],
    rerun: ['phasewatch run --branch-on phase:II --set head.mode=none --branch-on phase:III --set head.mode=none'],
  };
}

/** Question 1 in words: is phase I the longest at d = 64, and how long is it in the figure's setting? */
function phaseOneLead(sgd: { I: number; II: number } | null, m64: { marks: { T1: number | null; lastStep: number } } | undefined): string {
  if (!sgd) return '';
  const longest = sgd.I >= sgd.II;
  const figure = m64?.marks.T1 != null ? ` In the paper’s setting (m = 64, Adam) phase I is over within ${m64.marks.T1} of ${m64.marks.lastStep} steps.` : '';
  return (
    `${longest ? 'Phase I is the longest phase here, but' : 'At d = 64 phase I is not the longest phase — phase II is — and'} the head does not move during it, so a plot of E shows only a flat start.` +
    `${figure} T₁ itself grows about as d² (section 3), so the theory's ordering may hold at large d; how phase II scales with d is not measured here. `
  );
}

/** Question 2 in words: does E return to I for every view split tried? */
function viewsLead(views: readonly { x?: number; marks: { T4: number | null } }[]): string {
  if (!views.length) return '';
  const odd = views.filter((r) => r.x !== 8);
  const back = odd.filter((r) => r.marks.T4 !== null).length;
  const smallest = Math.min(...odd.map((r) => r.x!));
  if (back === odd.length) return `Yes, here: even with view 1 keeping ${smallest} of 16 patches against 14, E returns to I (T₄ reached) in every seed. `;
  return `Not always: with views of different law, E returned to I in ${back} of ${odd.length} runs. `;
}

/** The two open questions the notes end with. */
export function questionsSection(ctx: FindingContext): Section {
  const sgd = runsOf(ctx, 'phases', 'default');
  const adam = runsOf(ctx, 'adam');
  const m64 = runsOf(ctx, 'paper-64', 'Adam')[0];
  const share = (list: typeof sgd) => {
    const d = list.map((r) => durations(r.marks)).filter((x) => x !== null);
    if (!d.length) return null;
    const total = d.map((x) => x.I + x.II + x.III + x.IV);
    return { I: mean(d.map((x, i) => x.I / total[i])), II: mean(d.map((x, i) => x.II / total[i])), III: mean(d.map((x, i) => x.III / total[i])), IV: mean(d.map((x, i) => x.IV / total[i])) };
  };
  const pct = (s: ReturnType<typeof share>) => (s ? `I ${(100 * s.I).toFixed(0)}%, II ${(100 * s.II).toFixed(0)}%, III ${(100 * s.III).toFixed(0)}%, IV ${(100 * s.IV).toFixed(0)}%` : 'no run completed the four phases');
  const flatHead = sgd.filter((r) => r.marks.T1 !== null).map((r) => Math.max(0, ...valuesBetween(ctx, r.runId, `E_${r.marks.other}_${r.marks.learner}`, 0, r.marks.T1!).map(Math.abs)));
  const dRuns = runsOf(ctx, 'scaling-d');
  const largestD = Math.max(0, ...dRuns.map((r) => r.x ?? 0));

  const views = runsOf(ctx, 'views');
  const sizes = [...new Set(views.map((r) => r.x!))].sort((a, b) => b - a);
  const endDistance = (runId: number, last: number) => median(valuesBetween(ctx, runId, 'E_dist_I', Math.max(0, last - 1000), Infinity));
  const viewText = sizes
    .map((size) => {
      const runs = views.filter((r) => r.x === size);
      const reached = runs.filter((r) => r.marks.T4 !== null).length;
      return `view 1 keeps ${size} of 16: ‖E − I‖_F ends at ${spread(runs.map((r) => endDistance(r.runId, r.marks.lastStep)), 3)}, T₄ reached in ${reached}/${runs.length} (outcomes: ${runs.map((r) => r.marks.outcome).join(', ')})`;
    })
    .join('; ');
  const findings: Finding[] = [
    {
      claim: 'Open question 1: phase I is the longest, yet the paper’s figure does not show it — why?',
      expected: 'the notes: T₁ = d^{2+o(1)}/η is the longest phase, but E does not learn during it',
      measured:
        `${phaseOneLead(share(sgd), m64)}share of the time to T₄ — SGD (d = 64): ${pct(share(sgd))}; Adam: ${pct(share(adam))}; max |E_kj*| during phase I: ${spread(flatHead, 4)}. ` +
        `${largestD ? `At d = ${largestD}, T₁ = ${spread(dRuns.filter((r) => r.x === largestD).map((r) => r.marks.T1))} steps` : ''}`,
      verdict: 'answered',
    },
    {
      claim: 'Open question 2: does the head return to the identity when the two views are not identically distributed?',
      expected: 'the notes: E → I relies on x and its augmentation having one law; with views of different law it need not',
      measured: viewText ? `${viewsLead(views)}${viewText}` : 'not run',
      verdict: views.length ? 'answered' : 'not reached',
    },
  ];
  const firstOf = (size: number) => views.find((r) => r.x === size);
  return {
    title: 'The open questions of the notes',
    text:
      'Question 1 is read off the phase durations above. For question 2 the views are made to differ in law: view 1 keeps fewer of the 16 patches than view 2 (`data.viewSize`), so X⁽¹⁾ and X⁽²⁾ carry their features with different probabilities and noise energy; everything else is the default preset.',
    findings,
    figures: sizes.length
      ? [
          {
            name: 'views',
            title: 'The head’s distance from I when the views differ in law (seed 0)',
            caption: '‖E − I‖_F on a log scale for view-1 sizes 8 (the symmetric default), 6, 4 and 2 of 16 patches (view 2 keeps the rest).',
            xLabel: 'step',
            yLabel: '‖E − I‖_F',
            logY: true,
            series: sizes.flatMap((size, i) => {
              const run = firstOf(size);
              return run ? [{ label: `view 1: ${size} patches`, ...seriesOf(ctx, run.runId, 'E_dist_I'), color: i, width: i === 0 ? 2 : 1.5 }] : [];
            }),
          },
        ]
      : [],
    runs: [['view-1 patches', 'seed', 'id', 'outcome', 'T₁', 'T₃', 'T₄', 'end ‖E − I‖'], ...views.map((r) => [String(r.x), String(r.seed), String(r.runId), r.marks.outcome, stepText(r.marks.T1), stepText(r.marks.T3), stepText(r.marks.T4), endDistance(r.runId, r.marks.lastStep).toFixed(4)])],
    rerun: views.length ? [rerunCommand(views.find((r) => r.x !== 8) ?? views[0])] : [],
  };
}
