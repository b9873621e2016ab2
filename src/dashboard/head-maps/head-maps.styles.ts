import { css } from 'lit';
import { baseStyles, panelStyles } from '../shared/theme.styles.js';

export const headMapsStyles = [
  baseStyles,
  panelStyles,
  css`
    section {
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
      padding: 10px 12px;
    }
    h3 .muted {
      font-weight: 400;
      font-size: 12px;
    }
    p {
      margin: 0;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .maps {
      display: flex;
      flex-wrap: wrap;
      gap: 12px 20px;
      align-items: flex-start;
    }
    figure {
      margin: 0;
    }
    table {
      border-collapse: separate;
      border-spacing: 2px;
    }
    td {
      width: 40px;
      height: 30px;
      padding: 0;
      text-align: center;
      font-size: 11px;
      font-variant-numeric: tabular-nums;
      border-radius: 2px;
    }
    figcaption {
      margin-top: 2px;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    figcaption b {
      color: var(--pw-text, #1a1d21);
      font-weight: 650;
    }
    .scale {
      display: flex;
      align-items: center;
      gap: 6px;
      margin-top: 8px;
      font-size: 11px;
      color: var(--pw-muted, #4b5563);
    }
    .bar {
      width: 140px;
      height: 8px;
      border-radius: 2px;
      border: 1px solid var(--pw-border, #d7dce3);
    }
    .notes {
      margin-top: 6px;
    }
  `,
];
