import { svg } from 'lit';

/**
 * The fork mark of branches, as an inline SVG: the character ⑂ (U+2442) is missing from many
 * system fonts (Debian's DejaVu and Liberation among them), where it would show as an empty box.
 * Decorative: the text next to it says "branch of #n at step …" for screen readers.
 */
export function forkIcon(size = 12) {
  return svg`<svg class="fork-icon" width=${size} height=${size} viewBox="0 0 12 12" aria-hidden="true" focusable="false"
    style="vertical-align:-1px;flex:none"><path d="M4 11.5V1M4 7.5C4 4.5 8.5 5.5 8.5 1" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>`;
}

/** A sample of a line style (solid when `dash` is null), for the legends of related runs. */
export function lineSwatch(dash: readonly number[] | null, opacity = 1) {
  return svg`<svg class="swatch" width="30" height="10" viewBox="0 0 30 10" aria-hidden="true" focusable="false" style="flex:none">
    <line x1="1" y1="5" x2="29" y2="5" stroke="#1f2937" stroke-width=${dash ? 1.75 : 2}
      stroke-dasharray=${dash ? dash.join(' ') : 'none'} stroke-opacity=${opacity} /></svg>`;
}
