import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { RunSummary } from '../../server/protocol.js';
import type { Reply } from '../connection/connection.js';
import { fetchCheckpoints, type CheckpointInfo } from '../shared/api.js';
import { formatInt } from '../shared/format.js';
import { applyAssignments, hasAssignments, parseOverrides } from '../shared/overrides.js';
import { branchFormStyles } from './branch-form.styles.js';

/** What the form asks the server to branch (the ws `branch` message without its type and id). */
export interface BranchRequest {
  runId: number;
  at?: number;
  /** Instead of now: a rule, branching the live run when this detector event fires (ws `branch-on`). */
  on?: string;
  sets?: string[];
  name?: string;
}

/** Rules a live run can be given from the form: branch when the event fires (value `on:<trigger>`). */
export const BRANCH_TRIGGERS: readonly { on: string; label: string }[] = [
  { on: 'phase:II', label: 'when phase II begins' },
  { on: 'phase:III', label: 'when phase III begins' },
  { on: 'phase:IV', label: 'when phase IV begins' },
  { on: 'state:dimensional-collapse', label: 'at a dimensional collapse' },
  { on: 'cp:loss', label: 'at the next change point on the loss' },
];

/** Sends a branch request and resolves with the server's answer (ack: the new run's id). */
export type BranchHandler = (request: BranchRequest) => Promise<Reply>;

/**
 * One-click patches for the experiments the tool is for (DESIGN.md: drop the head, freeze E,
 * switch off BN, move the stop-gradient, swap SGD for Adam). Adam comes with the learning rates
 * of the `adam` preset: SGD's η = 0.01 / η_E = 0.001 are far too large or small for it.
 */
export const BRANCH_SUGGESTIONS: readonly { id: string; label: string; sets: readonly string[]; title: string }[] = [
  { id: 'head-none', label: 'drop the head', sets: ['head.mode=none'], title: 'E ≡ I from the fork on' },
  { id: 'freeze-e', label: 'freeze E', sets: ['optim.lrE=0'], title: 'η_E = 0: the head keeps the value it has at the fork' },
  { id: 'adam', label: 'Adam', sets: ['optim.kind=adam', 'optim.lrW=0.003', 'optim.lrE=0.003'], title: 'swap SGD for Adam, lr 0.003 for W and E (as the adam preset)' },
  { id: 'norm-off', label: 'no BatchNorm', sets: ['norm.mode=off'], title: 'no normalisation of the representations' },
  { id: 'stopgrad-online', label: 'stop-grad on F', sets: ['stopGrad.mode=online'], title: 'hold the online branch F constant instead of the target G' },
];

/** The select's value for "the live run's current step" (no `at` in the request). */
const CURRENT = 'current';

/**
 * `<pw-branch-form>`: branch a run with a config patch — where (a live run: its current step by
 * default, or one of its checkpoints; a stopped run: one of its checkpoints, the latest by
 * default, listed from `GET /api/runs/:id/checkpoints`), the patch (one `key=value` per line,
 * as the start form's overrides, with one-click suggestions) and an optional name. Shows the
 * server's message when it refuses (a patch that cannot continue the saved state, a bad value,
 * a step without a checkpoint). Esc or Cancel closes it.
 *
 * `data-testid`s: branch-form, branch-at, branch-sets, branch-name, suggest-<id>,
 * btn-branch-submit, btn-branch-cancel, branch-error.
 * @fires pw-branched {runId, parentId} after the server acknowledged the branch
 * @fires pw-branch-rule {runId, on} after the server took a rule (branch when an event fires)
 * @fires pw-branch-close
 */
