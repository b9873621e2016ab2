import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { BranchRequest } from '../branch-form/branch-form.js';
import type { StepRange, ZoomEvent, LogToggleEvent } from '../chart/chart.js';
import { ConnectionController, type Action } from '../connection/connection.js';
import type { ControlEvent } from '../controls/controls.js';
import '../notices/notices.js';
import '../run-list/run-list.js';
import '../run-view/run-view.js';
import '../shortcuts/shortcuts.js';
import '../start-form/start-form.js';
import type { StartRequest } from '../start-form/start-form.js';
import { fetchRunDetail, webSocketUrl } from '../shared/api.js';
import { CHART_KEYS, parseChartKey, type ChartKey } from '../shared/chart-specs.js';
import { buildForest } from '../shared/lineage.js';
import { toggleAllLog, withLogChart } from '../shared/log-charts.js';
import { pluginChartSpecs } from '../shared/plugin-chart-specs.js';
import { runView } from '../shared/run-state.js';
import { readViewState, writeViewState, type ViewState } from '../shared/url-state.js';
import { appStyles } from './app.styles.js';

interface Detail {
  config: Record<string, unknown> | null;
  error: string | null;
}

/**
 * `<pw-app>`: the dashboard. Owns the ConnectionController; lays out the run list (left) and the
 * selected run (right); keeps the view in the URL (`?run=ID&log=…&from=…&to=…`, see url-state.ts)
 * so a reload or a shared link reopens it; handles the keyboard shortcuts
 * (Space pause/resume, `.` one step, `b` branch, `?` the list). A branch made from the page is
 * selected at once; its parent stays on the charts as a related run.
 */
export class AppElement extends LitElement {
  static override properties = {
    view: { state: true },
    shortcutsOpen: { state: true },
    branchOpen: { state: true },
  };
  static override styles = appStyles;

  declare private view: ViewState;
  declare private shortcutsOpen: boolean;
  declare private branchOpen: boolean;

  private readonly conn = new ConnectionController(this, { url: webSocketUrl() });
  private readonly details = new Map<number, Detail>();
  private readonly loadingDetails = new Set<number>();
  /** Whether a run was picked for the user (no `?run=`): done once, after the first run list. */
  private autoSelected = false;
  private wasConnected = false;

