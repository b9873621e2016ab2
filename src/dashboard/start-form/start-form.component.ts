import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Reply } from '../connection/connection.js';
import { fetchPresets, type PresetInfo } from '../shared/api.js';
import { parseOverrides } from '../shared/overrides.js';
import { startFormStyles } from './start-form.styles.js';

/** What the form asks the server to start. */
export interface StartRequest {
  preset?: string;
  sets?: string[];
  name?: string;
}

/** Sends a start request and resolves with the server's answer. */
export type StartHandler = (request: StartRequest) => Promise<Reply>;

/**
 * `<pw-start-form>`: start a run from a preset (the list comes from `GET /api/presets`) with
 * `key=value` overrides. Shows the server's message when it refuses the config.
 * `data-testid`s: start-form, start-preset, start-name, start-overrides, btn-start, start-error, start-result.
 * @fires pw-started run id, after the server acknowledged the start
 */
export class StartFormElement extends LitElement {
  static override properties = {
    enabled: { type: Boolean },
    reason: { type: String },
    submit: { attribute: false },
    presets: { state: true },
    presetError: { state: true },
    preset: { state: true },
    busy: { state: true },
    error: { state: true },
    result: { state: true },
  };
  static override styles = startFormStyles;

  declare enabled: boolean;
  declare reason: string;
  declare submit: StartHandler | null;
  declare private presets: PresetInfo[] | null;
  declare private presetError: string | null;
  declare private preset: string;
  declare private busy: boolean;
  declare private error: string | null;
  declare private result: string | null;
  private abort: AbortController | null = null;

  constructor() {
    super();
    this.enabled = false;
    this.reason = '';
    this.submit = null;
    this.presets = null;
    this.presetError = null;
    this.preset = 'default';
    this.busy = false;
    this.error = null;
    this.result = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadPresets();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Presets failed earlier (no server yet): try again when the form becomes usable.
    if (changed.has('enabled') && this.enabled && this.presets === null && this.presetError !== null) void this.loadPresets();
  }

  private async loadPresets(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    try {
      const presets = await fetchPresets(abort.signal);
      this.presets = presets;
      this.presetError = null;
      if (presets.length && !presets.some((p) => p.name === this.preset)) this.preset = presets[0].name;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.presets = null;
      this.presetError = (error as Error).message;
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.enabled || this.busy || !this.submit) return;
    const form = event.target as HTMLFormElement;
    const overrides = (form.elements.namedItem('overrides') as HTMLTextAreaElement).value;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const presetField = form.elements.namedItem('preset') as HTMLSelectElement | HTMLInputElement;
    const preset = presetField.value.trim();
    const parsed = parseOverrides(overrides);
    this.result = null;
    if ('error' in parsed) {
      this.error = parsed.error;
      return;
    }
    this.error = null;
    this.busy = true;
    try {
      const reply = await this.submit({
        ...(preset ? { preset } : {}),
        ...(parsed.sets.length ? { sets: parsed.sets } : {}),
        ...(name ? { name: name.slice(0, 128) } : {}),
      });
      if (reply.ok) {
        this.result = reply.runId !== undefined ? `Started run #${reply.runId}.` : 'Started.';
        if (reply.runId !== undefined) {
          this.dispatchEvent(new CustomEvent('pw-started', { detail: reply.runId, bubbles: true, composed: true }));
        }
      } else {
        this.error = reply.message;
      }
    } finally {
      this.busy = false;
    }
  }

  private presetInfo(): PresetInfo | undefined {
    return this.presets?.find((p) => p.name === this.preset);
  }

  protected override render() {
    const off = !this.enabled;
    const info = this.presetInfo();
    return html`
      <form data-testid="start-form" @submit=${this.onSubmit} novalidate>
        <h2>Start a run</h2>
        <label>
          preset
          ${this.presets
            ? html`<select name="preset" data-testid="start-preset" ?disabled=${off}
                @change=${(e: Event) => (this.preset = (e.target as HTMLSelectElement).value)}>
                ${this.presets.map((p) => html`<option value=${p.name} ?selected=${p.name === this.preset}>${p.name}</option>`)}
              </select>`
            : html`<input name="preset" data-testid="start-preset" ?disabled=${off} .value=${this.preset}
                placeholder="preset name" @input=${(e: Event) => (this.preset = (e.target as HTMLInputElement).value)} />`}
        </label>
        ${info ? html`<p class="about" data-testid="start-preset-about">${info.description}${info.expected ? html`<br /><b>expected:</b> ${info.expected}` : nothing}</p>` : nothing}
        ${this.presetError ? html`<p class="about">Preset list unavailable (${this.presetError}); type a preset name.</p>` : nothing}
        <label>
          name (optional)
          <input name="name" data-testid="start-name" maxlength="128" ?disabled=${off} autocomplete="off" />
        </label>
        <label>
          overrides, one key=value per line
          <textarea name="overrides" data-testid="start-overrides" ?disabled=${off} spellcheck="false"
            placeholder=${'optim.lrE=0.003\nseed=3\nsteps=8000'}></textarea>
        </label>
        ${this.error ? html`<p class="error" role="alert" data-testid="start-error">${this.error}</p>` : nothing}
        ${this.result ? html`<p class="ok" role="status" data-testid="start-result">${this.result}</p>` : nothing}
        <div class="row">
          <span class="muted" style="font-size:12px">${off ? this.reason : ''}</span>
          <button type="submit" class="primary" data-testid="btn-start" ?disabled=${off || this.busy}>${this.busy ? 'Starting…' : 'Start'}</button>
        </div>
      </form>
    `;
  }
}

if (!customElements.get('pw-start-form')) customElements.define('pw-start-form', StartFormElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-start-form': StartFormElement;
  }
}
