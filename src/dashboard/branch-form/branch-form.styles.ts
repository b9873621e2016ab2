import { css } from 'lit';
import { baseStyles, formFieldStyles } from '../shared/theme.styles.js';

export const branchFormStyles = [
  baseStyles,
  formFieldStyles,
  css`
    :host {
      display: block;
    }
    form {
      display: flex;
      flex-direction: column;
      gap: 8px;
      padding: 10px 12px;
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-left: 3px solid #5b21b6;
      border-radius: 6px;
    }
    header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    h3 {
      margin: 0;
      font-size: 14px;
      font-weight: 650;
    }
    h3 .muted {
      font-weight: 400;
    }
    .close {
      padding: 0 8px;
      font-size: 16px;
      line-height: 22px;
    }
    .grid {
      display: grid;
      grid-template-columns: minmax(0, 2fr) minmax(200px, 1fr);
      gap: 8px 16px;
    }
    @media (max-width: 700px) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .patch,
    .side {
      display: flex;
      flex-direction: column;
      gap: 6px;
      min-width: 0;
    }
    textarea {
      min-height: 64px;
    }
    .suggestions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 6px;
    }
    .chip {
      padding: 1px 8px;
      font-size: 12px;
      border-radius: 11px;
    }
    .chip code {
      font-size: 11px;
      color: var(--pw-muted, #4b5563);
    }
    .chip[aria-pressed='true'] {
      background: #ede9fe;
      border-color: #8b5cf6;
    }
    .note {
      margin: 0;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .row {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    .buttons {
      display: flex;
      gap: 6px;
    }
    .error {
      margin: 0;
      padding: 6px 8px;
      border-radius: 4px;
      background: #fef2f2;
      border: 1px solid #fca5a5;
      color: #7f1d1d;
      font-size: 12px;
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }
  `,
];