  constructor() {
    super();
    this.view = readViewState();
    this.shortcutsOpen = false;
    this.branchOpen = false;
    this.autoSelected = this.view.run !== null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
    window.addEventListener('popstate', this.onPopState);
    if (this.view.run !== null) {
      this.conn.watch(this.view.run);
      this.loadDetail(this.view.run);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    window.removeEventListener('popstate', this.onPopState);
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const connected = this.conn.connected;
    if (connected && !this.wasConnected && this.view.run !== null) {
      // A (re)connection: fetch what failed while the server was away.
      const detail = this.details.get(this.view.run);
      if (detail?.error) this.details.delete(this.view.run);
      this.loadDetail(this.view.run);
    }
    this.wasConnected = connected;
    if (!this.autoSelected && connected && this.conn.runs.length) {
      this.autoSelected = true;
      const runs = [...this.conn.runs].sort((a, b) => b.id - a.id);
      const pick = runs.find((r) => r.live) ?? runs[0];
      this.selectRun(pick.id, 'replace');
    }
    // A branch's settings are shown against its parent's.
    const parentId = this.view.run !== null ? (this.conn.run(this.view.run)?.parentId ?? null) : null;
    if (parentId !== null && connected) this.loadDetail(parentId);
  }

  // ----- view state -------------------------------------------------------------------------

  private setView(next: ViewState, mode: 'push' | 'replace'): void {
    this.view = next;
    writeViewState(next, mode);
  }

  private selectRun(runId: number, mode: 'push' | 'replace' = 'push'): void {
    this.autoSelected = true;
    if (runId === this.view.run) return;
    this.setView({ ...this.view, run: runId, zoom: null }, mode);
    this.conn.watch(runId);
    this.loadDetail(runId);
  }

  private readonly onPopState = (): void => {
    this.view = readViewState();
    this.conn.watch(this.view.run);
    if (this.view.run !== null) this.loadDetail(this.view.run);
  };

  private setZoom(range: StepRange | null): void {
    const same = range?.from === this.view.zoom?.from && range?.to === this.view.zoom?.to;
    if (!same) this.setView({ ...this.view, zoom: range }, 'replace');
  }

  private setLog(chart: string, log: boolean): void {
    const key = parseChartKey(chart);
    if (key) this.setView({ ...this.view, log: withLogChart(this.view.log, key, log, this.shownCharts()) }, 'replace');
  }

  /** The charts of the selected run's view now: the fixed ones and those of the plug-ins it records so far. */
  private shownCharts(): ChartKey[] {
    const series = this.view.run !== null ? this.conn.dataFor(this.view.run) : undefined;
    return [...CHART_KEYS, ...pluginChartSpecs(series?.names() ?? []).map((spec) => spec.key)];
  }

  private loadDetail(runId: number): void {
    if (this.details.has(runId) || this.loadingDetails.has(runId)) return;
    this.loadingDetails.add(runId);
    fetchRunDetail(runId)
      .then((d) => this.details.set(runId, { config: d.config, error: null }))
      .catch((error: Error) => this.details.set(runId, { config: null, error: error.message }))
      .finally(() => {
        this.loadingDetails.delete(runId);
        this.requestUpdate();
      });
  }

  // ----- actions ------------------------------------------------------------------------------

  private control(action: Action, n?: number): void {
    const runId = this.view.run;
    if (runId === null) return;
    const run = this.conn.run(runId);
    if (!this.conn.connected) return this.conn.notify('Not connected to the server.', 'info');
    if (this.conn.access !== 'control') return this.conn.notify('Read-only access: this connection cannot steer runs.', 'info');
    if (run && !run.live) return this.conn.notify(`Run #${runId} is not live.`, 'info');
    void this.conn.control(runId, action, n).then((reply) => {
      if (!reply.ok) this.conn.notify(`${action} run #${runId}: ${reply.message}`, 'error', reply.code);
    });
  }

  private togglePause(): void {
    const runId = this.view.run;
    if (runId === null) return;
    const run = this.conn.run(runId);
    const control = run ? runView(run, this.conn.statuses.get(runId)).control : null;
    this.control(control === 'paused' ? 'resume' : 'pause');
  }

  private resumeRun(runId: number): void {
    void this.conn.resume(runId).then((reply) => {
      if (!reply.ok) this.conn.notify(`resume run #${runId}: ${reply.message}`, 'error', reply.code);
      else this.selectRun(reply.runId ?? runId);
    });
  }

  private readonly startRun = (request: StartRequest) => this.conn.start(request);

  private readonly branchRun = ({ on, ...request }: BranchRequest) =>
    on ? this.conn.branchOn({ runId: request.runId, on, ...(request.sets ? { sets: request.sets } : {}) }) : this.conn.branch(request);

  /** Why the selected run cannot be branched now ('' when it can). */
  private branchReason(): string {
    if (!this.conn.connected) return 'not connected';
    if (this.conn.access !== 'control') return 'read-only access';
    return '';
  }

  private toggleBranch(): void {
    if (this.view.run === null) return;
    if (!this.branchOpen) {
      const reason = this.branchReason();
      if (reason) return this.conn.notify(`Cannot branch: ${reason}.`, 'info');
    }
    this.branchOpen = !this.branchOpen;
  }

  private ruleSet(detail: { runId: number; on: string }): void {
    this.branchOpen = false;
    this.conn.notify(`Run ${detail.runId} will branch ${detail.on.replace(':', ' ')} fires; the branch appears in the list then.`, 'info', 'RULE');
  }

  private branched(detail: { runId: number; parentId: number }): void {
    // No notice: the page moving to the branch (its header says "branch of #n at step …") is the answer.
    this.branchOpen = false;
    this.selectRun(detail.runId);
  }

  private moveSelection(delta: 1 | -1): void {
    // In the run list's order: branches under their parent.
    const runs = buildForest(this.conn.runs).map((row) => row.run);
    if (!runs.length) return;
    const at = runs.findIndex((r) => r.id === this.view.run);
    const next = runs[Math.min(runs.length - 1, Math.max(0, at < 0 ? 0 : at + delta))];
    this.selectRun(next.id);
  }

  private toggleAllLog(): void {
    this.setView({ ...this.view, log: toggleAllLog(this.view.log, this.shownCharts()) }, 'replace');
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Escape' && this.shortcutsOpen) {
      this.shortcutsOpen = false;
      return;
    }
    if (event.key === 'Escape' && this.branchOpen) {
      this.branchOpen = false;
      return;
    }
    const target = event.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    switch (event.key) {
      case ' ':
      case 'Spacebar':
        // Also keeps a focused button from being "clicked" by the same key.
        event.preventDefault();
        if (!event.repeat) this.togglePause();
        return;
      case '.':
        event.preventDefault();
        this.control('step', 1);
        return;
      case '?':
        event.preventDefault();
        this.shortcutsOpen = !this.shortcutsOpen;
        return;
      case 'j':
        this.moveSelection(1);
        return;
      case 'k':
        this.moveSelection(-1);
        return;
      case 'l':
        this.toggleAllLog();
        return;
      case 'b':
        event.preventDefault();
        this.toggleBranch();
        return;
      case '0':
        this.setZoom(null);
        return;
    }
  };

  // ----- rendering ----------------------------------------------------------------------------

