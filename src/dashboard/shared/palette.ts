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
