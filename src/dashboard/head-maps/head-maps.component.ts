import { html, LitElement, nothing } from 'lit';
import { DIVERGING_LIMIT, divergingColour, readableInk } from '../shared/diverging-scale.js';
import { formatEntry, formatInt } from '../shared/format.js';
import { headMatrices, headMatrixColumns, type HeadMatrices, type HeadMatrix } from '../shared/head-matrices.js';
import type { ChartSource, RunSeries } from '../shared/run-series.js';
import { ExactLatestController } from './exact-latest.controller.js';
import { headMapsStyles } from './head-maps.styles.js';

/**
 * `<pw-head-maps>` (`data-testid="head-maps"`): the learned head E next to the closed-form
 * predictors E* and W_DP and the identity I, as small m×m heat maps at the latest recorded step
 * (see headMatrices; exact even when the run's history is held decimated, see
 * ExactLatestController), on one diverging scale (blue < 0 < red, saturating at ±1) with each value
 * written in its cell. Each map is `data-testid="head-map-<id>"` (E, Estar, WDP, I) with
 * `data-step`; each cell has `data-row`, `data-col` (1-based) and `data-value` (empty: not
 * recorded). For m > 4, where entries are not recorded, one line says so
 * (`data-testid="head-maps-note"`).
 *
 * @example
 * html`<pw-head-maps .runId=${7} .series=${runSeries} .version=${runSeries.version} .m=${2}></pw-head-maps>`
 */
export class HeadMapsElement extends LitElement {
  static override properties = {
    runId: { type: Number },
    series: { attribute: false },
    version: { type: Number },
    m: { type: Number },
  };
  static override styles = headMapsStyles;

  declare runId: number;
  declare series: RunSeries | null;
  /** Bump when the series gained rows. */
  declare version: number;
  declare m: number;

  private readonly exact = new ExactLatestController(this);
  private memo: { source: ChartSource | null; version: number; m: number; matrices: HeadMatrices } | null = null;

  constructor() {
    super();
    this.runId = 0;
    this.series = null;
    this.version = 0;
    this.m = 0;
  }

  /** The matrices, read again only when the data changed (the run view re-renders for other reasons too). */
  private matrices(): HeadMatrices {
    const source = this.exact.source(this.runId, this.series, headMatrixColumns(this.m));
    const memo = this.memo;
    if (memo && memo.source === source && memo.version === this.version && memo.m === this.m) return memo.matrices;
    const matrices = headMatrices(source, this.m);
    this.memo = { source, version: this.version, m: this.m, matrices };
    return matrices;
  }

  private renderMap(map: HeadMatrix) {
    const label = `${map.symbol}, ${map.caption}${map.step !== null ? `, step ${formatInt(map.step)}` : ''}`;
    return html`<figure data-testid="head-map-${map.id}" data-step=${map.step ?? ''}>
      <table aria-label=${label}>
        <tbody>
          ${map.cells.map(
            (row, j) => html`<tr>
              ${row.map((value, r) => {
                const fill = divergingColour(value);
                const title = `${map.symbol}${j + 1}${r + 1} = ${value === null ? 'not recorded' : value}`;
                return html`<td data-row=${j + 1} data-col=${r + 1} data-value=${value ?? ''} title=${title}
                  style="background:${fill};color:${readableInk(fill)}">${formatEntry(value)}</td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
      <figcaption><b>${map.symbol}</b> ${map.caption}${map.step !== null ? html` · step ${formatInt(map.step)}` : nothing}</figcaption>
    </figure>`;
  }

  protected override render() {
    const matrices = this.matrices();
    const gradient = `linear-gradient(to right, ${divergingColour(-DIVERGING_LIMIT)}, ${divergingColour(0)}, ${divergingColour(DIVERGING_LIMIT)})`;
    return html`<section data-testid="head-maps" aria-labelledby="maps-title" data-m=${this.m}>
      <h3 id="maps-title">Head and closed-form predictors <span class="muted">latest recorded step</span></h3>
      ${matrices.kind === 'none'
        ? html`<p data-testid="head-maps-note">${matrices.reason}</p>`
        : html`<div class="maps">${matrices.maps.map((map) => this.renderMap(map))}</div>
            ${matrices.notes.length ? html`<p class="notes" data-testid="head-maps-note">${matrices.notes.join(' ')}</p>` : nothing}
            <div class="scale" aria-hidden="true">
              −${DIVERGING_LIMIT}<span class="bar" style="background:${gradient}"></span>+${DIVERGING_LIMIT}
              <span>(saturates beyond)</span>
            </div>`}
    </section>`;
  }
}

if (!customElements.get('pw-head-maps')) customElements.define('pw-head-maps', HeadMapsElement);

declare global {
  interface HTMLElementTagNameMap {
    'pw-head-maps': HeadMapsElement;
  }
}