  private renderConnection() {
    const conn = this.conn;
    const state = conn.connected ? 'open' : conn.state === 'open' ? 'connecting' : conn.state;
    const label = state === 'open' ? 'connected' : state === 'connecting' ? 'connecting…' : 'disconnected';
    return html`
      <span class="conn" data-testid="conn-status" data-state=${state}>
        <span class="dot"></span>${label}${state === 'closed' && conn.retryAt !== null ? html` <span class="muted">· reconnecting</span>` : nothing}
        ${state === 'closed' ? html`<button type="button" data-testid="btn-reconnect" @click=${() => conn.retryNow()}>retry now</button>` : nothing}
      </span>
      ${conn.access ? html`<span class="access" data-testid="access-level" data-access=${conn.access}>${conn.access === 'control' ? 'control' : 'read-only'}</span>` : nothing}
    `;
  }

  private renderMain() {
    const runId = this.view.run;
    if (runId === null) {
      return html`<div class="placeholder" data-testid="no-run">
        ${this.conn.connected ? (this.conn.runs.length ? 'Select a run on the left.' : 'No runs yet — start one on the left.') : 'Connecting to the server…'}
      </div>`;
    }
    const series = this.conn.dataFor(runId);
    const events = this.conn.eventsFor(runId);
    const detail = this.details.get(runId);
    const parentId = this.conn.run(runId)?.parentId ?? null;
    const parentDetail = parentId !== null ? this.details.get(parentId) : undefined;
    return html`<pw-run-view
      data-testid="run-view"
      .runId=${runId}
      .run=${this.conn.run(runId)}
      .status=${this.conn.statuses.get(runId)}
      .series=${series}
      .seriesVersion=${series?.version ?? 0}
      .events=${events}
      .eventsVersion=${events?.version ?? 0}
      .access=${this.conn.access}
      .connected=${this.conn.connected}
      .config=${detail?.config ?? null}
      .configError=${detail?.error ?? null}
      .logCharts=${this.view.log}
      .zoom=${this.view.zoom}
      .runs=${this.conn.runs}
      .statuses=${this.conn.statuses}
      .revision=${this.conn.revision}
      .parentConfig=${parentDetail?.config ?? null}
      .parentConfigError=${parentDetail?.error ?? null}
      .branchOpen=${this.branchOpen}
      .branchReason=${this.branchReason()}
      .branchSubmit=${this.branchRun}
      @pw-branch-toggle=${() => this.toggleBranch()}
      @pw-branch-close=${() => (this.branchOpen = false)}
      @pw-branched=${(e: CustomEvent<{ runId: number; parentId: number }>) => this.branched(e.detail)}
      @pw-branch-rule=${(e: CustomEvent<{ runId: number; on: string }>) => this.ruleSet(e.detail)}
      @pw-select=${(e: CustomEvent<number>) => this.selectRun(e.detail)}
      @pw-control=${(e: ControlEvent) => this.control(e.detail.action, e.detail.n)}
      @pw-zoom=${(e: ZoomEvent) => this.setZoom(e.detail)}
      @pw-log-toggle=${(e: LogToggleEvent) => this.setLog(e.detail.chart, e.detail.log)}
    ></pw-run-view>`;
  }

  protected override render() {
    const conn = this.conn;
    const canControl = conn.canControl;
    return html`
      <header class="top">
        <span class="brand">phasewatch</span>
        <span class="tagline">Wen &amp; Li (NeurIPS 2022): how the prediction head learns, live</span>
        <span class="spacer"></span>
        ${this.renderConnection()}
        <button type="button" data-testid="btn-shortcuts" title="Keyboard shortcuts (?)" @click=${() => (this.shortcutsOpen = true)}>?</button>
      </header>
      <div class="layout">
        <aside>
          <section>
            <h2>Runs</h2>
            <pw-run-list
              .runs=${conn.runs}
              .statuses=${conn.statuses}
              .revision=${conn.revision}
              .selected=${this.view.run}
              .access=${conn.access}
              .connected=${conn.connected}
              @pw-select=${(e: CustomEvent<number>) => this.selectRun(e.detail)}
              @pw-resume-run=${(e: CustomEvent<number>) => this.resumeRun(e.detail)}
            ></pw-run-list>
          </section>
          <section class="panel">
            <pw-start-form
              .enabled=${canControl}
              .reason=${!conn.connected ? 'not connected' : canControl ? '' : 'read-only access'}
              .submit=${this.startRun}
              @pw-started=${(e: CustomEvent<number>) => this.selectRun(e.detail)}
            ></pw-start-form>
          </section>
        </aside>
        <main>${this.renderMain()}</main>
      </div>
      <pw-notices .notices=${conn.notices} @pw-dismiss=${(e: CustomEvent<number>) => conn.dismiss(e.detail)}></pw-notices>
      <pw-shortcuts .open=${this.shortcutsOpen} @pw-close=${() => (this.shortcutsOpen = false)}></pw-shortcuts>
    `;
  }
}

if (!customElements.get('pw-app')) customElements.define('pw-app', AppElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-app': AppElement;
  }
}
