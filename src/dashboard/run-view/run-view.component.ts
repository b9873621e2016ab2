import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { RunSummary } from '../../server/protocol.js';
import '../branch-form/branch-form.js';
import type { BranchHandler } from '../branch-form/branch-form.js';
import '../chart/chart.js';
import type { StepRange } from '../chart/chart.js';
import '../config-diff/config-diff.js';
import '../head-maps/head-maps.js';
import type { Access, RunStatus } from '../connection/connection.js';
import '../controls/controls.js';
import type { ControlsElement } from '../controls/controls.js';
import '../lineage-tree/lineage-tree.js';
import '../phase-timeline/phase-timeline.js';
import { exportUrl, fetchSeries, neuronsOf } from '../shared/api.js';
import { chartSpecs, chartTestId, neuronCount, pickNeurons, seriesSignature, type ChartSpec } from '../shared/chart-specs.js';
import { formatInt, formatRate } from '../shared/format.js';
import { forkLines, hasFamily, relatedRuns, type RelatedRun } from '../shared/lineage.js';
import { isLogChart, type LogCharts } from '../shared/log-charts.js';
import type { ForkLine, OverlayCurves } from '../shared/overlay-series.js';
import { BAND_ALPHA_STRIP, COLLAPSE_COLOUR, overlayDash, PHASE_COLOURS, withAlpha } from '../shared/palette.js';
import type { RunEvents } from '../shared/phase-events.js';
import { pluginChartSpecs } from '../shared/plugin-chart-specs.js';
import { badgeText, buildTimeline, chartOverlay, COLLAPSE_STATES, EMPTY_OVERLAY, type ChartOverlay, type PhaseTimeline } from '../shared/phase-timeline.js';
import { RunSeries } from '../shared/run-series.js';
import { badgeOf, runView } from '../shared/run-state.js';
import { RelatedSeriesController } from './related-series.controller.js';
import { runViewStyles } from './run-view.styles.js';

/** Rows asked for when zooming into a step range (about 2× a wide chart). */
const ZOOM_POINTS = 2000;
/** How often (ms) the alignment chart may switch the neurons it shows for m > 2. */
const REPICK_MS = 1000;

/**
 * `<pw-run-view>`: one run — a header (name, preset, seed, backend, the current phase badge,
 * live step counter, steps/s), the controls, the phase timeline, the five charts (alignment,
 * head, norms, loss, substitution share) over the run's RunSeries, then the charts of its metric
 * plug-ins (the closed-form predictors' distances and one chart per other plug-in, see
 * pluginChartSpecs; each appears when its first value arrives), each with the phase bands and
 * the change points of the series it plots, and the heat maps of E, E*, W_DP and I. Zooming
 * (drag on any chart, or a click on a timeline segment) fetches that step range at higher
 * resolution from `GET /api/runs/:id/series`; the range itself lives in the app (and the URL).
 *
 * When the run has a parent or branches, every chart also draws the related runs (parent,
 * branches, siblings, ancestors: see relatedRuns; fetched by a RelatedSeriesController) lighter
 * and dashed from where their history parts from this run's, with a line at each fork; the
 * family panel (the lineage tree, which is also the legend of those line styles, and the
 * settings changed from the parent) sits above the charts. The branch form opens under the
 * controls.
 * @fires pw-control (from pw-controls)
 * @fires pw-branch-toggle (from pw-controls), pw-branch-close and pw-branched (from pw-branch-form)
 * @fires pw-select (from pw-lineage-tree)
 * @fires pw-zoom (from pw-chart and pw-phase-timeline)
 * @fires pw-log-toggle (from pw-chart)
 */
export class RunViewElement extends LitElement {
  static override properties = {
    runId: { type: Number },
    run: { attribute: false },
    status: { attribute: false },
    series: { attribute: false },
    seriesVersion: { type: Number },
    events: { attribute: false },
    eventsVersion: { type: Number },
    access: { type: String },
    connected: { type: Boolean },
    config: { attribute: false },
    configError: { type: String },
    logCharts: { attribute: false },
    zoom: { attribute: false },
    runs: { attribute: false },
    statuses: { attribute: false },
    revision: { type: Number },
    parentConfig: { attribute: false },
    parentConfigError: { type: String },
    branchOpen: { type: Boolean },
    branchReason: { type: String },
    branchSubmit: { attribute: false },
    zoomData: { state: true },
    zoomNote: { state: true },
  };
  static override styles = runViewStyles;

