import { css } from 'lit';
import { baseStyles } from '../shared/theme.styles.js';

export const runViewStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      min-width: 0;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      justify-content: space-between;
      gap: 10px 24px;
      padding: 12px 14px;
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
    }
    .title {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px;
    }
    h2 {
      margin: 0;
      font-size: 18px;
      font-weight: 650;
      overflow-wrap: anywhere;
    }
    .id {
      color: var(--pw-muted, #4b5563);
      font-size: 14px;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 16px;
      margin: 6px 0 0;
      font-size: 13px;
    }
    .facts div {
      display: flex;
      gap: 4px;
    }
    .facts dt {
      color: var(--pw-muted, #4b5563);
    }
    .facts dd {
      margin: 0;
      font-weight: 500;
    }
    .counters {
      display: flex;
      gap: 20px;
      text-align: right;
    }
    .counter .value {
      font-size: 22px;
      font-weight: 650;
      line-height: 1.1;
    }
    .counter .of {
      font-size: 14px;
    }
    .phase-badge {
      display: inline-block;
      padding: 0 8px;
      border: 1px solid var(--pw-border-strong, #b8c0cc);
      border-left-width: 3px;
      border-radius: 4px;
      font-size: 18px;
      line-height: 24px;
      font-weight: 650;
      white-space: nowrap;
    }
    .counter .label {
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 16px;
      margin: 10px 0;
    }
    .spacer {
      flex: 1 1 auto;
    }
    .links {
      display: flex;
      gap: 10px;
      font-size: 13px;
      align-items: center;
    }
    a {
      color: var(--pw-accent, #1d4ed8);
    }
    .zoom {
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 13px;
      padding: 4px 8px;
      background: #eff6ff;
      border: 1px solid #bfdbfe;
      border-radius: 4px;
      color: #1e3a8a;
    }
    .zoom button {
      padding: 1px 8px;
      font-size: 12px;
    }
    pw-phase-timeline {
      margin-bottom: 10px;
    }
    pw-branch-form {
      margin-bottom: 10px;
    }
    .family {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 360px), 1fr));
      gap: 10px 24px;
      align-items: start;
      margin-bottom: 10px;
      padding: 10px 12px;
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
    }
    .charts {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr));
      gap: 10px;
    }
    pw-head-maps {
      margin-top: 10px;
    }
    .loading {
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    details {
      margin-top: 12px;
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
      padding: 8px 12px;
      font-size: 13px;
    }
    summary {
      cursor: pointer;
      font-weight: 600;
    }
    pre {
      margin: 8px 0 0;
      max-height: 360px;
      overflow: auto;
      font-size: 12px;
    }
  `,
];
