import { css } from 'lit';
import { baseStyles } from '../shared/theme.styles.js';

export const controlsStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px;
    }
    .step {
      display: inline-flex;
      align-items: center;
      gap: 4px;
    }
    input[type='number'] {
      width: 86px;
    }
    .sep {
      width: 1px;
      align-self: stretch;
      background: var(--pw-border, #d7dce3);
      margin: 0 4px;
    }
    .why {
      font-size: 12px;
    }
    button.branch[aria-expanded='true'] {
      background: #ede9fe;
      border-color: #8b5cf6;
    }
    button.danger:not(:disabled) {
      color: #991b1b;
      border-color: #f3a5a5;
    }
  `,
];
