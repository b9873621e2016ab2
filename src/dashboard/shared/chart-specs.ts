import { colour, INK } from './palette.js';
import type { RunSeries } from './run-series.js';

/** One line of a chart: which column, how it is drawn, and whether it is shown as |value|. */
export interface SeriesDef {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  readonly width?: number;
  readonly dash?: readonly number[];
  readonly abs?: boolean;
}

/** The charts every run view has, in display order (the plug-in charts follow them). */
export const CHART_KEYS = ['cosines', 'head', 'norms', 'loss', 'subshare'] as const;
export type FixedChartKey = (typeof CHART_KEYS)[number];

/** The key of the closed-form predictors chart (shown when the run records `predictors.*`). */
export const PREDICTORS_CHART = 'predictors';

/**
 * A chart's key, as the URL's `log=` names it: a fixed chart, the predictors chart, or the chart
 * of one metric plug-in (`plugin:headAsym`), which exists only once the run records its series.
 */
export type ChartKey = FixedChartKey | typeof PREDICTORS_CHART | `plugin:${string}`;

/** Charts drawn with a log y axis when the URL says nothing. */
export const DEFAULT_LOG: readonly ChartKey[] = ['loss'];

/** A plug-in's name as the server allows it (defineMetric): a letter, then letters, digits, `_` or `-`. */
const PLUGIN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The key of the chart of plug-in `name`. */
export function pluginChartKey(name: string): ChartKey {
  return `plugin:${name}`;
}

/**
 * A chart key read from outside (the URL), or null for text that cannot name a chart. A
 * well-formed plug-in key is accepted although no run may have that chart yet: its series may
 * arrive later, or the next run selected has it.
 */
export function parseChartKey(text: string): ChartKey | null {
  if ((CHART_KEYS as readonly string[]).includes(text) || text === PREDICTORS_CHART) return text as ChartKey;
  const match = /^plugin:(.+)$/.exec(text);
  return match && PLUGIN_NAME.test(match[1]) ? pluginChartKey(match[1]) : null;
}

/** The `data-testid` suffix of a chart (`chart-plugin-headAsym`): its key without the colon. */
export function chartTestId(key: string): string {
  return key.replace(/:/g, '-');
}

export interface ChartSpec {
  readonly key: ChartKey;
  readonly title: string;
  /** A short line under the title: what is shown and why (e.g. which neurons were picked). */
  readonly note: string;
  readonly series: readonly SeriesDef[];
}

/** Head entries are recorded one by one only up to this m (the server's FULL_HEAD_UP_TO). */
export const FULL_HEAD_UP_TO = 4;
/** For m above this, the alignment chart shows only the best neurons per feature. */
const ALL_NEURONS_UP_TO = 2;
const TOP_PER_FEATURE = 2;
/** A neuron already shown keeps its place unless another beats it by this much (no flicker). */
const HYSTERESIS = 0.02;

/**
 * The number of neurons m: counted from the `cos_j_1` columns when data is there, else the config's.
 */
export function neuronCount(series: RunSeries | undefined, configM: number | null): number {
  let m = 0;
  if (series) {
    for (const name of series.names()) {
      const match = /^cos_(\d+)_1$/.exec(name);
      if (match) m = Math.max(m, Number(match[1]));
    }
  }
  return m || configM || 0;
}

/**
 * The neurons shown on the alignment chart for feature l: all of them for m ≤ 2, else the
 * TOP_PER_FEATURE neurons with the largest |cos| at the latest step.
 */
export function pickNeurons(series: RunSeries | undefined, m: number, l: 1 | 2, previous: readonly number[] = []): number[] {
  const all = Array.from({ length: m }, (_, i) => i + 1);
  if (m <= ALL_NEURONS_UP_TO) return all;
  const scored = all.map((j) => {
    const v = series?.latest(`cos_${j}_${l}`);
    const score = v === null || v === undefined ? -1 : Math.abs(v) + (previous.includes(j) ? HYSTERESIS : 0);
    return { j, score };
  });
  scored.sort((a, b) => b.score - a.score || a.j - b.j);
  return scored
    .slice(0, TOP_PER_FEATURE)
    .map((s) => s.j)
    .sort((a, b) => a - b);
}

/** Feature 1 solid, feature 2 dashed; the neuron sets the colour. */
const FEATURE_DASH: Record<1 | 2, readonly number[] | undefined> = { 1: undefined, 2: [6, 4] };

/**
 * The five chart specs of a run with m neurons.
 * @param picks the neurons per feature for the alignment chart (from pickNeurons)
 */
export function chartSpecs(m: number, picks: { 1: readonly number[]; 2: readonly number[] }, hasHeadEntries: boolean): ChartSpec[] {
  const neurons = Array.from({ length: m }, (_, i) => i + 1);

  const cosines: SeriesDef[] = [];
  for (const l of [1, 2] as const) {
    for (const j of picks[l]) {
      cosines.push({ key: `cos_${j}_${l}`, label: `|cos(w${j}, v${l})|`, color: colour(j - 1), dash: FEATURE_DASH[l], abs: true });
    }
  }
  const cosineNote =
    m <= ALL_NEURONS_UP_TO
      ? 'every neuron j against feature ℓ (solid v1, dashed v2)'
      : `the ${TOP_PER_FEATURE} neurons with the largest |cos| per feature at the latest step (of m = ${m})`;

  const head: SeriesDef[] = [];
  if (m <= FULL_HEAD_UP_TO && hasHeadEntries) {
    let i = 0;
    for (const j of neurons) {
      for (const r of neurons) if (j !== r) head.push({ key: `E_${j}_${r}`, label: `E${j}${r}`, color: colour(i++) });
    }
  } else {
    head.push({ key: 'E_offdiag_max', label: 'max |E_jr|, j≠r', color: colour(0) });
  }
  head.push({ key: 'E_dist_I', label: '‖E − I‖F', color: INK, width: 2 });

  return [
    { key: 'cosines', title: 'Alignment |cos(wⱼ, vₗ)|', note: cosineNote, series: cosines },
    {
      key: 'head',
      title: 'Prediction head E',
      note: m <= FULL_HEAD_UP_TO ? 'off-diagonal entries and distance to the identity' : 'largest off-diagonal entry and distance to the identity',
      series: head,
    },
    {
      key: 'norms',
      title: 'Neuron norms ‖wⱼ‖',
      note: `all ${m} neurons`,
      series: neurons.map((j) => ({ key: `wnorm_${j}`, label: `‖w${j}‖`, color: colour(j - 1) })),
    },
    { key: 'loss', title: 'Loss', note: 'symmetric loss after BatchNorm', series: [{ key: 'loss', label: 'loss', color: INK, width: 1.5 }] },
    {
      key: 'subshare',
      title: 'Substitution share',
      note: 'Var(Σ_r≠j E_jr·f_r) / Var(f_j): how much of F_j the head supplies from other neurons',
      series: neurons.map((j) => ({ key: `subshare_${j}`, label: `F${j}`, color: colour(j - 1) })),
    },
  ];
}

/** A stable signature of a spec's lines, to tell whether a chart must be rebuilt. */
export function seriesSignature(series: readonly SeriesDef[]): string {
  return series.map((s) => `${s.key}:${s.label}:${s.color}:${s.width ?? ''}:${s.dash?.join('.') ?? ''}:${s.abs ? 'a' : ''}`).join('|');
}
