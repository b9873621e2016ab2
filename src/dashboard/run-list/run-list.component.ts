import { html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RunSummary } from '../../server/protocol.js';
import type { Access, RunStatus } from '../connection/connection.js';
import { formatInt } from '../shared/format.js';
import { forkIcon } from '../shared/icons.js';
import { buildForest } from '../shared/lineage.js';
import { badgeOf, RESUMABLE, runView } from '../shared/run-state.js';
import { runListStyles } from './run-list.styles.js';

/** Indentation stops growing here (the list is narrow); deeper branches still say where they fork. */
const MAX_INDENT = 4;

/**
 * `<pw-run-list>`: every run, newest first, each run's branches nested under it (indented, with
 * a fork mark and `at step N`), with a status badge, step/target, a live marker and (with control access) a
 * "resume" button for stopped, failed and interrupted runs.
 * Items are `data-testid="run-item-<id>"`; clicking one (or Enter on it) fires `pw-select`.
 * @fires pw-select run id
 * @fires pw-resume-run run id
 */
export class RunListElement extends LitElement {
  static override properties = {
    runs: { attribute: false },
    statuses: { attribute: false },
    revision: { type: Number },
    selected: { type: Number },
    access: { type: String },
    connected: { type: Boolean },
  };
  static override styles = runListStyles;

  declare runs: readonly RunSummary[];
  declare statuses: ReadonlyMap<number, RunStatus>;
  /** Bump when statuses changed (the map itself is mutated in place). */
  declare revision: number;
  declare selected: number | null;
  declare access: Access | null;
  declare connected: boolean;

  constructor() {
    super();
    this.runs = [];
    this.statuses = new Map();
    this.revision = 0;
    this.selected = null;
    this.access = null;
    this.connected = false;
  }

  private select(id: number): void {
    this.dispatchEvent(new CustomEvent('pw-select', { detail: id, bubbles: true, composed: true }));
  }

  private resume(event: Event, id: number): void {
    event.stopPropagation();
    this.dispatchEvent(new CustomEvent('pw-resume-run', { detail: id, bubbles: true, composed: true }));
  }

  protected override render() {
    if (!this.runs.length) return html`<p class="empty" data-testid="run-list-empty">No runs yet.</p>`;
    const rows = buildForest(this.runs);
    return html`
      <ul role="listbox" aria-label="Runs" data-testid="run-list">
        ${repeat(
          rows,
          (row) => row.run.id,
          ({ run, depth }) => {
            const view = runView(run, this.statuses.get(run.id));
            const badge = badgeOf(view);
            const fraction = view.targetSteps > 0 ? Math.min(1, view.step / view.targetSteps) : 0;
            const resumable = !view.live && RESUMABLE.has(view.status) && this.access === 'control';
            const branch = run.parentId !== null;
            return html`
              <li class=${depth > 0 ? 'nested' : ''} style="--depth:${Math.min(depth, MAX_INDENT)}">
                <div class="item" role="option" tabindex="0" data-testid="run-item-${run.id}" data-status=${view.status} data-depth=${depth}
                  ?data-live=${view.live} aria-selected=${this.selected === run.id ? 'true' : 'false'}
                  @click=${() => this.select(run.id)}
                  @keydown=${(e: KeyboardEvent) => {
                    if (e.key === 'Enter') this.select(run.id);
                  }}>
                  <span class="name" title=${run.name}>${branch ? html`<span class="fork-glyph">${forkIcon()}</span>` : nothing}<span class="id">#${run.id}</span>${run.name}</span>
                  <span class="badge" data-status=${badge} data-testid="run-status-${run.id}">${badge}</span>
                  <span class="meta">
                    ${view.live ? html`<span class="live" data-testid="run-live-${run.id}"><span class="live-dot"></span>live</span>` : nothing}
                    <span class="mono" data-testid="run-step-${run.id}">${formatInt(view.step)} / ${formatInt(view.targetSteps)}</span>
                    ${run.preset ? html`<span>${run.preset}</span>` : nothing}
                    ${branch
                      ? html`<span class="fork" data-testid="run-fork-${run.id}" title="branched from run #${run.parentId}"
                          >${forkIcon()} at step ${formatInt(run.forkStep)}${depth === 0
                            ? ` of #${run.parentId}`
                            : html`<span class="sr-only"> of #${run.parentId}</span>`}</span>`
                      : nothing}
                    ${resumable
                      ? html`<button type="button" class="resume" data-testid="btn-resume-run-${run.id}" ?disabled=${!this.connected}
                          title="Continue from the last checkpoint" @click=${(e: Event) => this.resume(e, run.id)}>resume</button>`
                      : nothing}
                  </span>
                  <span class="progress" aria-hidden="true"><span style="width:${(fraction * 100).toFixed(1)}%"></span></span>
                </div>
              </li>
            `;
          },
        )}
      </ul>
    `;
  }
}

if (!customElements.get('pw-run-list')) customElements.define('pw-run-list', RunListElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-run-list': RunListElement;
  }
}