export class BranchFormElement extends LitElement {
  static override properties = {
    run: { attribute: false },
    live: { type: Boolean },
    step: { type: Number },
    enabled: { type: Boolean },
    reason: { type: String },
    submit: { attribute: false },
    patch: { state: true },
    at: { state: true },
    checkpoints: { state: true },
    checkpointsError: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  static override styles = branchFormStyles;

  declare run: RunSummary | undefined;
  declare live: boolean;
  /** The run's current step (shown for "current step"). */
  declare step: number;
  declare enabled: boolean;
  declare reason: string;
  declare submit: BranchHandler | null;
  declare private patch: string;
  /** CURRENT, a checkpoint step, or '' (nothing chosen yet: the default applies). */
  declare private at: string;
  declare private checkpoints: CheckpointInfo[] | null;
  declare private checkpointsError: string | null;
  declare private busy: boolean;
  declare private error: string | null;
  private loadedFor = -1;
  private abort: AbortController | null = null;

  constructor() {
    super();
    this.run = undefined;
    this.live = false;
    this.step = 0;
    this.enabled = false;
    this.reason = '';
    this.submit = null;
    this.patch = '';
    this.at = '';
    this.checkpoints = null;
    this.checkpointsError = null;
    this.busy = false;
    this.error = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.loadedFor = -1;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const id = this.run?.id ?? -1;
    if (id !== this.loadedFor && id > 0) {
      // Another run: its own fork steps, and the previous run's refusal no longer applies.
      this.loadedFor = id;
      this.at = '';
      this.error = null;
      void this.loadCheckpoints(id);
    } else if (changed.has('live') && changed.get('live') === true && !this.live && id > 0) {
      // The run stopped while the form was open: it has a new last checkpoint, and no "current step".
      this.at = '';
      void this.loadCheckpoints(id);
    }
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
  }

  private async loadCheckpoints(runId: number): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.checkpoints = null;
    this.checkpointsError = null;
    try {
      const list = await fetchCheckpoints(runId, abort.signal);
      if (abort.signal.aborted) return;
      this.checkpoints = [...list].sort((a, b) => a.step - b.step);
    } catch (error) {
      if ((error as Error).name === 'AbortError' || abort.signal.aborted) return;
      this.checkpointsError = (error as Error).message;
    }
  }

