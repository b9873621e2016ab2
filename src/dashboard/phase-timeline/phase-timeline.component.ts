import { html, LitElement, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { PhaseEventMessage } from '../../server/protocol.js';
import type { StepRange } from '../chart/chart.js';
import { formatInt } from '../shared/format.js';
import { eventKey } from '../shared/phase-events.js';
import { BAND_ALPHA_STRIP, CHANGE_POINT_COLOUR, COLLAPSE_COLOUR, CONVERGED_COLOUR, PHASE_COLOURS, STALLED_COLOUR, withAlpha } from '../shared/palette.js';
import {
  clusterChanges,
  evidenceLines,
  formatConfidence,
  PHASE_NAMES,
  stateColour,
  stateText,
  stepRange,
  type ChangeCluster,
  type PhaseSegment,
  type PhaseTimeline,
  type StateMarker,
} from '../shared/phase-timeline.js';
import { phaseTimelineStyles } from './phase-timeline.styles.js';

/** What each phase is (SPEC §3), for the legend and the segment labels. */
export const PHASE_MEANING: Record<(typeof PHASE_NAMES)[number], string> = {
  I: 'w₁ learns v₁',
  II: 'substitution',
  III: 'acceleration',
  IV: 'E back to I',
};

/** Below this width (px) a segment shows only its phase; below the next, nothing (the tooltip still does). */
const RANGE_MIN_PX = 96;
const NAME_MIN_PX = 14;
/** Change points closer than this many px share one tick. */
const TICK_SPACING_PX = 6;
/** A tooltip lists this many change points of a tick, then "+n more". */
const TIP_MAX_CHANGES = 4;

interface TipItem {
  readonly title: string;
  readonly message: string;
  readonly meta: string;
  readonly evidence: readonly string[];
}

/**
 * What the tooltip is about. It names the thing hovered, not its text, so the text is rebuilt on
 * every render: the open segment's range keeps growing while the pointer rests on it.
 */
type TipTarget =
  | { readonly kind: 'segment'; readonly index: number }
  | { readonly kind: 'collapse' }
  | { readonly kind: 'state'; readonly index: number }
  | { readonly kind: 'tick'; readonly key: string };

interface Tip {
  /** Where the tooltip points, in % of the strip. */
  readonly x: number;
  readonly items: readonly TipItem[];
  readonly more: number;
}

/**
 * `<pw-phase-timeline>` (`data-testid="phase-timeline"`): the whole run as a strip of phase
 * segments (`data-testid="phase-segment-<I|II|III|IV>"`), the collapse band, state markers and
 * change-point ticks, with a legend of the band colours. Hovering or focusing a segment, marker or
 * tick shows the event's message, confidence and evidence; clicking a segment (or Enter on it)
 * fires `pw-zoom` with its step range, the same event a drag on a chart fires.
 *
 * It always spans the whole run, whatever the charts' zoom; the zoomed range is outlined on it.
 * @fires pw-zoom
 */
export class PhaseTimelineElement extends LitElement {
  static override properties = {
    timeline: { attribute: false },
    plotted: { attribute: false },
    zoom: { attribute: false },
    tip: { state: true },
    width: { state: true },
  };
  static override styles = phaseTimelineStyles;

  declare timeline: PhaseTimeline | null;
  /** The series some chart plots (a change point elsewhere is marked "timeline only"). */
  declare plotted: readonly string[];
  declare zoom: StepRange | null;
  declare private tip: TipTarget | null;
  declare private width: number;

  private resizer: ResizeObserver | null = null;

  constructor() {
    super();
    this.timeline = null;
    this.plotted = [];
    this.zoom = null;
    this.tip = null;
    this.width = 800;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Label thresholds are in pixels, so the strip's width is needed, not just percentages.
    if (typeof ResizeObserver !== 'undefined' && !this.resizer) {
      this.resizer = new ResizeObserver((entries) => {
        const w = Math.round(entries[0]?.contentRect.width ?? 0);
        if (w > 0 && w !== this.width) this.width = w;
      });
      this.resizer.observe(this);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    this.resizer = null;
  }

  private zoomTo(from: number, to: number): void {
    const range: StepRange = { from: Math.floor(from), to: Math.max(Math.ceil(to), Math.floor(from) + 1) };
    this.dispatchEvent(new CustomEvent<StepRange | null>('pw-zoom', { detail: range, bubbles: true, composed: true }));
  }

  private show(target: TipTarget): void {
    this.tip = target;
  }

  private readonly hide = (): void => {
    this.tip = null;
  };

  protected override render() {
    const t = this.timeline;
    const start = t?.start ?? 0;
    const end = t?.end ?? 0;
    const span = Math.max(1, end - start);
    const pct = (step: number) => (Math.min(1, Math.max(0, (step - start) / span)) * 100);
    const empty = !t || (!t.segments.length && !t.collapse && !t.states.length && !t.changes.length);
    const buckets = Math.max(8, Math.floor(this.width / TICK_SPACING_PX));
    const clusters = t ? clusterChanges(t.changes, start, end, buckets) : [];
    const plotted = new Set(this.plotted);
    return html`
      <section data-testid="phase-timeline" aria-label="Learning phases" ?data-empty=${empty}>
        <header>
          <h3>Phases</h3>
          ${t && !empty ? html`<span class="muted range">steps ${stepRange(start, end)}</span>` : nothing}
          <span class="spacer"></span>
          ${this.renderLegend()}
        </header>
        <div class="track" @mouseleave=${this.hide}>
          <div class="flags">${t ? t.states.map((s, i) => this.renderState(s, i, pct(s.step))) : nothing}</div>
          <div class="strip" role="group" aria-label="Phase segments (Enter zooms the charts to a segment)">
            ${empty ? html`<span class="none muted">no phase detected yet</span>` : nothing}
            ${
              // State lines first: they show through the translucent segments, under the segments' labels.
              t ? t.states.map((s) => html`<span class="state-line" aria-hidden="true" style=${styleMap({ left: `${pct(s.step)}%`, background: stateColour(s.label) })}></span>`) : nothing
            }
            ${t ? t.segments.map((s, i) => this.renderSegment(s, i, pct(s.from), pct(s.to))) : nothing}
            ${t?.collapse ? this.renderCollapse(t.collapse.event, pct(t.collapse.from), pct(t.collapse.to), t.collapse.from, t.collapse.to) : nothing}
            ${this.zoom && t && !empty
              ? html`<span class="zoom-window" aria-hidden="true" title="the charts' zoomed range"
                  style=${styleMap({ left: `${pct(this.zoom.from)}%`, width: `${Math.max(0.3, pct(this.zoom.to) - pct(this.zoom.from))}%` })}></span>`
              : nothing}
          </div>
          <div class="ticks">${clusters.map((c) => this.renderTick(c, pct(c.step), plotted))}</div>
          ${t && !empty
            ? html`<div class="axis muted mono" aria-hidden="true"><span>${formatInt(start)}</span><span>${formatInt(end)}</span></div>`
            : nothing}
          ${this.renderTip(this.resolveTip(clusters, pct, plotted))}
        </div>
      </section>
    `;
  }

  private renderSegment(s: PhaseSegment, index: number, left: number, right: number) {
    const px = ((right - left) / 100) * this.width;
    const range = stepRange(s.from, s.to);
    const target: TipTarget = { kind: 'segment', index };
    const label = `Phase ${s.phase}, ${PHASE_MEANING[s.phase]}, steps ${range}${s.open ? ' so far' : ''}, confidence ${formatConfidence(s.event.confidence)}: ${s.event.message}. Enter zooms the charts to these steps.`;
    const colour = PHASE_COLOURS[s.phase];
    return html`<button
      type="button"
      class="segment"
      data-testid="phase-segment-${s.phase}"
      data-phase=${s.phase}
      data-from=${s.from}
      data-to=${s.to}
      ?data-open=${s.open}
      aria-label=${label}
      style=${styleMap({ left: `${left}%`, width: `${right - left}%`, background: withAlpha(colour, BAND_ALPHA_STRIP), borderLeftColor: colour })}
      @click=${() => this.zoomTo(s.from, s.to)}
      @mouseenter=${() => this.show(target)}
      @focus=${() => this.show(target)}
      @blur=${this.hide}
    >
      ${px >= NAME_MIN_PX ? html`<span class="name">${s.phase}</span>` : nothing}${px >= RANGE_MIN_PX ? html`<span class="steps mono">${range}</span>` : nothing}
    </button>`;
  }

  private renderCollapse(event: PhaseEventMessage, left: number, right: number, from: number, to: number) {
    const px = ((right - left) / 100) * this.width;
    const what = stateText(event.label);
    const target: TipTarget = { kind: 'collapse' };
    return html`<button
      type="button"
      class="segment collapse"
      data-testid="collapse-band"
      data-state=${event.label}
      aria-label=${`${capitalise(what)} from step ${formatInt(from)}, confidence ${formatConfidence(event.confidence)}: ${event.message}. Enter zooms the charts to these steps.`}
      style=${styleMap({ left: `${left}%`, width: `${right - left}%`, borderLeftColor: COLLAPSE_COLOUR })}
      @click=${() => this.zoomTo(from, to)}
      @mouseenter=${() => this.show(target)}
      @focus=${() => this.show(target)}
      @blur=${this.hide}
    >
      ${px >= RANGE_MIN_PX ? html`<span class="name">${what}</span>` : nothing}
    </button>`;
  }

  private renderState(s: StateMarker, index: number, x: number) {
    const what = stateText(s.label);
    const item = stateItem(s);
    const target: TipTarget = { kind: 'state', index };
    // Near the right end the flag hangs to the left of its line, so it stays inside the strip.
    const flip = x > 85;
    return html`<span
      class="flag"
      tabindex="0"
      role="img"
      data-testid="state-marker-${s.label}"
      data-step=${s.step}
      aria-label=${`${item.title}, confidence ${formatConfidence(s.event.confidence)}: ${s.event.message}`}
      style=${styleMap({ left: `${x}%`, color: stateColour(s.label), transform: flip ? 'translateX(-100%)' : 'none' })}
      @mouseenter=${() => this.show(target)}
      @focus=${() => this.show(target)}
      @blur=${this.hide}
      >${flip ? `${what} ▸` : `◂ ${what}`}</span
    >`;
  }

  private renderTick(c: ChangeCluster, x: number, plotted: ReadonlySet<string>) {
    const target: TipTarget = { kind: 'tick', key: eventKey(c.changes[0].event) };
    const onChart = c.changes.some((m) => plotted.has(m.series));
    const label = c.changes.map((m) => `change point on ${m.series} (${m.direction}) at step ${formatInt(m.step)}`).join('; ');
    return html`<span
      class="tick"
      role="img"
      data-testid="change-tick"
      data-count=${c.changes.length}
      ?data-plotted=${onChart}
      aria-label=${label}
      style=${styleMap({ left: `${x}%` })}
      @mouseenter=${() => this.show(target)}
      ><span class="mark"></span>${c.changes.length > 1 ? html`<span class="count">${c.changes.length}</span>` : nothing}</span
    >`;
  }

  /** The tooltip of the hovered or focused thing, from the timeline as it is now (null once it is gone). */
  private resolveTip(clusters: readonly ChangeCluster[], pct: (step: number) => number, plotted: ReadonlySet<string>): Tip | null {
    const t = this.timeline;
    const target = this.tip;
    if (!t || !target) return null;
    if (target.kind === 'segment') {
      const s = t.segments[target.index];
      if (!s) return null;
      const title = `Phase ${s.phase} (${PHASE_MEANING[s.phase]}) · steps ${stepRange(s.from, s.to)}${s.open ? ' so far' : ''}`;
      return { x: (pct(s.from) + pct(s.to)) / 2, items: [eventItem(title, s.event)], more: 0 };
    }
    if (target.kind === 'collapse') {
      const c = t.collapse;
      if (!c) return null;
      return { x: (pct(c.from) + pct(c.to)) / 2, items: [eventItem(`${capitalise(stateText(c.label))} from step ${formatInt(c.from)}`, c.event)], more: 0 };
    }
    if (target.kind === 'state') {
      const s = t.states[target.index];
      return s ? { x: pct(s.step), items: [stateItem(s)], more: 0 } : null;
    }
    // Clusters regroup as the run grows: follow the change point the pointer was on.
    const cluster = clusters.find((c) => c.changes.some((m) => eventKey(m.event) === target.key));
    if (!cluster) return null;
    const items = cluster.changes.slice(0, TIP_MAX_CHANGES).map((m) =>
      eventItem(`Change point: ${m.series} ${directionText(m.direction)} at step ${formatInt(m.step)}${plotted.has(m.series) ? '' : ' (timeline only)'}`, m.event),
    );
    return { x: pct(cluster.step), items, more: cluster.changes.length - items.length };
  }

  private renderTip(tip: Tip | null) {
    if (!tip) return nothing;
    // Anchored on the side with room, so it never runs off the strip.
    const style = tip.x > 60 ? { right: `${100 - tip.x}%` } : { left: `${tip.x}%` };
    return html`<div class="tip" role="tooltip" data-testid="phase-tip" style=${styleMap(style)}>
      ${tip.items.map(
        (item) => html`<div class="item">
          <div class="title">${item.title}</div>
          ${item.message ? html`<div class="message">${item.message}</div>` : nothing}
          <div class="meta muted">${item.meta}</div>
          ${item.evidence.length ? html`<div class="evidence mono">${item.evidence.join(' · ')}</div>` : nothing}
        </div>`,
      )}
      ${tip.more > 0 ? html`<div class="muted">+${tip.more} more</div>` : nothing}
    </div>`;
  }

  private renderLegend() {
    return html`<ul class="legend" aria-label="Legend">
      ${PHASE_NAMES.map(
        (p) => html`<li>
          <span class="swatch" style=${styleMap({ background: withAlpha(PHASE_COLOURS[p], BAND_ALPHA_STRIP), borderColor: PHASE_COLOURS[p] })}></span
          ><b>${p}</b> ${PHASE_MEANING[p]}
        </li>`,
      )}
      <li><span class="swatch collapse"></span>collapse</li>
      <li><span class="line" style=${styleMap({ background: CONVERGED_COLOUR })}></span>converged</li>
      <li><span class="line" style=${styleMap({ background: STALLED_COLOUR })}></span>stalled</li>
      <li><span class="line dashed" style=${styleMap({ borderColor: CHANGE_POINT_COLOUR })}></span>change point</li>
    </ul>`;
  }
}

function stateItem(s: StateMarker): TipItem {
  const what = s.label === 'stalled-II' ? 'stalled in phase II' : stateText(s.label);
  return eventItem(`${capitalise(what)} at step ${formatInt(s.step)}`, s.event);
}

function eventItem(title: string, event: PhaseEventMessage): TipItem {
  const detected = event.detectedAt !== event.step ? ` · detected at step ${formatInt(event.detectedAt)}` : '';
  return {
    title,
    message: event.message,
    meta: `confidence ${formatConfidence(event.confidence)} · ${event.detector}${detected}`,
    evidence: evidenceLines(event.evidence),
  };
}

function directionText(direction: string): string {
  if (direction === 'up') return '↑ up';
  if (direction === 'down') return '↓ down';
  return direction;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

if (!customElements.get('pw-phase-timeline')) customElements.define('pw-phase-timeline', PhaseTimelineElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-phase-timeline': PhaseTimelineElement;
  }
}
