import { css, unsafeCSS } from 'lit';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export const chartStyles = [
  // uPlot's own stylesheet must live inside the shadow root that holds the plot.
  unsafeCSS(uplotCss),
  css`
    :host {
      display: block;
      min-width: 0;
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
      padding: 10px 12px 6px;
      color: var(--pw-text, #1a1d21);
      font-family: var(--pw-font, system-ui, sans-serif);
    }
    header {
      display: flex;
      align-items: flex-start;
      gap: 8px;
    }
    .titles {
      flex: 1 1 auto;
      min-width: 0;
    }
    h3 {
      display: inline;
      margin: 0 8px 0 0;
      font-size: 14px;
      font-weight: 600;
    }
    .note {
      color: var(--pw-muted, #4b5563);
      font-size: 12px;
    }
    label.log {
      flex: none;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
      display: inline-flex;
      align-items: center;
      gap: 4px;
      cursor: pointer;
      user-select: none;
    }
    .frame {
      position: relative;
      margin-top: 6px;
    }
    .plot {
      width: 100%;
      min-height: 40px;
    }
    .empty {
      display: none;
      position: absolute;
      inset: 0;
      align-items: center;
      justify-content: center;
      color: var(--pw-muted, #4b5563);
      font-size: 13px;
      pointer-events: none;
    }
    :host([data-points='0']) .empty {
      display: flex;
    }
    .uplot {
      font-family: inherit;
      width: 100%;
    }
    .u-legend {
      font-size: 12px;
      text-align: left;
    }
    .u-legend .u-series > * {
      padding: 1px 4px;
    }
    /* Related runs' series: explained once by the run legend, not per line here. */
    .u-legend .pw-overlay,
    .u-cursor-pt.pw-overlay {
      display: none;
    }
    /* Which line style is which run (the uPlot legend above names the quantities). */
    .runs {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 14px;
      list-style: none;
      margin: 2px 0 0;
      padding: 4px 4px 0;
      border-top: 1px solid var(--pw-border, #d7dce3);
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .runs li {
      display: inline-flex;
      align-items: center;
      gap: 5px;
    }
    .u-select {
      background: rgba(37, 99, 235, 0.12);
    }
  `,
];
