import { html, LitElement } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Notice } from '../connection/connection.js';
import { noticesStyles } from './notices.styles.js';

/**
 * `<pw-notices>`: small dismissible messages in the corner (server errors, ignored messages,
 * failed requests). Each is `data-testid="notice"`; its × fires `pw-dismiss` with the notice id.
 * @fires pw-dismiss
 */
export class NoticesElement extends LitElement {
  static override properties = { notices: { attribute: false } };
  static override styles = noticesStyles;

  declare notices: readonly Notice[];

  constructor() {
    super();
    this.notices = [];
  }

  private dismiss(id: number): void {
    this.dispatchEvent(new CustomEvent('pw-dismiss', { detail: id, bubbles: true, composed: true }));
  }

  protected override render() {
    return repeat(
      this.notices,
      (n) => n.id,
      (n) => html`
        <div class="notice" role=${n.level === 'error' ? 'alert' : 'status'} data-testid="notice" data-level=${n.level} data-code=${n.code ?? ''}>
          <span class="text">
            ${n.code ? html`<span class="code mono">${n.code}</span>` : ''}${n.text}${n.count > 1 ? html`<span class="count">×${n.count}</span>` : ''}
          </span>
          <button type="button" data-testid="notice-dismiss" aria-label="Dismiss" title="Dismiss" @click=${() => this.dismiss(n.id)}>×</button>
        </div>
      `,
    );
  }
}

if (!customElements.get('pw-notices')) customElements.define('pw-notices', NoticesElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-notices': NoticesElement;
  }
}
