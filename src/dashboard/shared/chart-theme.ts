/**
 * How uPlot axes look, on the dashboard's charts and on the report's figures alike (the
 * figures are drawn from the dashboard's own chart style).
 */
export const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const AXIS_STROKE = '#374151';
export const GRID_STROKE = '#e5e7eb';

/** The common part of a uPlot axis: strokes, font, grid and ticks (fresh each call: uPlot may keep and change it). */
export function axisStyle() {
  return { stroke: AXIS_STROKE, font: AXIS_FONT, grid: { stroke: GRID_STROKE, width: 1 }, ticks: { stroke: GRID_STROKE, width: 1 } };
}
