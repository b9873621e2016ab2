import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FigureSpec } from '../../reproduce/figure-spec.js';
import { FIGURE_SIZE } from '../../reproduce/figure-spec.js';
import { AXIS_FONT, axisStyle } from '../shared/chart-theme.js';
import { BAND_ALPHA_CHART, colour, PHASE_COLOURS, withAlpha } from '../shared/palette.js';
import { figureData } from './figure-data.js';

/**
 * The report's figure page: `window.renderFigure(spec)` draws one FigureSpec with uPlot in the
 * dashboard's colours, phase bands included, and resolves once it is on screen;
 * `phasewatch reproduce` screenshots `#figure` for each.
 */
declare global {
  interface Window {
    renderFigure(spec: FigureSpec): Promise<void>;
  }
}

const LABEL_FONT = '600 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const GREY_BAND = '#9ca3af';

let plot: uPlot | null = null;

const colourOf = (c: number | string) => (typeof c === 'number' ? colour(c) : c);
/** Axis numbers: 12k for steps, 1e-4 for tiny values, else up to four significant digits. */
const tick = (v: number) => {
  if (Math.abs(v) >= 1e4) return `${Number((v / 1000).toPrecision(4))}k`;
  if (Math.abs(v) < 1e-3 && v !== 0) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
};

/** Bands behind the lines and labelled marks over them, in plot coordinates. */
function drawOverlay(u: uPlot, spec: FigureSpec, layer: 'bands' | 'marks'): void {
  const { ctx } = u;
  const { top, height, left, width } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  if (layer === 'bands') {
    for (const band of spec.bands ?? []) {
      const x0 = u.valToPos(band.from, 'x', true);
      const x1 = u.valToPos(band.to, 'x', true);
      const phase = PHASE_COLOURS[band.label as keyof typeof PHASE_COLOURS];
      ctx.fillStyle = withAlpha(phase ?? GREY_BAND, BAND_ALPHA_CHART * 1.6);
      ctx.fillRect(x0, top, x1 - x0, height);
      ctx.fillStyle = phase ?? '#4b5563';
      ctx.font = LABEL_FONT.replace('11px', `${11 * devicePixelRatio}px`);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(band.label, x0 + 4 * devicePixelRatio, top + 4 * devicePixelRatio);
    }
  } else {
    for (const mark of spec.marks ?? []) {
      const x = u.valToPos(mark.x, 'x', true);
      ctx.strokeStyle = '#111827';
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = '#111827';
      ctx.font = LABEL_FONT.replace('11px', `${11 * devicePixelRatio}px`);
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(mark.label, x + 3 * devicePixelRatio, top + height - 3 * devicePixelRatio);
    }
  }
  ctx.restore();
}

window.renderFigure = async (spec: FigureSpec) => {
  const root = document.getElementById('figure')!;
  plot?.destroy();
  root.replaceChildren();
  const title = document.createElement('h1');
  title.textContent = spec.title;
  root.append(title);
  const data = figureData(spec);
  plot = new uPlot(
    {
      width: FIGURE_SIZE.width,
      height: FIGURE_SIZE.height,
      legend: { show: true, live: false },
      cursor: { show: false },
      scales: { x: spec.logX ? { time: false, distr: 3, log: 10 } : { time: false }, y: spec.logY ? { distr: 3, log: 10 } : spec.yRange ? { range: [...spec.yRange] as uPlot.Range.MinMax } : {} },
      axes: [
        { ...axisStyle(), label: spec.xLabel, labelFont: AXIS_FONT, values: (_u, splits) => splits.map((v) => (v === null ? '' : tick(v))) },
        { ...axisStyle(), label: spec.yLabel, labelFont: AXIS_FONT, size: 64, values: (_u, splits) => splits.map((v) => (v === null ? '' : tick(v))) },
      ],
      series: [
        { label: spec.xLabel },
        ...spec.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: colourOf(s.color),
            width: s.width ?? (s.points ? 0 : 1.5),
            dash: s.dash ? [...s.dash] : undefined,
            spanGaps: !s.points,
            points: s.points ? { show: true, size: 7, fill: colourOf(s.color), stroke: colourOf(s.color) } : { show: false },
          }),
        ),
      ],
      hooks: { drawClear: [(u) => drawOverlay(u, spec, 'bands')], draw: [(u) => drawOverlay(u, spec, 'marks')] },
    },
    data,
    root,
  );
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  root.dataset.points = String(spec.series.reduce((n, s) => n + s.y.filter((v) => v !== null).length, 0));
};
