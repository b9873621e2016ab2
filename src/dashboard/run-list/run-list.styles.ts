import { css } from 'lit';
import { baseStyles } from '../shared/theme.styles.js';

export const runListStyles = [
  baseStyles,
  css`
    :host {
      display: block;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    li {
      display: block;
    }
    /* A branch sits under its parent, indented, with a guide line that says whose it is. */
    li.nested {
      padding-left: calc(var(--depth, 0) * 14px);
      position: relative;
    }
    li.nested::before {
      content: '';
      position: absolute;
      left: calc(var(--depth, 0) * 14px - 8px);
      top: -4px;
      bottom: 50%;
      width: 7px;
      border-left: 1.5px solid #a78bfa;
      border-bottom: 1.5px solid #a78bfa;
      border-bottom-left-radius: 4px;
    }
    .fork-glyph {
      color: #5b21b6;
      margin-right: 4px;
      font-weight: 600;
    }
    .fork {
      color: #5b21b6;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    .item {
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 2px 8px;
      padding: 7px 9px;
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
      background: var(--pw-panel, #fff);
      cursor: pointer;
      user-select: none;
    }
    .item:hover {
      background: var(--pw-hover, #eef2f7);
    }
    .item[aria-selected='true'] {
      border-color: var(--pw-accent, #1d4ed8);
      box-shadow: inset 3px 0 0 var(--pw-accent, #1d4ed8);
      background: #f5f8ff;
    }
    .name {
      font-weight: 600;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      min-width: 0;
    }
    .id {
      font-weight: 400;
      color: var(--pw-muted, #4b5563);
      margin-right: 4px;
    }
    .meta {
      grid-column: 1 / -1;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 10px;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .progress {
      grid-column: 1 / -1;
      height: 3px;
      background: #e5e7eb;
      border-radius: 2px;
      overflow: hidden;
    }
    .progress > span {
      display: block;
      height: 100%;
      background: #60a5fa;
    }
    .live {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      color: #166534;
      font-weight: 600;
    }
    .resume {
      padding: 1px 8px;
      font-size: 12px;
    }
    .empty {
      color: var(--pw-muted, #4b5563);
      padding: 8px 2px;
    }
  `,
];
