/**
 * A figure of the reproduction report, as data: the report's PNGs are these specs drawn by the
 * dashboard's figure page (src/dashboard/figure) in headless Chromium.
 */
export interface FigureSeries {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
  /** A palette index (the dashboard's line colours) or a CSS colour. */
  readonly color: number | string;
  readonly dash?: readonly number[];
  /** Draw points (measurements) instead of a line. */
  readonly points?: boolean;
  readonly width?: number;
}

export interface FigureBand {
  readonly from: number;
  readonly to: number;
  /** A phase (I–IV, coloured as on the dashboard) or any label (grey). */
  readonly label: string;
}

export interface FigureMark {
  readonly x: number;
  readonly label: string;
}

export interface FigureSpec {
  /** File name under `figures/`, without the extension. */
  readonly name: string;
  readonly title: string;
  /** One or two sentences under the figure in the report: what is drawn and what to see. */
  readonly caption: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** A fixed y range (lines beyond it are clipped); default: fitted to the data. */
  readonly yRange?: readonly [number, number];
  /** The first is drawn in palette colour 0 in every figure (the report's test looks for its pixels). */
  readonly series: readonly FigureSeries[];
  readonly bands?: readonly FigureBand[];
  readonly marks?: readonly FigureMark[];
}

/** Pixel size of every figure (the page renders at device scale 2 for print quality). */
export const FIGURE_SIZE = { width: 760, height: 340 } as const;

/** At most this many points per series are drawn (min/max pairs keep the extremes). */
export const MAX_FIGURE_POINTS = 1500;

/**
 * Thins a series to at most {@link MAX_FIGURE_POINTS} points, keeping each bucket's minimum
 * and maximum so that spikes survive.
 */
export function thinSeries(x: readonly number[], y: readonly (number | null)[]): { x: number[]; y: (number | null)[] } {
  if (x.length <= MAX_FIGURE_POINTS) return { x: [...x], y: [...y] };
  const buckets = Math.floor(MAX_FIGURE_POINTS / 2);
  const size = x.length / buckets;
  const out = { x: [] as number[], y: [] as (number | null)[] };
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(x.length, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const v = y[i];
      if (v === null || !Number.isFinite(v)) continue;
      if (lo < 0 || v < y[lo]!) lo = i;
      if (hi < 0 || v > y[hi]!) hi = i;
    }
    for (const i of lo < 0 ? [] : lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) {
      out.x.push(x[i]);
      out.y.push(y[i]);
    }
  }
  return out;
}
