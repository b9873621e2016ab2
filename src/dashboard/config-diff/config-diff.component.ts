import { html, LitElement } from 'lit';
import { diffConfigs, formatConfigValue, type ConfigChange } from '../shared/config-diff.js';
import { configDiffStyles } from './config-diff.styles.js';

/**
 * `<pw-config-diff>` (`data-testid="config-diff"`): the settings in which a branch differs from
 * its parent, as `a.b.c` keys with the parent's and the branch's value
 * (`data-testid="config-diff-row"`, `data-key`, cells `data-side="parent"|"branch"`).
 */
export class ConfigDiffElement extends LitElement {
  static override properties = {
    parentId: { type: Number },
    runId: { type: Number },
    parentConfig: { attribute: false },
    config: { attribute: false },
    error: { type: String },
  };
  static override styles = configDiffStyles;

  declare parentId: number;
  declare runId: number;
  declare parentConfig: Record<string, unknown> | null;
  declare config: Record<string, unknown> | null;
  /** Why a config could not be loaded, or null. */
  declare error: string | null;

  private memo: { parent: unknown; branch: unknown; rows: ConfigChange[] } | null = null;

  constructor() {
    super();
    this.parentId = 0;
    this.runId = 0;
    this.parentConfig = null;
    this.config = null;
    this.error = null;
  }

  /** The diff, recomputed only when a config object changes (the view re-renders every frame). */
  private rows(): ConfigChange[] | null {
    if (!this.parentConfig || !this.config) return null;
    if (this.memo?.parent !== this.parentConfig || this.memo.branch !== this.config) {
      this.memo = { parent: this.parentConfig, branch: this.config, rows: diffConfigs(this.parentConfig, this.config) };
    }
    return this.memo.rows;
  }

  protected override render() {
    const rows = this.rows();
    return html`
      <section data-testid="config-diff" aria-labelledby="diff-title" data-count=${rows?.length ?? ''}>
        <h3 id="diff-title">Settings changed from #${this.parentId}</h3>
        ${rows === null
          ? html`<p class="muted">${this.error ? `Unavailable: ${this.error}` : 'loading…'}</p>`
          : rows.length === 0
            ? html`<p class="muted">None: an unchanged copy of #${this.parentId}.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">setting</th>
                    <th scope="col">#${this.parentId} <span class="muted">parent</span></th>
                    <th scope="col">#${this.runId} <span class="muted">branch</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) => html`<tr data-testid="config-diff-row" data-key=${r.key}>
                      <th scope="row" class="mono">${r.key}</th>
                      <td class="mono before" data-side="parent">${formatConfigValue(r.before)}</td>
                      <td class="mono after" data-side="branch">${formatConfigValue(r.after)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`}
      </section>
    `;
  }
}

if (!customElements.get('pw-config-diff')) customElements.define('pw-config-diff', ConfigDiffElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-config-diff': ConfigDiffElement;
  }
}
