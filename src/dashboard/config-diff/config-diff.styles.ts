import { css } from 'lit';
import { baseStyles, panelStyles } from '../shared/theme.styles.js';

export const configDiffStyles = [
  baseStyles,
  panelStyles,
  css`
    p {
      margin: 0;
      font-size: 13px;
    }
    table {
      border-collapse: collapse;
      font-size: 13px;
      width: 100%;
    }
    th,
    td {
      text-align: left;
      padding: 3px 10px 3px 0;
      border-bottom: 1px solid var(--pw-border, #d7dce3);
      vertical-align: top;
      overflow-wrap: anywhere;
    }
    thead th {
      font-size: 12px;
      font-weight: 600;
      color: var(--pw-text, #1a1d21);
    }
    thead .muted {
      font-weight: 400;
    }
    tbody th {
      font-weight: 500;
    }
    .before {
      color: #7f1d1d;
    }
    .after {
      color: #14532d;
      font-weight: 600;
    }
  `,
];