  /** The fork step as chosen, or the default: the current step of a live run, the latest checkpoint of another. */
  private chosenAt(): string {
    if (this.at) return this.at;
    if (this.live) return CURRENT;
    const latest = this.checkpoints?.at(-1);
    return latest ? String(latest.step) : '';
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('pw-branch-close', { bubbles: true, composed: true }));
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return;
    // Handled here: the page's own Esc handling must not act on it too.
    event.preventDefault();
    event.stopPropagation();
    this.close();
  }

  private suggest(sets: readonly string[]): void {
    this.patch = applyAssignments(this.patch, sets);
    this.error = null;
    const area = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    area?.focus();
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    const run = this.run;
    if (!run || !this.enabled || this.busy || !this.submit) return;
    const form = event.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const parsed = parseOverrides(this.patch);
    if ('error' in parsed) {
      this.error = parsed.error;
      return;
    }
    const at = this.chosenAt();
    if (at === '') {
      this.error = this.checkpoints
        ? `Run #${run.id} has no checkpoint to branch from${this.live ? '' : '; resume it, or pause a live run, to make one'}.`
        : 'The fork steps have not loaded yet.';
      return;
    }
    this.error = null;
    this.busy = true;
    try {
      const on = at.startsWith('on:') ? at.slice(3) : null;
      const reply = await this.submit({
        runId: run.id,
        ...(on ? { on } : at !== CURRENT ? { at: Number(at) } : {}),
        ...(parsed.sets.length ? { sets: parsed.sets } : {}),
        ...(name ? { name: name.slice(0, 128) } : {}),
      });
      if (reply.ok && on) {
        // A rule: nothing to select yet; the branch appears in the list when the event fires.
        this.dispatchEvent(new CustomEvent('pw-branch-rule', { detail: { runId: run.id, on }, bubbles: true, composed: true }));
      } else if (reply.ok && reply.runId !== undefined) {
        this.dispatchEvent(new CustomEvent('pw-branched', { detail: { runId: reply.runId, parentId: run.id }, bubbles: true, composed: true }));
      } else if (!reply.ok) {
        this.error = reply.message;
      }
    } finally {
      this.busy = false;
    }
  }

  private renderAt() {
    const chosen = this.chosenAt();
    const off = !this.enabled;
    const points = this.checkpoints ?? [];
    const none = !this.live && this.checkpoints !== null && points.length === 0;
    return html`
      <label>
        fork at
        <select name="at" data-testid="branch-at" ?disabled=${off || none} aria-describedby="at-note"
          @change=${(e: Event) => (this.at = (e.target as HTMLSelectElement).value)}>
          ${this.live ? html`<option value=${CURRENT} ?selected=${chosen === CURRENT}>current step (${formatInt(this.step)})</option>` : nothing}
          ${points.map(
            (c) => html`<option value=${String(c.step)} ?selected=${chosen === String(c.step)}>step ${formatInt(c.step)} · ${c.reason} checkpoint</option>`,
          )}
          ${none ? html`<option value="" selected>no checkpoints</option>` : nothing}
          ${this.live
            ? html`<optgroup label="later, automatically">
                ${BRANCH_TRIGGERS.map((t) => html`<option value=${`on:${t.on}`} ?selected=${chosen === `on:${t.on}`}>${t.label}</option>`)}
              </optgroup>`
            : nothing}
        </select>
      </label>
      <p class="note" id="at-note">
        ${this.checkpointsError
          ? `Checkpoints unavailable (${this.checkpointsError}).`
          : this.checkpoints === null
            ? 'loading checkpoints…'
            : this.live
              ? chosen.startsWith('on:')
                ? 'The run branches itself at the record where the event fires, once.'
                : 'The parent keeps training.'
              : none
                ? 'This run has no checkpoint to branch from.'
                : `${points.length} checkpoint${points.length === 1 ? '' : 's'}.`}
      </p>
    `;
  }

  protected override render() {
    const run = this.run;
    if (!run) return nothing;
    const off = !this.enabled;
    const parsed = parseOverrides(this.patch);
    const sets = 'sets' in parsed ? parsed.sets : [];
    // What the server names a branch when no name is given (planBranch), shown as the placeholder.
    const defaultName = `${run.name} + ${sets.join(' ') || 'copy'}`;
    return html`
      <form data-testid="branch-form" aria-labelledby="branch-title" novalidate @submit=${this.onSubmit} @keydown=${this.onKeyDown}>
        <header>
          <h3 id="branch-title">Branch run #${run.id} <span class="muted">${run.name}</span></h3>
          <button type="button" class="close" aria-label="Close the branch form" title="Close (Esc)" @click=${this.close}>×</button>
        </header>
        <div class="grid">
          <div class="patch">
            <label>
              patch, one key=value per line
              <textarea name="sets" data-testid="branch-sets" spellcheck="false" ?disabled=${off} .value=${this.patch}
                placeholder=${'head.mode=none\noptim.lrE=0'} aria-describedby="suggest-label"
                @input=${(e: Event) => (this.patch = (e.target as HTMLTextAreaElement).value)}></textarea>
            </label>
            <div class="suggestions" role="group" aria-labelledby="suggest-label">
              <span id="suggest-label" class="note">add:</span>
              ${BRANCH_SUGGESTIONS.map(
                (s) => html`<button type="button" class="chip" data-testid="suggest-${s.id}" ?disabled=${off}
                  aria-pressed=${hasAssignments(this.patch, s.sets) ? 'true' : 'false'} title=${`${s.title}: ${s.sets.join(', ')}`}
                  @click=${() => this.suggest(s.sets)}>${s.label} <code>${s.sets[0]}${s.sets.length > 1 ? ' …' : ''}</code></button>`,
              )}
            </div>
          </div>
          <div class="side">
            ${this.renderAt()}
            <label>
              name (optional)
              <input name="name" data-testid="branch-name" maxlength="128" autocomplete="off" ?disabled=${off} placeholder=${defaultName} />
            </label>
          </div>
        </div>
        ${this.error ? html`<p class="error" role="alert" data-testid="branch-error">${this.error}</p>` : nothing}
        <div class="row">
          <span class="note">${off ? this.reason : 'Selects the new branch; this run stays in the comparison.'}</span>
          <span class="buttons">
            <button type="button" data-testid="btn-branch-cancel" @click=${this.close}>Cancel</button>
            <button type="submit" class="primary" data-testid="btn-branch-submit" ?disabled=${off || this.busy}>${this.busy ? 'Branching…' : 'Branch'}</button>
          </span>
        </div>
      </form>
    `;
  }
}

if (!customElements.get('pw-branch-form')) customElements.define('pw-branch-form', BranchFormElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-branch-form': BranchFormElement;
  }
}
