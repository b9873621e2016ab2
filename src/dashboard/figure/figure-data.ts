import type uPlot from 'uplot';
import type { FigureSpec } from '../../reproduce/figure-spec.js';

/**
 * A figure's series on one shared, sorted x axis, as uPlot wants them: each series holds its
 * values at its own x and null elsewhere (points on a log scale must be positive: others are
 * left out).
 */
export function figureData(spec: FigureSpec): uPlot.AlignedData {
  const keep = (x: number, y: number | null) => (!spec.logX || x > 0) && (y === null || !spec.logY || y > 0);
  const xs = [...new Set(spec.series.flatMap((s) => s.x.filter((x, i) => keep(x, s.y[i]))))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = spec.series.map((s) => {
    const column = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (keep(x, y) && y !== null && Number.isFinite(y)) column[index.get(x)!] = y;
    });
    return column;
  });
  return [xs, ...columns] as uPlot.AlignedData;
}
