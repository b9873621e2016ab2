import type { ReactiveController, ReactiveControllerHost } from 'lit';
import uPlot from 'uplot';
import type { Columns } from '../../server/decimate.js';
import { seriesSignature, type SeriesDef } from '../shared/chart-specs.js';
import { axisStyle } from '../shared/chart-theme.js';
import { formatInt, formatStep, formatValue } from '../shared/format.js';
import { FORK_COLOUR, OVERLAY_ALPHA, OVERLAY_WIDTH } from '../shared/palette.js';
import { alignColumns, type Aligned, type ForkLine, type OverlayCurves } from '../shared/overlay-series.js';
import { EMPTY_OVERLAY, type ChartOverlay } from '../shared/phase-timeline.js';
import type { ChartSource } from '../shared/run-series.js';
import { LocalData, overlayColumns } from './local-data.js';

/** A step range the user zoomed into (inclusive). */
export interface StepRange {
  readonly from: number;
  readonly to: number;
}

/** How the plot looks; a change rebuilds the uPlot instance (rare: a toggle, a new series). */
export interface PlotConfig {
  readonly series: readonly SeriesDef[];
  readonly log: boolean;
  /** Charts with the same key move their cursors together (uPlot's cursor.sync). */
  readonly syncKey: string;
  readonly height: number;
}

