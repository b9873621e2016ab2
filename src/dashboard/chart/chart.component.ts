import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { chartTestId, type SeriesDef } from '../shared/chart-specs.js';
import { lineSwatch } from '../shared/icons.js';
import { SWATCH_OPACITY } from '../shared/palette.js';
import type { ForkLine, OverlayCurves } from '../shared/overlay-series.js';
import { EMPTY_OVERLAY, type ChartOverlay } from '../shared/phase-timeline.js';
import type { ChartSource } from '../shared/run-series.js';
import { chartStyles } from './chart.styles.js';
import { UPlotController, type StepRange } from './uplot.controller.js';

/** Fired (bubbling, composed) when the user drags out a step range; detail null = zoom out (double-click). */
export type ZoomEvent = CustomEvent<StepRange | null>;
/** Fired when the log checkbox of a chart changes. */
export type LogToggleEvent = CustomEvent<{ chart: string; log: boolean }>;

/**
 * `<pw-chart>`: a titled uPlot line chart over a run's columns.
 *
 * Give it the series to draw and a ChartSource; bump `version` when the source gained rows.
 * It keeps a decimated local copy (LocalData), redraws at most once per animation frame,
 * follows its container's width, syncs its cursor with every chart of the same `sync-key`,
 * and reports the number of points it holds as the `data-points` attribute. An `overlay`
 * (phase bands, state markers, change points; see chartOverlay) is drawn behind and over the
 * lines, and the counts drawn are reported as `data-bands` and `data-markers`. Related runs
 * (`overlays`: a branch's parent, its branches…) are drawn lighter and dashed in their run's
 * style, with a line-style legend under the plot, and `forks` as labelled vertical lines;
 * `data-overlays` (related runs with values) and `data-forks` (lines in view) count them.
 *
 * @example
 * html`<pw-chart chart-key="loss" heading="Loss" .series=${defs} .source=${runSeries}
 *   .version=${runSeries.version} .overlay=${overlay} sync-key="run-1" log allow-log></pw-chart>`
 * @fires pw-zoom
 * @fires pw-log-toggle
 */
export class ChartElement extends LitElement {
  static override properties = {
    chartKey: { type: String, attribute: 'chart-key' },
    heading: { type: String },
    note: { type: String },
    series: { attribute: false },
    source: { attribute: false },
    version: { type: Number },
    log: { type: Boolean, reflect: true },
    allowLog: { type: Boolean, attribute: 'allow-log' },
    zoom: { attribute: false },
    overlay: { attribute: false },
    overlays: { attribute: false },
    forks: { attribute: false },
    syncKey: { type: String, attribute: 'sync-key' },
    plotHeight: { type: Number, attribute: 'plot-height' },
  };
  static override styles = chartStyles;

  declare chartKey: string;
  declare heading: string;
  declare note: string;
  declare series: readonly SeriesDef[];
  declare source: ChartSource | null;
  declare version: number;
  declare log: boolean;
  declare allowLog: boolean;
  declare zoom: StepRange | null;
  declare overlay: ChartOverlay;
  declare overlays: readonly OverlayCurves[];
  declare forks: readonly ForkLine[];
  declare syncKey: string;
  declare plotHeight: number;

  private readonly plot = new UPlotController(this, (range) =>
    this.dispatchEvent(new CustomEvent<StepRange | null>('pw-zoom', { detail: range, bubbles: true, composed: true })),
  );

  constructor() {
    super();
    this.chartKey = '';
    this.heading = '';
    this.note = '';
    this.series = [];
    this.source = null;
    this.version = 0;
    this.log = false;
    this.allowLog = false;
    this.zoom = null;
    this.overlay = EMPTY_OVERLAY;
    this.overlays = [];
    this.forks = [];
    this.syncKey = 'pw';
    this.plotHeight = 200;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    for (const name of ['data-points', 'data-bands', 'data-markers', 'data-overlays', 'data-forks']) if (!this.hasAttribute(name)) this.setAttribute(name, '0');
  }

  protected override firstUpdated(): void {
    this.plot.attach(this.renderRoot.querySelector<HTMLElement>('.plot')!);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Before configure: a new set of related runs changes the plot's series.
    if (changed.has('overlays')) this.plot.setCurves(this.overlays);
    if (changed.has('forks')) this.plot.setForks(this.forks);
    if (changed.has('series') || changed.has('log') || changed.has('syncKey') || changed.has('plotHeight')) {
      this.plot.configure({ series: this.series, log: this.log, syncKey: this.syncKey, height: this.plotHeight });
    }
    if (changed.has('overlay')) this.plot.setOverlay(this.overlay);
    if (changed.has('source') || changed.has('version') || changed.has('zoom') || changed.has('series') || changed.has('log')) {
      this.plot.update(this.source, this.zoom);
    }
  }

  private toggleLog(event: Event): void {
    const log = (event.target as HTMLInputElement).checked;
    this.dispatchEvent(new CustomEvent('pw-log-toggle', { detail: { chart: this.chartKey, log }, bubbles: true, composed: true }));
  }

  protected override render() {
    return html`
      <header>
        <div class="titles">
          <h3>${this.heading}</h3>
          <span class="note">${this.note}</span>
        </div>
        ${this.allowLog
          ? html`<label class="log" title="logarithmic y axis (values ≤ 0 are hidden)">
              <input type="checkbox" data-testid="log-toggle-${chartTestId(this.chartKey)}" .checked=${this.log} @change=${this.toggleLog} />log
            </label>`
          : nothing}
      </header>
      <div class="frame">
        <div class="plot"></div>
        <div class="empty">waiting for data…</div>
      </div>
      ${this.overlays.length
        ? html`<ul class="runs" aria-label="Runs on this chart" data-testid="chart-runs">
            <li>${lineSwatch(null)}this run</li>
            ${this.overlays.map((c) => html`<li>${lineSwatch(c.dash, SWATCH_OPACITY)}${c.label}</li>`)}
          </ul>`
        : nothing}
    `;
  }
}

if (!customElements.get('pw-chart')) customElements.define('pw-chart', ChartElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-chart': ChartElement;
  }
  interface HTMLElementEventMap {
    'pw-zoom': ZoomEvent;
    'pw-log-toggle': LogToggleEvent;
  }
}
