/** Number formatting shared by the components (one place, so every view reads the same). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12345 → "12,345"; null → "—". */
export function formatInt(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : integer.format(value);
}

/** A metric value with 4 significant digits, switching to exponent form for tiny or huge values. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** Axis labels for steps: 950, 1.5k, 12k, 1.2M. */
export function formatStep(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 1e3) return `${trim(value / 1e3, 2)}k`;
  return trim(value, 2);
}

function trim(value: number, digits = 1): string {
  return String(Number(value.toFixed(digits)));
}

/** Steps per second, one decimal below 100. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? integer.format(value) : value.toFixed(1);
}

/** A matrix entry in a heat-map cell: two decimals, and no "-0.00" for a tiny negative value. */
export function formatEntry(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
}