  declare runId: number;
  declare run: RunSummary | undefined;
  declare status: RunStatus | undefined;
  declare series: RunSeries | undefined;
  declare seriesVersion: number;
  declare events: RunEvents | undefined;
  declare eventsVersion: number;
  declare access: Access | null;
  declare connected: boolean;
  declare config: Record<string, unknown> | null;
  declare configError: string | null;
  declare logCharts: LogCharts;
  declare zoom: StepRange | null;
  /** Every run (for the family: parent, branches, siblings, ancestors). */
  declare runs: readonly RunSummary[];
  declare statuses: ReadonlyMap<number, RunStatus>;
  /** Bump when runs or statuses changed (the statuses map is mutated in place). */
  declare revision: number;
  /** The parent's config, for the settings diff (null: not loaded, or no parent). */
  declare parentConfig: Record<string, unknown> | null;
  declare parentConfigError: string | null;
  declare branchOpen: boolean;
  /** Why branching is not possible now ('' when it is). */
  declare branchReason: string;
  declare branchSubmit: BranchHandler | null;
  declare private zoomData: RunSeries | null;
  declare private zoomNote: string;

  private specs: ChartSpec[] = [];
  private specsSignature = '';
  /** The plug-in charts and what they were derived from (a run's columns only grow between replacements). */
  private pluginSpecs: ChartSpec[] = [];
  private pluginSpecsKey = '';
  private picks: { 1: number[]; 2: number[] } = { 1: [], 2: [] };
  private pickedAt = 0;
  private pickedFor = -1;
  private zoomKey = '';
  private zoomAbort: AbortController | null = null;
  private timeline: PhaseTimeline | null = null;
  private timelineKey = '';
  /** The RunEvents the memo keys were made from (a new object restarts its version count). */
  private timelineEvents: RunEvents | undefined;
  private overlays = new Map<string, ChartOverlay>();
  private overlaysKey = '';
  private plotted: string[] = [];
  private readonly relatedSeries = new RelatedSeriesController(this);
  private related: RelatedRun[] = [];
  private relatedKey = '';
  private curves: OverlayCurves[] = [];
  private curvesKey = '';
  private forks: ForkLine[] = [];
  private relatedNotes = new Map<number, string>();
  private family = false;

