import { css, unsafeCSS } from 'lit';
import { CHANGE_POINT_COLOUR, COLLAPSE_COLOUR, withAlpha } from '../shared/palette.js';
import { baseStyles } from '../shared/theme.styles.js';

const collapseFill = unsafeCSS(withAlpha(COLLAPSE_COLOUR, 0.18));
const collapseHatch = unsafeCSS(withAlpha(COLLAPSE_COLOUR, 0.55));
const tickColour = unsafeCSS(CHANGE_POINT_COLOUR);

export const phaseTimelineStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      min-width: 0;
    }
    section {
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border, #d7dce3);
      border-radius: 6px;
      padding: 8px 12px 6px;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 4px 10px;
    }
    h3 {
      margin: 0;
      font-size: 14px;
      font-weight: 600;
    }
    .range {
      font-size: 12px;
    }
    .spacer {
      flex: 1 1 auto;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 12px;
      margin: 0;
      padding: 0;
      list-style: none;
      font-size: 12px;
      color: var(--pw-muted, #4b5563);
    }
    .legend li {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      white-space: nowrap;
    }
    .legend b {
      color: var(--pw-text, #1a1d21);
    }
    .swatch {
      display: inline-block;
      width: 14px;
      height: 10px;
      border: 1px solid;
      border-left-width: 2px;
    }
    .swatch.collapse,
    .segment.collapse {
      border-color: ${collapseHatch};
      background: repeating-linear-gradient(135deg, ${collapseHatch} 0 1px, ${collapseFill} 1px 6px);
    }
    .line {
      display: inline-block;
      width: 2px;
      height: 12px;
    }
    .line.dashed {
      width: 0;
      background: none;
      border-left: 1px dashed;
    }
    .track {
      position: relative;
      margin-top: 4px;
    }
    .flags {
      position: relative;
      height: 16px;
    }
    .flag {
      position: absolute;
      top: 0;
      font-size: 11px;
      font-weight: 600;
      line-height: 16px;
      white-space: nowrap;
      padding: 0 3px;
      cursor: default;
    }
    .strip {
      position: relative;
      height: 30px;
      background: #f3f4f6;
      border-radius: 3px;
      overflow: hidden;
    }
    .none {
      position: absolute;
      inset: 0;
      display: flex;
      align-items: center;
      padding-left: 8px;
      font-size: 12px;
    }
    .segment {
      position: absolute;
      top: 0;
      bottom: 0;
      min-width: 3px;
      margin: 0;
      padding: 0 6px;
      border: 0;
      border-left: 2px solid;
      border-radius: 0;
      display: flex;
      align-items: center;
      gap: 8px;
      overflow: hidden;
      color: var(--pw-text, #1a1d21);
      font-size: 13px;
      text-align: left;
      cursor: zoom-in;
    }
    .segment:hover:not(:disabled) {
      filter: brightness(0.95);
    }
    .segment:focus-visible {
      outline: 2px solid var(--pw-accent, #1d4ed8);
      outline-offset: -2px;
      z-index: 2;
    }
    .segment .name {
      font-weight: 700;
    }
    .segment .steps {
      font-size: 12px;
      white-space: nowrap;
    }
    .segment.collapse {
      color: #7a2900;
      font-weight: 600;
      z-index: 1;
    }
    .state-line {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 2px;
      margin-left: -1px;
      pointer-events: none;
    }
    .zoom-window {
      position: absolute;
      top: 0;
      bottom: 0;
      border: 2px solid var(--pw-accent, #1d4ed8);
      border-radius: 2px;
      pointer-events: none;
      z-index: 3;
    }
    .ticks {
      position: relative;
      height: 12px;
    }
    .tick {
      position: absolute;
      top: 0;
      width: 9px;
      height: 12px;
      margin-left: -4px;
      display: flex;
      justify-content: center;
      cursor: default;
    }
    .tick .mark {
      width: 0;
      height: 10px;
      border-left: 2px solid ${tickColour};
    }
    .tick:not([data-plotted]) .mark {
      border-left-style: dotted;
    }
    .tick .count {
      position: absolute;
      left: 8px;
      top: -1px;
      font-size: 10px;
      color: var(--pw-muted, #4b5563);
    }
    .axis {
      display: flex;
      justify-content: space-between;
      font-size: 11px;
      line-height: 14px;
    }
    .tip {
      position: absolute;
      top: 74px;
      z-index: 5;
      max-width: min(440px, 90%);
      padding: 6px 9px;
      background: var(--pw-panel, #fff);
      border: 1px solid var(--pw-border-strong, #b8c0cc);
      border-radius: 4px;
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.12);
      font-size: 12px;
      pointer-events: none;
    }
    .tip .item + .item {
      margin-top: 5px;
      padding-top: 5px;
      border-top: 1px solid var(--pw-border, #d7dce3);
    }
    .tip .title {
      font-weight: 600;
    }
    .tip .evidence {
      font-size: 11px;
      overflow-wrap: anywhere;
    }
  `,
];
