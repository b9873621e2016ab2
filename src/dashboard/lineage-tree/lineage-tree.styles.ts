import { css } from 'lit';
import { baseStyles, panelStyles } from '../shared/theme.styles.js';

export const lineageTreeStyles = [
  baseStyles,
  panelStyles,
  css`
    h3 .muted {
      font-weight: 400;
      font-size: 12px;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 2px;
    }
    li {
      /* Each level of branching moves right by one step, with a guide line down its left. */
      padding-left: calc(var(--depth, 0) * 18px);
    }
    .node {
      display: flex;
      align-items: center;
      gap: 8px;
      width: 100%;
      padding: 3px 8px;
      text-align: left;
      font-size: 13px;
      border-color: transparent;
      background: transparent;
      white-space: normal;
    }
    li.branch .node {
      border-left: 2px solid #ddd6fe;
      border-radius: 0 4px 4px 0;
    }
    .node:hover:not(:disabled) {
      background: var(--pw-hover, #eef2f7);
    }
    .node[aria-current='true'] {
      background: #f5f8ff;
      border-color: var(--pw-accent, #1d4ed8);
      font-weight: 600;
    }
    .swatch {
      flex: none;
      width: 30px;
      height: 10px;
      display: inline-block;
    }
    .name {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      flex: 1 1 auto;
    }
    .id {
      color: var(--pw-muted, #4b5563);
      font-weight: 400;
      margin-right: 4px;
    }
    .fork,
    .role,
    .note {
      flex: none;
      font-size: 12px;
      font-weight: 400;
      color: var(--pw-muted, #4b5563);
      white-space: nowrap;
    }
    .role {
      font-style: italic;
    }
    .more {
      margin: 6px 0 0;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
  `,
];
