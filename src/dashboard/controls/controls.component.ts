import { html, LitElement, nothing } from 'lit';
import type { Action } from '../connection/connection.js';
import { forkIcon } from '../shared/icons.js';
import { controlsStyles } from './controls.styles.js';

export type ControlEvent = CustomEvent<{ action: Action; n?: number }>;

const MAX_STEPS = 1_000_000;

/**
 * `<pw-controls>`: pause, resume, step n, stop for a live run. Every button is disabled unless
 * `enabled` (control access, a live run, a connection); `reason` says why in a tooltip.
 * Pause and resume are also disabled when the control state makes them pointless.
 * Branch (`data-testid="btn-branch"`) opens the branch form; it needs control access and a
 * connection but not a live run (a stopped run branches at a checkpoint), so it has its own
 * `branchEnabled` / `branchReason`.
 * @fires pw-control {action, n}
 * @fires pw-branch-toggle
 */
export class ControlsElement extends LitElement {
  static override properties = {
    enabled: { type: Boolean },
    control: { type: String },
    reason: { type: String },
    branchEnabled: { type: Boolean },
    branchReason: { type: String },
    branchOpen: { type: Boolean },
    stepN: { state: true },
  };
  static override styles = controlsStyles;

  declare enabled: boolean;
  /** running | paused | stepping | stopped, or null when unknown. */
  declare control: string | null;
  declare reason: string;
  declare branchEnabled: boolean;
  declare branchReason: string;
  /** Whether the branch form is open (the button shows it as pressed). */
  declare branchOpen: boolean;
  declare private stepN: number;

  constructor() {
    super();
    this.enabled = false;
    this.control = null;
    this.reason = '';
    this.branchEnabled = false;
    this.branchReason = '';
    this.branchOpen = false;
    this.stepN = 1;
  }

  /** Gives the focus back to the Branch button (when the branch form closes). */
  focusBranch(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="btn-branch"]')?.focus();
  }

  private fire(action: Action, n?: number): void {
    this.dispatchEvent(new CustomEvent('pw-control', { detail: { action, ...(n !== undefined ? { n } : {}) }, bubbles: true, composed: true }));
  }

  private readN(event: Event): void {
    const input = event.target as HTMLInputElement;
    const n = Math.floor(Number(input.value));
    this.stepN = Number.isFinite(n) ? Math.min(MAX_STEPS, Math.max(1, n)) : 1;
  }

  protected override render() {
    const off = !this.enabled;
    const title = off ? this.reason : '';
    const stopped = this.control === 'stopped';
    return html`
      <div class="bar" role="toolbar" aria-label="Run controls" data-testid="controls">
        <button type="button" data-testid="btn-pause" title=${title || 'Pause (Space)'}
          ?disabled=${off || stopped || this.control === 'paused'} @click=${() => this.fire('pause')}>Pause</button>
        <button type="button" data-testid="btn-resume" title=${title || 'Resume (Space)'}
          ?disabled=${off || stopped || this.control === 'running'} @click=${() => this.fire('resume')}>Resume</button>
        <span class="sep"></span>
        <span class="step">
          <button type="button" data-testid="btn-step" title=${title || 'Run n steps, then pause (. runs one)'}
            ?disabled=${off || stopped} @click=${() => this.fire('step', this.stepN)}>Step</button>
          <input type="number" data-testid="input-step-n" aria-label="steps to run" min="1" max=${MAX_STEPS} step="1"
            .value=${String(this.stepN)} ?disabled=${off || stopped} @change=${this.readN} @input=${this.readN}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && !off && this.fire('step', this.stepN)} />
        </span>
        <span class="sep"></span>
        <button type="button" class="danger" data-testid="btn-stop" title=${title || 'Stop: checkpoint and end the run (it can be resumed later)'}
          ?disabled=${off || stopped} @click=${() => this.fire('stop')}>Stop</button>
        <span class="sep"></span>
        <button type="button" class="branch" data-testid="btn-branch" aria-expanded=${this.branchOpen ? 'true' : 'false'}
          title=${this.branchEnabled ? 'Branch this run with changed settings (b)' : this.branchReason}
          ?disabled=${!this.branchEnabled}
          @click=${() => this.dispatchEvent(new CustomEvent('pw-branch-toggle', { bubbles: true, composed: true }))}>${forkIcon()} Branch…</button>
        ${off && this.reason ? html`<span class="why muted" data-testid="controls-reason">${this.reason}</span>` : nothing}
      </div>
    `;
  }
}

if (!customElements.get('pw-controls')) customElements.define('pw-controls', ControlsElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-controls': ControlsElement;
  }
}