  constructor() {
    super();
    this.runId = 0;
    this.run = undefined;
    this.status = undefined;
    this.series = undefined;
    this.seriesVersion = 0;
    this.events = undefined;
    this.eventsVersion = 0;
    this.access = null;
    this.connected = false;
    this.config = null;
    this.configError = null;
    this.logCharts = [];
    this.zoom = null;
    this.runs = [];
    this.statuses = new Map();
    this.revision = 0;
    this.parentConfig = null;
    this.parentConfigError = null;
    this.branchOpen = false;
    this.branchReason = '';
    this.branchSubmit = null;
    this.zoomData = null;
    this.zoomNote = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.zoomAbort?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('runId')) {
      this.picks = { 1: [], 2: [] };
      this.pickedFor = -1;
      this.zoomData = null;
      this.zoomKey = '';
    }
    const m = neuronCount(this.series, neuronsOf(this.config));
    const now = Date.now();
    if (m !== this.pickedFor || now - this.pickedAt >= REPICK_MS || !this.picks[1].length) {
      this.picks = { 1: pickNeurons(this.series, m, 1, this.picks[1]), 2: pickNeurons(this.series, m, 2, this.picks[2]) };
      this.pickedAt = now;
      this.pickedFor = m;
    }
    const hasHeadEntries = !this.series?.rows || this.series.has('E_1_2') || this.series.has('E_2_1');
    const specs = m > 0 ? [...chartSpecs(m, this.picks, hasHeadEntries), ...this.updatePluginSpecs()] : [];
    const signature = specs.map((s) => `${s.key}:${s.note}:${seriesSignature(s.series)}`).join('#');
    if (signature !== this.specsSignature) {
      // Keep the old spec objects when nothing changed, so the charts are not reconfigured.
      this.specs = specs;
      this.specsSignature = signature;
      this.plotted = [...new Set(specs.flatMap((spec) => spec.series.map((d) => d.key)))];
    }
    this.updatePhases();
    this.updateRelated();
  }

  /** The plug-in charts for the series held now, derived again only when the columns changed. */
  private updatePluginSpecs(): ChartSpec[] {
    const series = this.series;
    const key = series ? `${this.runId}|${series.generation}|${series.columns.length}` : '';
    if (key !== this.pluginSpecsKey) {
      this.pluginSpecsKey = key;
      this.pluginSpecs = pluginChartSpecs(series?.names() ?? []);
    }
    return this.pluginSpecs;
  }

  /**
   * The related runs (memoised on the run list's shape), their curves for the charts (a new array
   * only when their data changed, so the charts are not re-fed every frame) and the fork lines.
   */
  private updateRelated(): void {
    const shape = this.runs.map((r) => `${r.id}:${r.parentId ?? ''}:${r.forkStep ?? ''}`).join(',');
    const relatedKey = `${this.runId}|${shape}`;
    if (relatedKey !== this.relatedKey) {
      this.relatedKey = relatedKey;
      this.related = relatedRuns(this.runs, this.runId);
      this.family = hasFamily(this.runs, this.runId);
      this.forks = forkLines(this.related).map((f) => ({ step: f.step, label: `fork ${f.runs.map((id) => `#${id}`).join(' ')}` }));
    }
    const steps = new Map<number, number>();
    for (const r of this.related) {
      const run = this.runs.find((x) => x.id === r.id);
      if (run) steps.set(r.id, runView(run, this.statuses.get(r.id)).step);
    }
    this.relatedSeries.update({ related: this.related, names: this.plotted, zoom: this.zoom, steps });
    const curvesKey = `${relatedKey}|${this.relatedSeries.version}`;
    if (curvesKey !== this.curvesKey) {
      this.curvesKey = curvesKey;
      this.curves = this.related.map((r) => ({
        runId: r.id,
        label: `#${r.id} ${r.relation}`,
        dash: overlayDash(r.style),
        from: r.from,
        source: this.relatedSeries.data(r.id),
      }));
      this.relatedNotes = new Map();
      for (const r of this.related) {
        const error = this.relatedSeries.error(r.id);
        if (error) this.relatedNotes.set(r.id, 'curves unavailable');
        else if (!this.relatedSeries.data(r.id)) this.relatedNotes.set(r.id, 'loading…');
      }
    }
  }

  /**
   * The timeline follows every new step (its last segment grows); the chart overlays change only
   * with the events or the charts' series, so the charts are not repainted for nothing.
   */
  private updatePhases(): void {
    const steps = this.series?.steps;
    const first = steps?.length ? steps[0] : null;
    const last = this.series?.lastStep() ?? null;
    const events = this.events?.events ?? [];
    const key = `${this.runId}|${this.eventsVersion}|${events.length}|${first}|${last}`;
    if (this.events !== this.timelineEvents) {
      this.timelineEvents = this.events;
      this.timelineKey = '';
      this.overlaysKey = '';
    }
    if (key !== this.timelineKey || !this.timeline) {
      this.timeline = buildTimeline(events, { first, last });
      this.timelineKey = key;
    }
    const overlaysKey = `${this.runId}|${this.eventsVersion}|${events.length}|${this.specsSignature}`;
    if (overlaysKey !== this.overlaysKey) {
      const timeline = this.timeline;
      this.overlays = new Map(this.specs.map((spec) => [spec.key, chartOverlay(timeline, spec.series.map((d) => d.key))]));
      this.overlaysKey = overlaysKey;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    void this.loadZoom();
    // The form closed (Esc, Cancel, a branch made): the focus goes back to where it was opened.
    // Only if the focus went down with the form: a click elsewhere keeps its focus.
    if (changed.has('branchOpen') && changed.get('branchOpen') === true && !this.branchOpen) {
      if (!document.activeElement || document.activeElement === document.body) this.renderRoot.querySelector<ControlsElement>('pw-controls')?.focusBranch();
    }
  }

  /** Fetches the zoomed range at higher resolution (once per range and set of series). */
  private async loadZoom(): Promise<void> {
    const zoom = this.zoom;
    if (!zoom) {
      if (this.zoomKey) {
        this.zoomAbort?.abort();
        this.zoomKey = '';
        this.zoomData = null;
        this.zoomNote = '';
      }
      return;
    }
    // Only series the run has: the server refuses the whole request over one unknown name.
    const names = this.plotted.filter((n) => this.series?.has(n));
    if (!names.length) return;
    const key = `${this.runId}|${zoom.from}|${zoom.to}|${names.join(',')}`;
    if (key === this.zoomKey) return;
    this.zoomKey = key;
    this.zoomAbort?.abort();
    const abort = new AbortController();
    this.zoomAbort = abort;
    this.zoomNote = 'loading…';
    try {
      const answer = await fetchSeries(this.runId, names, zoom, ZOOM_POINTS, abort.signal);
      if (key !== this.zoomKey) return;
      const data = new RunSeries(Number.POSITIVE_INFINITY);
      data.replace(answer.columns, answer.data, 0, answer.decimated);
      this.zoomData = data;
      this.zoomNote = answer.decimated ? `${formatInt(data.rows)} points (decimated)` : `${formatInt(data.rows)} points (full resolution)`;
    } catch (error) {
      if ((error as Error).name === 'AbortError' || key !== this.zoomKey) return;
      this.zoomData = null;
      this.zoomNote = `showing the points held here (${(error as Error).message})`;
    }
  }

  private zoomOut(): void {
    this.dispatchEvent(new CustomEvent('pw-zoom', { detail: null, bubbles: true, composed: true }));
  }

  private controlsReason(live: boolean): string {
    if (!this.connected) return 'not connected';
    if (this.access !== 'control') return 'read-only access';
    if (!live) return 'the run is not live';
    return '';
  }

  /** The phase the run is in (and a state that applies, e.g. "II · stalled"), coloured like its band. */
  private renderPhaseBadge() {
    const current = this.timeline?.current ?? { phase: null, state: null };
    const collapsed = current.state !== null && (COLLAPSE_STATES as readonly string[]).includes(current.state);
    const colour = current.phase ? PHASE_COLOURS[current.phase] : null;
    const style = collapsed
      ? `background:${withAlpha(COLLAPSE_COLOUR, 0.16)};border-color:${COLLAPSE_COLOUR}`
      : colour
        ? `background:${withAlpha(colour, BAND_ALPHA_STRIP)};border-color:${colour}`
        : '';
    const message = this.timeline?.segments.at(-1)?.event.message ?? '';
    return html`<div class="counter">
      <div class="value">
        <span class="phase-badge" data-testid="phase-badge" data-phase=${current.phase ?? ''} data-state=${current.state ?? ''} style=${style}
          title=${message} aria-label=${`phase ${badgeText(current)}`}>${badgeText(current)}</span>
      </div>
      <div class="label">phase</div>
    </div>`;
  }

  /** The lineage tree (also the legend of the related runs' line styles) and, for a branch, what it changed. */
  private renderFamily(run: RunSummary) {
    return html`<section class="family" data-testid="family" aria-label="Branches of this run's family">
      <pw-lineage-tree
        .runs=${this.runs}
        .statuses=${this.statuses}
        .revision=${this.revision}
        .selected=${run.id}
        .related=${this.related}
        .notes=${this.relatedNotes}
      ></pw-lineage-tree>
      ${run.parentId !== null
        ? html`<pw-config-diff
            .parentId=${run.parentId}
            .runId=${run.id}
            .parentConfig=${this.parentConfig}
            .config=${this.config}
            .error=${this.parentConfigError ?? this.configError}
          ></pw-config-diff>`
        : nothing}
    </section>`;
  }

  protected override render() {
    const run = this.run;
    if (!run) {
      return this.connected
        ? html`<p class="muted" data-testid="run-missing">Run #${this.runId} is not in the run list.</p>`
        : html`<p class="muted" data-testid="run-connecting">Connecting to the server…</p>`;
    }
    const view = runView(run, this.status);
    const badge = badgeOf(view);
    // Status comes once a second, frames every few tens of ms: the newest recorded step keeps the counter moving.
    const lastRecorded = view.live ? (this.series?.lastStep() ?? null) : null;
    const step = lastRecorded !== null && lastRecorded > view.step ? lastRecorded : view.step;
    const m = neuronCount(this.series, neuronsOf(this.config));
    const reason = this.controlsReason(view.live);
    const loading = !this.series || this.series.lastSeq === null;
    const source = this.zoom && this.zoomData ? this.zoomData : (this.series ?? null);
    const version = source === this.zoomData && this.zoomData ? this.zoomData.version : this.seriesVersion;
    return html`
      <section class="head" data-testid="run-header">
        <div>
          <div class="title">
            <h2 data-testid="run-name">${run.name}</h2>
            <span class="id">#${run.id}</span>
            <span class="badge" data-status=${badge} data-testid="run-status">${badge}</span>
            ${view.live ? html`<span class="live-dot" title="live" data-testid="run-live"></span>` : nothing}
            ${loading && this.connected ? html`<span class="loading" data-testid="run-loading">loading history…</span>` : nothing}
          </div>
          <dl class="facts">
            <div><dt>preset</dt><dd data-testid="run-preset">${run.preset ?? '—'}</dd></div>
            <div><dt>seed</dt><dd data-testid="run-seed">${run.seed}</dd></div>
            <div><dt>backend</dt><dd data-testid="run-backend">${run.backend}</dd></div>
            ${m ? html`<div><dt>m</dt><dd data-testid="run-m">${m}</dd></div>` : nothing}
            ${run.parentId !== null
              ? html`<div><dt>branch of</dt><dd>#${run.parentId}${run.forkStep !== null ? ` at step ${formatInt(run.forkStep)}` : ''}</dd></div>`
              : nothing}
          </dl>
        </div>
        <div class="counters">
          ${this.renderPhaseBadge()}
          <div class="counter">
            <div class="value mono" data-testid="step-counter" data-step=${step} data-target=${view.targetSteps}
              >${formatInt(step)}<span class="of muted"> / ${formatInt(view.targetSteps)}</span></div
            >
            <div class="label">step</div>
          </div>
          <div class="counter">
            <div class="value mono" data-testid="steps-per-second" data-value=${view.stepsPerSecond ?? ''}>${formatRate(view.stepsPerSecond)}</div>
            <div class="label">steps/s</div>
          </div>
        </div>
      </section>
      <div class="toolbar">
        <pw-controls .enabled=${reason === ''} .control=${view.control} .reason=${reason}
          .branchEnabled=${this.branchReason === ''} .branchReason=${this.branchReason} .branchOpen=${this.branchOpen}></pw-controls>
        <span class="spacer"></span>
        ${this.zoom
          ? html`<span class="zoom" data-testid="zoom-info">
              steps ${formatInt(this.zoom.from)}–${formatInt(this.zoom.to)}
              ${this.zoomNote ? html`<span class="muted">· ${this.zoomNote}</span>` : nothing}
              <button type="button" data-testid="btn-zoom-reset" @click=${this.zoomOut} title="Show all steps (0)">all steps</button>
            </span>`
          : nothing}
        <span class="links">
          export
          <a href=${exportUrl(run.id, 'csv')} download data-testid="export-csv">CSV</a>
          <a href=${exportUrl(run.id, 'ndjson')} download data-testid="export-ndjson">NDJSON</a>
        </span>
      </div>
      ${this.branchOpen
        ? html`<pw-branch-form
            .run=${run}
            .live=${view.live}
            .step=${step}
            .enabled=${this.branchReason === ''}
            .reason=${this.branchReason}
            .submit=${this.branchSubmit}
          ></pw-branch-form>`
        : nothing}
      ${this.family ? this.renderFamily(run) : nothing}
      <pw-phase-timeline .timeline=${this.timeline} .plotted=${this.plotted} .zoom=${this.zoom}></pw-phase-timeline>
      <section class="charts">
        ${this.specs.map(
          (spec) => html`<pw-chart
            data-testid="chart-${chartTestId(spec.key)}"
            chart-key=${spec.key}
            .heading=${spec.title}
            .note=${spec.note}
            .series=${spec.series}
            .source=${source}
            .version=${version}
            .log=${isLogChart(this.logCharts, spec.key)}
            allow-log
            .zoom=${this.zoom}
            .overlay=${this.overlays.get(spec.key) ?? EMPTY_OVERLAY}
            .overlays=${this.curves}
            .forks=${this.forks}
            sync-key="pw-run-${run.id}"
          ></pw-chart>`,
        )}
      </section>
      ${m > 0 ? html`<pw-head-maps .runId=${run.id} .series=${this.series ?? null} .version=${this.seriesVersion} .m=${m}></pw-head-maps>` : nothing}
      <details data-testid="run-config">
        <summary>Config</summary>
        ${this.config
          ? html`<pre class="mono">${JSON.stringify(this.config, null, 2)}</pre>`
          : html`<p class="muted">${this.configError ? `Unavailable: ${this.configError}` : 'loading…'}</p>`}
      </details>
    `;
  }
}

if (!customElements.get('pw-run-view')) customElements.define('pw-run-view', RunViewElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-run-view': RunViewElement;
  }
}
