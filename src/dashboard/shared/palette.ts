/**
 * Line colours: a dark, print-safe categorical palette that reads on white, then evenly spaced
 * hues for large m (64 neurons cannot all be told apart; there the lines show the spread).
 */
const CATEGORICAL = ['#1f5fbf', '#c2410c', '#15803d', '#b91c1c', '#7c3aed', '#0e7490', '#a16207', '#be185d', '#4b5563', '#65a30d'];

/** The colour of item i (0-based). */
export function colour(i: number): string {
  if (i < CATEGORICAL.length) return CATEGORICAL[i];
  const hue = Math.round((i * 137.508) % 360);
  return `hsl(${hue} 65% 40%)`;
}

/** The colour of the summary lines (‖E − I‖, loss). */
export const INK = '#111827';

/**
 * Phase colours, from the Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies). Yellow is left out: on white it disappears at the band opacity. The same hex
 * values colour the chart bands, the timeline segments, the legend and the badge, so a phase
 * reads the same everywhere.
 */
export const PHASE_COLOURS = {
  I: '#56b4e9', // sky blue
  II: '#e69f00', // orange
  III: '#009e73', // bluish green
  IV: '#cc79a7', // reddish purple
} as const;

/** The band after a dimensional or total collapse: vermillion, hatched so it is not mistaken for a phase. */
export const COLLAPSE_COLOUR = '#d55e00';
/** The `converged` marker (Okabe–Ito blue). */
export const CONVERGED_COLOUR = '#0072b2';
/** The `stalled-II` warning marker: a darker phase-II orange, so it reads as "about phase II". */
export const STALLED_COLOUR = '#8a5a00';
/** Change-point lines: neutral grey and dashed, so they are not taken for a series. */
export const CHANGE_POINT_COLOUR = '#4b5563';

/** Band opacity on the charts: light enough that every line stays readable on top. */
export const BAND_ALPHA_CHART = 0.13;
/** Segment opacity on the timeline: the strip has no lines on it, so it can be stronger. */
export const BAND_ALPHA_STRIP = 0.45;

/** `#rrggbb` with an alpha, as `rgba(…)` (canvas and CSS both take it). */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Line styles of related runs' curves (parent, branches, siblings), in the order they are given
 * out. A related run keeps the colour of each quantity (so w₂·v₂ is still orange) and gets a
 * dash pattern and a lighter stroke: the selected run stays the boldest thing on the chart, and
 * the patterns stay apart from the dashed feature-2 lines ([6, 4]) of the alignment chart.
 */
export const OVERLAY_DASHES: readonly (readonly number[])[] = [
  [2, 3],
  [12, 3, 2, 3],
  [9, 5],
  [2, 3, 2, 3, 10, 3],
  [16, 4],
  [4, 2],
];
/** Opacity of related runs' curves. */
export const OVERLAY_ALPHA = 0.6;
/** The related runs' line samples in legends: a bit stronger than on the charts, where many lines add up. */
export const SWATCH_OPACITY = 0.8;
/** Stroke width of related runs' curves (a little heavier than the selected run's, so the dashes read). */
export const OVERLAY_WIDTH = 1.5;
/** Fork lines on the charts: dark violet, solid, labelled "fork #id". */
export const FORK_COLOUR = '#5b21b6';

/** The dash pattern of related-run style i (cycling past the end of the list). */
export function overlayDash(style: number): readonly number[] {
  return OVERLAY_DASHES[((style % OVERLAY_DASHES.length) + OVERLAY_DASHES.length) % OVERLAY_DASHES.length];
}