/** Drags narrower than this (CSS px) are clicks, not zooms. */
const MIN_ZOOM_PX = 4;
/** Above this many lines the legend is hidden (64 neurons make a legend taller than the plot). */
const MAX_LEGEND_SERIES = 12;
/** Legend rows and cursor points of related runs' series carry this class (hidden: the run legend explains them). */
const OVERLAY_CLASS = 'pw-overlay';
/** The labels of state markers, at a size in canvas pixels. */
const markerFont = (px: number) => `600 ${px}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;

/**
 * Owns one uPlot instance for a host element: creates it in a container, feeds it the host's
 * data through a LocalData copy, resizes it with the container and destroys it when the host
 * leaves the DOM. Data changes are coalesced: `setData` runs at most once per animation frame,
 * however many frames arrive in between.
 *
 * Phase bands, state markers and change points (a ChartOverlay) are drawn by the plot's own
 * hooks in its own coordinates, so they follow zoom and resize and add no DOM: bands in
 * `drawClear` (under the grid and the lines), markers in `draw` (over them).
 *
 * Related runs (a branch's parent, its own branches…; see OverlayCurves) are drawn as extra series
 * in their run's line style, merged with the selected run's columns on the union of their steps
 * (alignColumns); fork lines are drawn with the markers.
 *
 * Publishes the number of points held as the host's `data-points` attribute, the bands and
 * change-point markers drawn (those in the visible step range) as `data-bands` and
 * `data-markers`, the related runs with curves on the plot as `data-overlays` and the fork lines
 * drawn as `data-forks` (browser tests read them).
 *
 * @example
 * class MyChart extends LitElement {
 *   private plot = new UPlotController(this, (range) => this.onZoom(range));
 *   firstUpdated() { this.plot.attach(this.renderRoot.querySelector('.plot')!); }
 * }
 */
export class UPlotController implements ReactiveController {
  private plot: uPlot | null = null;
  private container: HTMLElement | null = null;
  private config: PlotConfig | null = null;
  private signature = '';
  private source: ChartSource | null = null;
  private zoom: StepRange | null = null;
  private readonly local = new LocalData();
  private frame = 0;
  private rebuild = true;
  private zoomDirty = false;
  private size = { width: 0, height: 0 };
  private resizer: ResizeObserver | null = null;
  private overlay: ChartOverlay = EMPTY_OVERLAY;
  private overlayDirty = false;
  private curves: readonly OverlayCurves[] = [];
  private curvesSignature = '';
  /** Per related run, its columns as this chart draws them (rebuilt only when its source, start or the chart's series change). */
  private curveColumns: { source: ChartSource | null; from: number; signature: string; columns: Columns }[] = [];
  private curvesDirty = false;
  /** How many related runs have a value to draw (`data-overlays`). */
  private curvesWithData = 0;
  private aligned: Aligned | null = null;
  private forks: readonly ForkLine[] = [];
  private readonly hatches = new Map<string, CanvasPattern>();

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onZoom: (range: StepRange | null) => void,
  ) {
    host.addController(this);
  }

  /** The number of rows the plot holds now. */
  get points(): number {
    return this.local.rows;
  }

  /** Mounts the plot into `container` (call once the host has rendered it). */
  attach(container: HTMLElement): void {
    this.container = container;
    this.observe();
    this.rebuild = true;
    this.schedule();
  }

  configure(config: PlotConfig): void {
    const signature = `${seriesSignature(config.series)}#${config.log}#${config.syncKey}#${config.height}#${this.curvesSignature}`;
    this.config = config;
    if (signature !== this.signature) {
      this.signature = signature;
      this.rebuild = true;
    }
    this.schedule();
  }

  /** New data (or a new version of the same source) and the zoom range; drawn on the next frame. */
  update(source: ChartSource | null, zoom: StepRange | null): void {
    this.source = source;
    if (zoom?.from !== this.zoom?.from || zoom?.to !== this.zoom?.to) {
      this.zoom = zoom;
      this.zoomDirty = true;
    }
    this.schedule();
  }

  /** The bands and markers to draw; redrawn on the next frame (without new data, a redraw only). */
  setOverlay(overlay: ChartOverlay): void {
    if (overlay === this.overlay) return;
    this.overlay = overlay;
    this.overlayDirty = true;
    this.schedule();
  }

  /**
   * The related runs to draw with the selected one. A new set of runs (or styles) rebuilds the
   * plot (it changes its series); new data for the same runs is a setData on the next frame.
   */
  setCurves(curves: readonly OverlayCurves[]): void {
    if (curves === this.curves) return;
    this.curves = curves;
    const signature = curves.map((c) => `${c.runId}:${c.label}:${c.dash.join('.')}`).join('|');
    if (signature !== this.curvesSignature) {
      this.curvesSignature = signature;
      this.signature = '';
      if (this.config) this.configure(this.config);
    }
    this.curvesDirty = true;
    this.schedule();
  }

  /** The fork lines to draw (a redraw, no new data). */
  setForks(forks: readonly ForkLine[]): void {
    if (forks === this.forks) return;
    this.forks = forks;
    this.overlayDirty = true;
    this.schedule();
  }

  hostConnected(): void {
    if (!this.container) return;
    this.observe();
    this.rebuild = true;
    this.schedule();
  }

  hostDisconnected(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resizer?.disconnect();
    this.resizer = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private observe(): void {
    if (this.resizer || !this.container || typeof ResizeObserver === 'undefined') return;
    this.resizer = new ResizeObserver(() => this.schedule());
    this.resizer.observe(this.container);
  }

  private schedule(): void {
    if (this.frame || !this.host.isConnected) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.flush();
    });
  }

  private flush(): void {
    const config = this.config;
    const container = this.container;
    if (!config || !container || !this.host.isConnected) return;
    const width = Math.max(160, Math.floor(container.clientWidth || 600));
    const height = config.height;
    const localChanged = this.local.sync(this.source, config.series, config.log, width);
    const curvesChanged = this.syncCurves(config);
    if (localChanged || curvesChanged || !this.aligned) {
      this.aligned = alignColumns(this.local.data, this.curveColumns.map((c) => c.columns));
    }
    const changed = localChanged || curvesChanged;
    const data = this.aligned.data as uPlot.AlignedData;
    if (!this.plot || this.rebuild) {
      this.plot?.destroy();
      // Patterns are made for a canvas; the new plot makes its own.
      this.hatches.clear();
      this.plot = new uPlot(this.options(config, width), data, container);
      this.rebuild = false;
      this.zoomDirty = false;
      this.overlayDirty = false;
      this.size = { width, height };
    } else {
      if (width !== this.size.width || height !== this.size.height) {
        this.plot.setSize({ width, height });
        this.size = { width, height };
      }
      if (changed || this.zoomDirty) {
        this.plot.setData(data);
        this.zoomDirty = false;
        this.overlayDirty = false;
      } else if (this.overlayDirty) {
        // Same data, new events: repaint from the cached paths.
        this.plot.redraw(false, false);
        this.overlayDirty = false;
      }
    }
    this.showLatest();
    this.host.setAttribute('data-points', String(this.local.rows));
    this.host.toggleAttribute('data-decimated', this.local.decimated);
    this.host.setAttribute('data-overlays', String(this.curvesWithData));
  }

  /** Brings each related run's columns up to date; returns whether any changed. */
  private syncCurves(config: PlotConfig): boolean {
    const signature = `${seriesSignature(config.series)}#${config.log}`;
    let changed = this.curvesDirty || this.curveColumns.length !== this.curves.length;
    this.curvesDirty = false;
    const next = this.curves.map((curve, i) => {
      const held = this.curveColumns[i];
      if (held && held.source === curve.source && held.from === curve.from && held.signature === signature) return held;
      changed = true;
      const columns = curve.source ? overlayColumns(curve.source, config.series, config.log, curve.from) : [[], ...config.series.map(() => [])];
      return { source: curve.source, from: curve.from, signature, columns };
    });
    this.curveColumns = next;
    if (changed) this.curvesWithData = next.filter((c) => hasValues(c.columns)).length;
    return changed;
  }

  /** With the cursor off the plot, the legend reads out the latest values (a live readout). */
  private showLatest(): void {
    const plot = this.plot;
    const rows = this.local.rows;
    if (!plot || !rows || !this.aligned || (plot.cursor.left ?? -1) >= 0) return;
    // Each series' own last row: with related runs merged in, the table's last row may be theirs.
    plot.setLegend({ idxs: [...this.aligned.last] }, false);
  }

  private xRange(min: number | null, max: number | null): uPlot.Range.MinMax {
    if (this.zoom) return [this.zoom.from, this.zoom.to];
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
    if (min === max) return [min - 1, max + 1];
    return [min, max];
  }

  private options(config: PlotConfig, width: number): uPlot.Options {
    const axis = axisStyle();
    return {
      width,
      height: config.height,
      legend: { show: config.series.length <= MAX_LEGEND_SERIES, live: true },
      cursor: {
        sync: { key: config.syncKey, setSeries: false },
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
      },
      scales: {
        x: { time: false, range: (_u, min, max) => this.xRange(min, max) },
        y: config.log ? { distr: 3, log: 10 } : {},
      },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((v) => (v === null ? '' : formatStep(v))) },
        { ...axis, size: 60, values: (_u, splits) => splits.map((v) => (v === null ? '' : axisValue(v))) },
      ],
      series: [
        { label: 'step', value: (_u, v) => (v === null ? '—' : formatInt(v)) },
        ...config.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 1.25,
            dash: s.dash ? [...s.dash] : undefined,
            spanGaps: true,
            points: { show: false },
            value: (_u, v) => formatValue(v),
          }),
        ),
        // Related runs: the same quantities in the same colours, in their run's dash and lighter.
        ...this.curves.flatMap((curve) =>
          config.series.map(
            (s): uPlot.Series => ({
              label: `${curve.label} · ${s.label}`,
              class: OVERLAY_CLASS,
              stroke: s.color,
              alpha: OVERLAY_ALPHA,
              width: OVERLAY_WIDTH,
              dash: [...curve.dash],
              spanGaps: true,
              points: { show: false },
              value: (_u, v) => formatValue(v),
            }),
          ),
        ),
      ],
      hooks: {
        drawClear: [(u) => this.drawBands(u)],
        draw: [(u) => this.drawMarkers(u)],
        setSelect: [(u) => this.selected(u)],
        ready: [(u) => u.over.addEventListener('dblclick', () => this.onZoom(null))],
        // The cursor left (this plot or a synced one): go back to the latest values.
        setCursor: [
          (u) => {
            if ((u.cursor.left ?? -1) < 0) queueMicrotask(() => this.showLatest());
          },
        ],
      },
    };
  }

  /** Phase bands behind everything: full plot height, clipped to the plot area. */
  private drawBands(u: uPlot): void {
    const { ctx, bbox } = u;
    const left = bbox.left;
    const right = bbox.left + bbox.width;
    let drawn = 0;
    ctx.save();
    for (const band of this.overlay.bands) {
      // An open band (to = ∞) reaches the right edge whatever the zoom.
      const x0 = Math.max(left, u.valToPos(band.from, 'x', true));
      const x1 = Math.min(right, band.to === Number.POSITIVE_INFINITY ? right : u.valToPos(band.to, 'x', true));
      if (!Number.isFinite(x0) || !Number.isFinite(x1) || x1 < left || x0 > right || x1 < x0) continue;
      // A band that has just begun still gets a sliver, so a new phase shows at once.
      const width = Math.max(x1 - x0, uPlot.pxRatio);
      ctx.fillStyle = band.fill;
      ctx.fillRect(x0, bbox.top, width, bbox.height);
      if (band.hatch) {
        ctx.fillStyle = this.hatchPattern(ctx, band.hatch) ?? band.hatch;
        ctx.fillRect(x0, bbox.top, width, bbox.height);
      }
      drawn++;
    }
    ctx.restore();
    this.host.setAttribute('data-bands', String(drawn));
  }

  /** State markers (labelled, solid) and change points (dashed), over the lines. */
  private drawMarkers(u: uPlot): void {
    const { ctx, bbox } = u;
    const left = bbox.left;
    const right = bbox.left + bbox.width;
    const px = uPlot.pxRatio;
    const at = (step: number) => {
      const x = Math.round(u.valToPos(step, 'x', true)) + 0.5;
      return Number.isFinite(x) && x >= left && x <= right ? x : null;
    };
    let markers = 0;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, bbox.top, bbox.width, bbox.height);
    ctx.clip();
    ctx.lineWidth = px;
    ctx.setLineDash([4 * px, 3 * px]);
    for (const line of this.overlay.changes) {
      const x = at(line.step);
      if (x === null) continue;
      strokeVertical(ctx, x, bbox, line.colour);
      markers++;
    }
    ctx.setLineDash([]);
    ctx.lineWidth = 1.5 * px;
    ctx.font = markerFont(11 * px);
    // uPlot leaves the axes' centred alignment on the context.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    for (const line of this.overlay.states) {
      const x = at(line.step);
      if (x === null) continue;
      strokeVertical(ctx, x, bbox, line.colour);
      if (line.label) {
        // On a white backing so the label stays legible over lines and bands; flipped left near the right edge.
        const w = ctx.measureText(line.label).width + 6 * px;
        const lx = x + w + 2 * px > right ? x - w - 2 * px : x + 2 * px;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
        ctx.fillRect(lx, bbox.top + 2 * px, w, 15 * px);
        ctx.fillStyle = line.colour;
        ctx.fillText(line.label, lx + 3 * px, bbox.top + 4 * px);
      }
    }
    let forks = 0;
    ctx.lineWidth = 1.5 * px;
    ctx.textBaseline = 'bottom';
    for (const fork of this.forks) {
      const x = at(fork.step);
      if (x === null) continue;
      strokeVertical(ctx, x, bbox, FORK_COLOUR);
      // At the bottom, so it never covers a state label (those sit at the top).
      const w = ctx.measureText(fork.label).width + 6 * px;
      const lx = x + w + 2 * px > right ? x - w - 2 * px : x + 2 * px;
      ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.fillRect(lx, bbox.top + bbox.height - 17 * px, w, 15 * px);
      ctx.fillStyle = FORK_COLOUR;
      ctx.fillText(fork.label, lx + 3 * px, bbox.top + bbox.height - 4 * px);
      forks++;
    }
    ctx.restore();
    this.host.setAttribute('data-markers', String(markers));
    this.host.setAttribute('data-forks', String(forks));
  }

  /** Diagonal hatching for the collapse band (made once per colour). */
  private hatchPattern(ctx: CanvasRenderingContext2D, colour: string): CanvasPattern | null {
    const made = this.hatches.get(colour);
    if (made) return made;
    const size = Math.round(8 * uPlot.pxRatio);
    const tile = document.createElement('canvas');
    tile.width = size;
    tile.height = size;
    const t = tile.getContext('2d');
    if (!t) return null;
    t.strokeStyle = colour;
    t.lineWidth = uPlot.pxRatio;
    t.beginPath();
    t.moveTo(0, size);
    t.lineTo(size, 0);
    t.stroke();
    const pattern = ctx.createPattern(tile, 'repeat');
    if (pattern) this.hatches.set(colour, pattern);
    return pattern;
  }

  /** A drag on the plot: report the step range and clear the selection (the host decides the zoom). */
  private selected(u: uPlot): void {
    const { left, width } = u.select;
    if (width < MIN_ZOOM_PX) return;
    const from = u.posToVal(left, 'x');
    const to = u.posToVal(left + width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (Number.isFinite(from) && Number.isFinite(to) && to > from) this.onZoom({ from: Math.floor(from), to: Math.ceil(to) });
  }
}

/** Whether any series column (after the steps) holds a value. */
function hasValues(columns: Columns): boolean {
  for (let c = 1; c < columns.length; c++) if (columns[c].some((v) => v !== null)) return true;
  return false;
}

function axisValue(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e5 || abs < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/** A vertical line across the plot area at canvas x. */
function strokeVertical(ctx: CanvasRenderingContext2D, x: number, bbox: { top: number; height: number }, colour: string): void {
  ctx.strokeStyle = colour;
  ctx.beginPath();
  ctx.moveTo(x, bbox.top);
  ctx.lineTo(x, bbox.top + bbox.height);
  ctx.stroke();
}
