import { css } from 'lit';
import { baseStyles } from '../shared/theme.styles.js';

export const appStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      min-height: 100vh;
      background: var(--pw-bg, #f4f6f9);
    }
    .top {
      display: flex;
      align-items: center;
      gap: 14px;
      padding: 8px 16px;
      background: var(--pw-panel, #fff);
      border-bottom: 1px solid var(--pw-border, #d7dce3);
      position: sticky;
      top: 0;
      z-index: 10;
    }
    .brand {
      font-weight: 700;
      font-size: 16px;
      letter-spacing: 0.01em;
    }
    .tagline {
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .spacer {
      flex: 1 1 auto;
    }
    .conn {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-size: 13px;
    }
    .conn .dot {
      width: 9px;
      height: 9px;
      border-radius: 50%;
      background: #9ca3af;
    }
    .conn[data-state='open'] .dot {
      background: #16a34a;
    }
    .conn[data-state='connecting'] .dot {
      background: #f59e0b;
    }
    .conn[data-state='closed'] .dot {
      background: #dc2626;
    }
    .conn button {
      padding: 1px 8px;
      font-size: 12px;
    }
    .access {
      font-size: 12px;
      padding: 1px 8px;
      border-radius: 9px;
      border: 1px solid var(--pw-border-strong, #b8c0cc);
      color: var(--pw-muted, #4b5563);
    }
    .access[data-access='control'] {
      border-color: #86efac;
      color: #14532d;
      background: #f0fdf4;
    }
    .layout {
      display: grid;
      grid-template-columns: minmax(240px, 300px) minmax(0, 1fr);
      gap: 14px;
      padding: 14px 16px 24px;
      align-items: start;
    }
    aside {
      display: flex;
      flex-direction: column;
      gap: 14px;
      position: sticky;
      top: 58px;
      max-height: calc(100vh - 72px);
      overflow: auto;
      padding-right: 2px;
    }
    aside h2 {
      margin: 0 0 6px;
      font-size: 13px;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--pw-muted, #4b5563);
    }
    .panel {
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
      padding: 10px 12px;
    }
    main {
      min-width: 0;
    }
    .placeholder {
      padding: 40px 20px;
      text-align: center;
      color: var(--pw-muted, #4b5563);
      background: var(--pw-panel, #fff);
      border: 1px dashed var(--pw-border-strong, #b8c0cc);
      border-radius: 6px;
    }
    @media (max-width: 820px) {
      .layout {
        grid-template-columns: minmax(0, 1fr);
      }
      aside {
        position: static;
        max-height: none;
      }
      .tagline {
        display: none;
      }
    }
  `,
];
