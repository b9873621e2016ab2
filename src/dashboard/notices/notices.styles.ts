import { css } from 'lit';
import { baseStyles } from '../shared/theme.styles.js';

export const noticesStyles = [
  baseStyles,
  css`
    :host {
      position: fixed;
      right: 16px;
      bottom: 16px;
      z-index: 20;
      display: flex;
      flex-direction: column;
      gap: 8px;
      max-width: min(460px, calc(100vw - 32px));
      pointer-events: none;
    }
    .notice {
      pointer-events: auto;
      display: flex;
      align-items: flex-start;
      gap: 8px;
      padding: 8px 10px;
      border-radius: 6px;
      border: 1px solid #fca5a5;
      background: #fef2f2;
      color: #7f1d1d;
      box-shadow: 0 2px 6px rgba(0, 0, 0, 0.08);
      font-size: 13px;
    }
    .notice[data-level='warning'] {
      border-color: #fcd34d;
      background: #fffbeb;
      color: #78350f;
    }
    .notice[data-level='info'] {
      border-color: #93c5fd;
      background: #eff6ff;
      color: #1e3a8a;
    }
    .text {
      flex: 1;
      overflow-wrap: anywhere;
    }
    .code {
      font-size: 11px;
      opacity: 0.8;
      margin-right: 4px;
    }
    .count {
      font-weight: 600;
      margin-left: 4px;
    }
    button {
      padding: 0 6px;
      line-height: 18px;
      border-color: transparent;
      background: transparent;
      color: inherit;
      font-size: 16px;
    }
  `,
];
