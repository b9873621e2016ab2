import { css } from 'lit';

/**
 * Styles every component shares (they must be repeated in each shadow root): type, controls,
 * status badges. Colours come from the custom properties set on :root in index.html.
 * No transitions or animations anywhere: values change in place.
 */
export const baseStyles = css`
  :host {
    color: var(--pw-text, #1a1d21);
    font-family: var(--pw-font, system-ui, sans-serif);
    font-size: 14px;
    line-height: 1.4;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button {
    font: inherit;
    color: inherit;
    background: var(--pw-panel, #fff);
    border: 1px solid var(--pw-border-strong, #b8c0cc);
    border-radius: 4px;
    padding: 4px 10px;
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    background: var(--pw-hover, #eef2f7);
  }
  button:disabled {
    color: var(--pw-disabled, #8b929c);
    background: var(--pw-disabled-bg, #f3f4f6);
    border-color: var(--pw-border, #d7dce3);
    cursor: not-allowed;
  }
  button.primary {
    background: var(--pw-accent, #1d4ed8);
    border-color: var(--pw-accent, #1d4ed8);
    color: #fff;
  }
  button.primary:hover:not(:disabled) {
    background: var(--pw-accent-dark, #1e40af);
  }
  button.primary:disabled {
    background: var(--pw-disabled-bg, #f3f4f6);
    border-color: var(--pw-border, #d7dce3);
    color: var(--pw-disabled, #8b929c);
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    background: #fff;
    border: 1px solid var(--pw-border-strong, #b8c0cc);
    border-radius: 4px;
    padding: 4px 6px;
  }
  input:disabled,
  select:disabled,
  textarea:disabled {
    background: var(--pw-disabled-bg, #f3f4f6);
    color: var(--pw-disabled, #8b929c);
  }
  :focus-visible {
    outline: 2px solid var(--pw-accent, #1d4ed8);
    outline-offset: 1px;
  }
  .muted {
    color: var(--pw-muted, #4b5563);
  }
  .mono {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, 'Liberation Mono', monospace;
    font-variant-numeric: tabular-nums;
  }
  .badge {
    display: inline-block;
    padding: 0 7px;
    border-radius: 9px;
    font-size: 12px;
    line-height: 18px;
    font-weight: 600;
    background: #e5e7eb;
    color: #374151;
    white-space: nowrap;
  }
  .badge[data-status='running'] {
    background: #dcfce7;
    color: #14532d;
  }
  .badge[data-status='stepping'] {
    background: #dbeafe;
    color: #1e3a8a;
  }
  .badge[data-status='paused'] {
    background: #fef3c7;
    color: #78350f;
  }
  .badge[data-status='completed'],
  .badge[data-status='done'],
  .badge[data-status='finished'] {
    background: #e0e7ff;
    color: #312e81;
  }
  .badge[data-status='failed'],
  .badge[data-status='error'] {
    background: #fee2e2;
    color: #7f1d1d;
  }
  .badge[data-status='interrupted'] {
    background: #ffedd5;
    color: #7c2d12;
  }
  .live-dot {
    display: inline-block;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: #16a34a;
    vertical-align: middle;
  }
`;

/** Labelled fields of the run forms (start, branch): label above, full width, monospace patches. */
export const formFieldStyles = css`
  label {
    display: flex;
    flex-direction: column;
    gap: 3px;
    font-size: 12px;
    color: var(--pw-muted, #4b5563);
  }
  select,
  input,
  textarea {
    width: 100%;
    color: var(--pw-text, #1a1d21);
    font-size: 13px;
  }
  textarea {
    resize: vertical;
    font-family: ui-monospace, Menlo, Consolas, monospace;
  }
`;

/** Small side panels of the run view (family, settings diff): a block with a compact heading. */
export const panelStyles = css`
  :host {
    display: block;
    min-width: 0;
  }
  h3 {
    margin: 0 0 6px;
    font-size: 13px;
    font-weight: 650;
  }
`;
