import { css } from 'lit';
import { baseStyles, formFieldStyles } from '../shared/theme.styles.js';

export const startFormStyles = [
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
    }
    h2 {
      margin: 0;
      font-size: 14px;
    }
    textarea {
      min-height: 76px;
    }
    .about {
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
      margin: 0;
    }
    .about b {
      color: var(--pw-text, #1a1d21);
      font-weight: 600;
    }
    fieldset {
      margin: 0;
      padding: 4px 8px 6px;
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 4px;
      display: flex;
      flex-direction: column;
      gap: 2px;
    }
    legend {
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
      padding: 0 4px;
    }
    label.check {
      flex-direction: row;
      align-items: center;
      gap: 6px;
      color: var(--pw-text, #1a1d21);
      font-size: 13px;
    }
    label.check input {
      width: auto;
      margin: 0;
    }
    label.check .muted {
      font-size: 12px;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 8px;
      justify-content: space-between;
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
    .ok {
      margin: 0;
      font-size: 12px;
      color: #166534;
    }
  `,
];
