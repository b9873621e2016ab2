/**
 * The diverging colour scale of the head heat maps: ColorBrewer's RdBu ends (blue below zero, red
 * above, near-white at zero), which stays readable with the common colour-vision deficiencies
 * and keeps the sign visible at a glance. Pure functions; no DOM.
 */

/** The colour of −limit and below. */
export const NEGATIVE_END = '#2166ac';
/** The colour of 0. */
export const ZERO_COLOUR = '#f7f7f7';
/** The colour of +limit and above. */
export const POSITIVE_END = '#b2182b';
/** A cell with no value: neutral grey, so it cannot be read as a small number. */
export const NO_VALUE_COLOUR = '#d1d5db';
/**
 * Where the scale saturates. A head entry of 1 is the identity's diagonal, so the same shade
 * means the same value on every map and E's diagonal reads against I's.
 */
export const DIVERGING_LIMIT = 1;

/**
 * The fill of a cell holding `value`: linear in value from ZERO_COLOUR to either end, clamped
 * at ±limit.
 * @example divergingColour(0) // '#f7f7f7'; divergingColour(-2) // '#2166ac'
 */
export function divergingColour(value: number | null, limit = DIVERGING_LIMIT): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE_COLOUR;
  const t = Math.max(-1, Math.min(1, value / limit));
  const end = rgb(t < 0 ? NEGATIVE_END : POSITIVE_END);
  const zero = rgb(ZERO_COLOUR);
  const a = Math.abs(t);
  return hex(zero.map((z, i) => z + (end[i] - z) * a) as [number, number, number]);
}

/** The text colour that reads best on `background` (#rrggbb): near-black or white, whichever contrasts more (WCAG). */
export function readableInk(background: string): string {
  const l = luminance(rgb(background));
  const whiteContrast = (luminance(rgb(LIGHT_INK)) + 0.05) / (l + 0.05);
  const darkContrast = (l + 0.05) / (luminance(rgb(DARK_INK)) + 0.05);
  return whiteContrast > darkContrast ? LIGHT_INK : DARK_INK;
}

const LIGHT_INK = '#ffffff';
const DARK_INK = '#111827';

function rgb(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hex(channels: [number, number, number]): string {
  return `#${channels.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
