import type { PresetName } from '../config/presets.js';
import type { StopAfter } from '../validate/worker-protocol.js';

/** The experiments of `phasewatch reproduce`, each answering rows of the report. */
export type ExperimentId = 'phases' | 'ablations' | 'adam' | 'scaling-d' | 'scaling-eta' | 'peak-ratio' | 'paper-64' | 'views';

/** One run of an experiment, trained by the worker pool. */
export interface PlannedRun {
  readonly experiment: ExperimentId;
  /** What tells it apart within its experiment: a validation row id, `d = 32`, `η = 0.02`… */
  readonly label: string;
  /** The swept parameter (d, η, η_E/η, view size), where there is one. */
  readonly x?: number;
  readonly preset: PresetName;
  readonly sets: readonly string[];
  readonly seed: number;
  /** A SPEC §4 validation row whose `settled` test may stop the run early. */
  readonly settleRow?: string;
  readonly stopAfter?: StopAfter;
}

/** The branch experiment: default runs that drop the head when phase II and when phase III begin. */
export interface BranchPlan {
  readonly seeds: readonly number[];
  readonly sets: readonly string[];
  readonly rules: readonly { readonly on: string; readonly sets: readonly string[] }[];
}

export interface ReproducePlan {
  readonly quick: boolean;
  readonly runs: readonly PlannedRun[];
  readonly branch: BranchPlan;
  /** Applied to every run (the test's tiny budget), after the experiment's own settings. */
  readonly maxSteps: number | null;
}

export interface PlanOptions {
  readonly quick?: boolean;
  /** Seeds per experiment, overriding the defaults (5 for phases and ablations, 3 for sweeps; 2 and 1 with quick). */
  readonly seeds?: number;
  /** Cap on every run's steps. */
  readonly maxSteps?: number;
}

/** The SPEC §4 rows the ablation table covers (the default row is the phases experiment). */
export const ABLATION_ROWS = ['head-none', 'no-bn', 'l2-norm', 'stopgrad-online', 'stopgrad-none', 'head-full', 'weight-norm'] as const;

/** d for the T₁ ∝ d² fit: a factor 16 in full, a factor 4 in quick (T₁ at d = 256 is ≈ 10k steps). */
const D_VALUES = { full: [16, 32, 64, 128, 256], quick: [16, 24, 32, 48, 64] };
/** η for the T₁ ∝ 1/η fit (η_E = η/10 throughout, the default ratio). */
const ETA_VALUES = [0.0025, 0.005, 0.01, 0.02, 0.04];
/** η_E/η for the peak-|E_kj*| ∝ √(η_E/η) fit, as presets. */
const RATIO_PRESETS: readonly [number, PresetName][] = [
  [0.01, 'eta-ratio-0.01'],
  [0.03, 'eta-ratio-0.03'],
  [0.1, 'default'],
  [0.3, 'eta-ratio-0.3'],
  [1, 'eta-ratio-1'],
];
/** View-1 sizes out of P = 16 patches: 8 is the symmetric default, the others make the views differ in law (2 against 14 the most). */
const VIEW_SIZES = [8, 6, 4, 2];

/** Sweeps need only the core series, densely: the plug-ins are switched off and every second step recorded. */
const SWEEP_SETS = ['log.metricsEvery=2', 'metrics.predictors=false', 'metrics.rank=false', 'metrics.gradients=false'];
/** m = 64 as the paper-64 preset has it (batch 1024, ≈ 24 steps/s on a CPU core), checkpointed sparsely. */
const M64_SETS = ['log.checkpointEvery=4000'];

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * What `reproduce` trains: full (about 100 runs, 5 seeds where the report gives a spread) or
 * quick (one or two seeds, shorter m = 64 runs), optionally capped for tests.
 */
export function reproducePlan(options: PlanOptions = {}): ReproducePlan {
  const quick = options.quick ?? false;
  const many = range(options.seeds ?? (quick ? 2 : 5));
  const few = range(options.seeds ?? (quick ? 1 : 3));
  const runs: PlannedRun[] = [];
  const add = (experiment: ExperimentId, seeds: readonly number[], run: Omit<PlannedRun, 'experiment' | 'seed'>) =>
    seeds.forEach((seed) => runs.push({ experiment, seed, ...run }));

  add('phases', many, { label: 'default', preset: 'default', sets: [], settleRow: 'default' });
  for (const row of ABLATION_ROWS) add('ablations', quick ? few : many, { label: row, preset: row, sets: [], settleRow: row });
  add('adam', quick ? few : many, { label: 'adam', preset: 'adam', sets: [], settleRow: 'adam' });
  for (const d of quick ? D_VALUES.quick : D_VALUES.full) {
    add('scaling-d', few, { label: `d = ${d}`, x: d, preset: 'default', sets: [`data.d=${d}`, 'steps=40000', ...SWEEP_SETS], stopAfter: { mark: 'T1', steps: 0 } });
  }
  for (const eta of ETA_VALUES) {
    add('scaling-eta', few, { label: `η = ${eta}`, x: eta, preset: 'default', sets: [`optim.lrW=${eta}`, `optim.lrE=${eta / 10}`, 'steps=20000', ...SWEEP_SETS], stopAfter: { mark: 'T1', steps: 0 } });
  }
  for (const [ratio, preset] of RATIO_PRESETS) {
    // The peak comes before phase III ends; a stalled or collapsing run is watched for 12k steps.
    add('peak-ratio', few, { label: `η_E/η = ${ratio}`, x: ratio, preset, sets: ['steps=12000', 'log.metricsEvery=10'], stopAfter: { mark: 'T3', steps: 200 } });
  }
  const m64Steps = quick ? 1500 : 12_000;
  add('paper-64', [0], { label: 'Adam', preset: 'paper-64', sets: [...M64_SETS, `steps=${m64Steps}`] });
  add('paper-64', [0], { label: 'SGD', preset: 'paper-64', sets: [...M64_SETS, `steps=${m64Steps}`, 'optim.kind=sgd', 'optim.lrW=0.01', 'optim.lrE=0.001'] });
  for (const size of VIEW_SIZES) {
    add('views', few, { label: `view 1 keeps ${size} of 16`, x: size, preset: 'default', sets: [`data.viewSize=${size}`, 'steps=20000'], stopAfter: { mark: 'T4', steps: 1000 } });
  }
  return {
    quick,
    runs,
    branch: { seeds: few, sets: [quick ? 'steps=7000' : 'steps=8000'], rules: [{ on: 'phase:II', sets: ['head.mode=none'] }, { on: 'phase:III', sets: ['head.mode=none'] }] },
    maxSteps: options.maxSteps ?? null,
  };
}
