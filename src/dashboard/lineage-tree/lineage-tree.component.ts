import { html, LitElement, nothing } from 'lit';
import type { RunSummary } from '../../server/protocol.js';
import type { RunStatus } from '../connection/connection.js';
import { formatInt } from '../shared/format.js';
import { forkIcon, lineSwatch } from '../shared/icons.js';
import { familyTree, type RelatedRun, type Relation } from '../shared/lineage.js';
import { FORK_COLOUR, overlayDash, SWATCH_OPACITY } from '../shared/palette.js';
import { badgeOf, runView } from '../shared/run-state.js';
import { lineageTreeStyles } from './lineage-tree.styles.js';

const RELATION_TEXT: Record<Relation, string> = { parent: 'parent', branch: 'branch', sibling: 'sibling', ancestor: 'ancestor' };
/** Indentation stops growing here; deeper runs still say whose branch they are. */
const MAX_INDENT = 5;

/**
 * `<pw-lineage-tree>` (`data-testid="lineage-tree"`): the selected run's family — its root and
 * every branch below it, indented under their parent with the step they fork at — and the
 * legend of the charts: the line style each related run is drawn in (the selected run solid).
 * Every run is a button (`data-testid="lineage-node-<id>"`) that selects it.
 * @fires pw-select run id
 */
export class LineageTreeElement extends LitElement {
  static override properties = {
    runs: { attribute: false },
    statuses: { attribute: false },
    revision: { type: Number },
    selected: { type: Number },
    related: { attribute: false },
    notes: { attribute: false },
  };
  static override styles = lineageTreeStyles;

  declare runs: readonly RunSummary[];
  declare statuses: ReadonlyMap<number, RunStatus>;
  /** Bump when statuses changed (the map is mutated in place). */
  declare revision: number;
  declare selected: number;
  /** The runs drawn on the charts next to the selected one, with their line styles. */
  declare related: readonly RelatedRun[];
  /** A word about a related run's curves (loading, or why they are missing), by run id. */
  declare notes: ReadonlyMap<number, string>;

  constructor() {
    super();
    this.runs = [];
    this.statuses = new Map();
    this.revision = 0;
    this.selected = 0;
    this.related = [];
    this.notes = new Map();
  }

  private select(id: number): void {
    this.dispatchEvent(new CustomEvent('pw-select', { detail: id, bubbles: true, composed: true }));
  }

  protected override render() {
    const rows = familyTree(this.runs, this.selected);
    const related = new Map(this.related.map((r) => [r.id, r]));
    const undrawn = rows.filter((r) => r.run.id !== this.selected && !related.has(r.run.id)).length;
    return html`
      <nav aria-labelledby="family-title" data-testid="lineage-tree">
        <h3 id="family-title">Family <span class="muted">· line styles on the charts</span></h3>
        <ul>
          ${rows.map(({ run, depth }) => {
            const me = run.id === this.selected;
            const rel = related.get(run.id);
            const view = runView(run, this.statuses.get(run.id));
            const role = me ? 'this run' : rel ? RELATION_TEXT[rel.relation] : '';
            const fork = run.parentId !== null ? html`${forkIcon()} at step ${formatInt(run.forkStep)}` : 'root';
            const note = this.notes.get(run.id);
            const label = `#${run.id} ${run.name}, ${run.parentId !== null ? `branch of #${run.parentId} at step ${formatInt(run.forkStep)}` : 'root run'}, ${badgeOf(view)}${role ? `, ${role}` : ''}${rel ? ', drawn dashed on the charts' : ''}`;
            return html`<li class=${depth > 0 ? 'branch' : ''} style="--depth:${Math.min(depth, MAX_INDENT)}">
              <button type="button" class="node" data-testid="lineage-node-${run.id}" data-relation=${me ? 'self' : (rel?.relation ?? '')}
                aria-current=${me ? 'true' : 'false'} aria-label=${label} @click=${() => this.select(run.id)}>
                ${me ? lineSwatch(null) : rel ? lineSwatch(overlayDash(rel.style), SWATCH_OPACITY) : html`<span class="swatch"></span>`}
                <span class="name"><span class="id">#${run.id}</span>${run.name}</span>
                <span class="fork" style=${run.parentId !== null ? `color:${FORK_COLOUR}` : ''}>${fork}</span>
                ${role ? html`<span class="role">${role}</span>` : nothing}
                <span class="badge" data-status=${badgeOf(view)}>${badgeOf(view)}</span>
                ${note ? html`<span class="note">${note}</span>` : nothing}
              </button>
            </li>`;
          })}
        </ul>
        ${undrawn ? html`<p class="more">${undrawn} more in the family ${undrawn === 1 ? 'is' : 'are'} not drawn on the charts (only the parent, branches, siblings and ancestors are).</p>` : nothing}
      </nav>
    `;
  }
}

if (!customElements.get('pw-lineage-tree')) customElements.define('pw-lineage-tree', LineageTreeElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-lineage-tree': LineageTreeElement;
  }
}
