import type { RunConfigInput } from './schema.js';

/** A named starting point: a partial config applied over the SPEC §5 defaults. */
export interface Preset {
  readonly description: string;
  /** What SPEC §4 says this variant must show; printed by `phasewatch validate`. */
  readonly expected: string;
  readonly config: RunConfigInput;
}

/**
 * The shipped presets: the defaults, Adam, the paper's 64-neuron experiment, and one per
 * ablation row of SPEC §4 (the η_E/η sweep has one preset per ratio).
 */
export const PRESETS = {
  default: {
    description: 'SPEC §5 defaults: d 64, P 16, m 2, SGD η 0.01, η_E 0.001, head offdiag, BN, stop-grad on the target',
    expected: 'all four phases complete within 30k steps in most seeds',
    config: {},
  },
  adam: {
    description: 'Adam with lr 0.003 for W and E, 12k steps',
    expected: 'E_21 rises to ≈ 0.7–0.85 then falls to ≈ 0 as w_2 learns v_2; phases within ≈ 4k steps; ‖W‖ keeps growing',
    config: { steps: 12_000, optim: { kind: 'adam', lrW: 0.003, lrE: 0.003 } },
  },
  'paper-64': {
    description: "the paper's experiment: m = 64 with a 64×64 head under Adam (lr 0.003), 12k steps, metrics every 20",
    expected: 'the off-diagonal mass of E rises then falls',
    config: { steps: 12_000, model: { m: 64 }, optim: { kind: 'adam', lrW: 0.003, lrE: 0.003 }, log: { metricsEvery: 20 } },
  },
  'head-none': {
    description: 'no prediction head (E ≡ I)',
    expected: 'both neurons learn v_1: dimensional collapse within ≈ 2.5–5k steps',
    config: { head: { mode: 'none' } },
  },
  'head-full': {
    description: 'every entry of E trains, the diagonal included',
    expected: 'about the same as offdiag (the row scale of E is a symmetry under BN)',
    config: { head: { mode: 'full' } },
  },
  'eta-ratio-0.01': {
    description: 'η_E/η = 0.01 (η_E = 0.0001)',
    expected: 'E_21 stays tiny; collapse onto v_1',
    config: { optim: { lrE: 0.0001 } },
  },
  'eta-ratio-0.03': {
    description: 'η_E/η = 0.03 (η_E = 0.0003), a point of the peak-|E_21| sweep',
    expected: 'peak |E_21| between those of ratios 0.01 and 0.1',
    config: { optim: { lrE: 0.0003 } },
  },
  'eta-ratio-0.3': {
    description: 'η_E/η = 0.3 (η_E = 0.003), a point of the peak-|E_21| sweep',
    expected: 'peak |E_21| between those of ratios 0.1 and 1',
    config: { optim: { lrE: 0.003 } },
  },
  'eta-ratio-1': {
    description: 'η_E/η = 1 (η_E = 0.01)',
    expected: 'E_21 large; neuron 2 shrinks and stalls (no v_2 for ≥ 12k steps)',
    config: { optim: { lrE: 0.01 } },
  },
  'no-bn': {
    description: 'no BatchNorm: plain MSE with stop-grad',
    expected: 'total collapse: Var(F) → 0, ‖W‖ shrinks, loss → 0',
    config: { norm: { mode: 'off' } },
  },
  'l2-norm': {
    description: 'per-sample ℓ2 normalisation instead of BatchNorm',
    expected: 'v_1 learned, E ≈ I, no phase III',
    config: { norm: { mode: 'l2' } },
  },
  'stopgrad-online': {
    description: 'stop-gradient on the online branch F instead of the target',
    expected: 'collapse onto v_1',
    config: { stopGrad: { mode: 'online' } },
  },
  'stopgrad-none': {
    description: 'no stop-gradient',
    expected: 'collapse onto v_1',
    config: { stopGrad: { mode: 'none' } },
  },
  'weight-norm': {
    description: 'every neuron renormalised to unit norm after each step',
    expected: 'collapse: phase II needs norm to move from neuron 2 to neuron 1',
    config: { model: { weightNorm: 'unit' } },
  },
  'random-init': {
    description: 'w_j ~ N(0, I/d) instead of the controlled overlaps',
    expected: 'outcome depends on the race: stall, direct v_2, late collapse or collapse',
    config: { init: { mode: 'random' } },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
