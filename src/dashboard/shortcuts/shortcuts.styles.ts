import { css } from 'lit';
import { baseStyles } from '../shared/theme.styles.js';

export const shortcutsStyles = [
  baseStyles,
  css`
    :host {
      display: contents;
    }
    .backdrop {
      position: fixed;
      inset: 0;
      z-index: 30;
      background: rgba(17, 24, 39, 0.35);
      display: flex;
      align-items: center;
      justify-content: center;
    }
    .dialog {
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 8px;
      padding: 16px 20px;
      min-width: 320px;
      max-width: calc(100vw - 32px);
      box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18);
    }
    h2 {
      margin: 0 0 10px;
      font-size: 16px;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    td {
      padding: 4px 6px;
      vertical-align: top;
    }
    kbd {
      display: inline-block;
      min-width: 22px;
      text-align: center;
      padding: 1px 6px;
      border: 1px solid var(--pw-border-strong, #b8c0cc);
      border-bottom-width: 2px;
      border-radius: 4px;
      background: #f9fafb;
      font-family: ui-monospace, Menlo, Consolas, monospace;
      font-size: 12px;
    }
    footer {
      margin-top: 12px;
      display: flex;
      justify-content: space-between;
      align-items: center;
      gap: 12px;
      font-size: 12px;
    }
  `,
];
