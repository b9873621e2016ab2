import { html, LitElement, nothing } from 'lit';
import { shortcutsStyles } from './shortcuts.styles.js';

/** The keyboard shortcuts of the dashboard (handled by pw-app; listed here). */
export const SHORTCUTS: readonly { keys: string[]; what: string }[] = [
  { keys: ['Space'], what: 'pause / resume the selected run' },
  { keys: ['.'], what: 'run one step (while paused)' },
  { keys: ['j', 'k'], what: 'select the next / previous run' },
  { keys: ['b'], what: 'branch the selected run (open / close the branch form)' },
  { keys: ['l'], what: 'log y axis on every chart / back to the default' },
  { keys: ['0'], what: 'zoom out (all steps)' },
  { keys: ['?'], what: 'show / hide this list' },
  { keys: ['Esc'], what: 'close this list, or the branch form' },
];

/**
 * `<pw-shortcuts>`: the shortcut list as a modal panel (`data-testid="shortcuts"`); fires
 * `pw-close` on Esc, the close button or a click outside.
 * @fires pw-close
 */
export class ShortcutsElement extends LitElement {
  static override properties = { open: { type: Boolean, reflect: true } };
  static override styles = shortcutsStyles;

  declare open: boolean;

  constructor() {
    super();
    this.open = false;
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('pw-close', { bubbles: true, composed: true }));
  }

  protected override updated(): void {
    if (this.open) this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus();
  }

  protected override render() {
    if (!this.open) return nothing;
    return html`
      <div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && this.close()}>
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="title" data-testid="shortcuts">
          <h2 id="title">Keyboard shortcuts</h2>
          <table>
            ${SHORTCUTS.map(
              (s) => html`<tr>
                <td>${s.keys.map((k, i) => html`${i ? ' ' : ''}<kbd>${k}</kbd>`)}</td>
                <td>${s.what}</td>
              </tr>`,
            )}
          </table>
          <footer>
            <span class="muted">Drag across a chart, or click a phase on the timeline, to zoom; double-click to zoom out.</span>
            <button type="button" data-testid="shortcuts-close" @click=${this.close}>Close</button>
          </footer>
        </div>
      </div>
    `;
  }
}

if (!customElements.get('pw-shortcuts')) customElements.define('pw-shortcuts', ShortcutsElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-shortcuts': ShortcutsElement;
  }
}
