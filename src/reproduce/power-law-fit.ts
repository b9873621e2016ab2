/** A power law y = c·x^slope fitted by least squares on log y against log x. */
export interface PowerLawFit {
  readonly slope: number;
  /** Standard error of the slope (NaN with fewer than three points). */
  readonly slopeError: number;
  /** c in y = c·x^slope. */
  readonly scale: number;
  /** R² of the fit in log–log space. */
  readonly r2: number;
  readonly points: number;
}

/**
 * Fits y = c·x^slope to positive points by ordinary least squares in log–log space.
 * @throws RangeError with fewer than two points with positive x and y
 * @example fitPowerLaw([1, 2, 4], [3, 12, 48]).slope // 2
 */
export function fitPowerLaw(xs: readonly number[], ys: readonly number[]): PowerLawFit {
  const pairs = xs.map((x, i) => [x, ys[i]] as const).filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y));
  const n = pairs.length;
  if (n < 2) throw new RangeError(`a power-law fit needs at least two positive points, got ${n}`);
  const lx = pairs.map(([x]) => Math.log(x));
  const ly = pairs.map(([, y]) => Math.log(y));
  const mx = lx.reduce((a, b) => a + b, 0) / n;
  const my = ly.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  // Summed directly: syy − slope·sxy cancels to rounding noise on an exact fit.
  const residual = lx.reduce((sum, x, i) => sum + (ly[i] - intercept - slope * x) ** 2, 0);
  return {
    slope,
    slopeError: n > 2 ? Math.sqrt(residual / (n - 2) / sxx) : Number.NaN,
    scale: Math.exp(intercept),
    r2: syy > 0 ? 1 - residual / syy : 1,
    points: n,
  };
}
