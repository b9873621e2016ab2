import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Reply } from '../connection/connection.js';
import { fetchPlugins, fetchPresets, type PluginModuleInfo, type PresetInfo } from '../shared/api.js';
import { parseOverrides } from '../shared/overrides.js';
import { startFormStyles } from './start-form.styles.js';

/** What the form asks the server to start. */
export interface StartRequest {
  preset?: string;
  sets?: string[];
  name?: string;
  /** Metric plug-in modules the server has loaded, by name (`GET /api/plugins`): their series are recorded too. */
  plugins?: string[];
}

/** Sends a start request and resolves with the server's answer. */
export type StartHandler = (request: StartRequest) => Promise<Reply>;

/**
 * `<pw-start-form>`: start a run from a preset (the list comes from `GET /api/presets`) with
 * `key=value` overrides and, when the server has loaded metric plug-in modules
 * (`GET /api/plugins`), a checkbox per module (checked by default) to record its metrics too.
 * Shows the server's message when it refuses the config or a plug-in.
 * `data-testid`s: start-form, start-preset, start-name, start-overrides, start-plugins,
 * start-plugin-<module name>, btn-start, start-error, start-result.
 * @fires pw-started run id, after the server acknowledged the start
 */
export class StartFormElement extends LitElement {
  static override properties = {
    enabled: { type: Boolean },
    reason: { type: String },
    submit: { attribute: false },
    presets: { state: true },
    presetError: { state: true },
    plugins: { state: true },
    pluginError: { state: true },
    unchecked: { state: true },
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
  declare private plugins: PluginModuleInfo[] | null;
  declare private pluginError: string | null;
  /** The modules the user unticked (the rest are sent): a module loaded later starts ticked. */
  declare private unchecked: ReadonlySet<string>;
  declare private preset: string;
  declare private busy: boolean;
  declare private error: string | null;
  declare private result: string | null;
  private abort: AbortController | null = null;
  private pluginAbort: AbortController | null = null;

  constructor() {
    super();
    this.enabled = false;
    this.reason = '';
    this.submit = null;
    this.presets = null;
    this.presetError = null;
    this.plugins = null;
    this.pluginError = null;
    this.unchecked = new Set();
    this.preset = 'default';
    this.busy = false;
    this.error = null;
    this.result = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadPresets();
    void this.loadPlugins();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.pluginAbort?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Presets or plug-ins failed earlier (no server yet): try again when the form becomes usable.
    if (changed.has('enabled') && this.enabled && this.presets === null && this.presetError !== null) void this.loadPresets();
    if (changed.has('enabled') && this.enabled && this.plugins === null && this.pluginError !== null) void this.loadPlugins();
  }

  private async loadPlugins(): Promise<void> {
    this.pluginAbort?.abort();
    const abort = new AbortController();
    this.pluginAbort = abort;
    try {
      this.plugins = await fetchPlugins(abort.signal);
      this.pluginError = null;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.plugins = null;
      this.pluginError = (error as Error).message;
    }
  }

  /** The modules to send: those listed and not unticked. */
  private chosenPlugins(): string[] {
    return (this.plugins ?? []).map((p) => p.name).filter((name) => !this.unchecked.has(name));
  }

  private togglePlugin(name: string, on: boolean): void {
    const next = new Set(this.unchecked);
    if (on) next.delete(name);
    else next.add(name);
    this.unchecked = next;
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
    const plugins = this.chosenPlugins();
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
        ...(plugins.length ? { plugins } : {}),
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

  /** A checkbox per loaded module, labelled with its metrics' names, their descriptions as the tooltip. */
  private renderPlugins(off: boolean) {
    if (this.pluginError) return html`<p class="about">Plug-in list unavailable (${this.pluginError}).</p>`;
    if (!this.plugins?.length) return nothing;
    return html`<fieldset data-testid="start-plugins">
      <legend>metric plug-ins</legend>
      ${this.plugins.map((module) => {
        const title = module.metrics.map((m) => (m.description ? `${m.name}: ${m.description}` : m.name)).join('\n');
        return html`<label class="check" title=${`${title}\n${module.path}`}>
          <input type="checkbox" data-testid="start-plugin-${module.name}" value=${module.name} ?disabled=${off}
            .checked=${!this.unchecked.has(module.name)}
            @change=${(e: Event) => this.togglePlugin(module.name, (e.target as HTMLInputElement).checked)} />
          <span>${module.metrics.map((m) => m.name).join(', ')} <span class="muted">${module.name}</span></span>
        </label>`;
      })}
    </fieldset>`;
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
        ${this.renderPlugins(off)}
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
