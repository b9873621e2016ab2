import type { RunSummary } from '../../server/protocol.js';
import type { RunStatus } from '../connection/connection.js';

/** Stored runs in these states can be continued from their last checkpoint. */
export const RESUMABLE = new Set(['stopped', 'failed', 'interrupted']);

/** A run as shown: the summary, overlaid with the live status when there is one. */
export interface RunView {
  readonly id: number;
  readonly status: string;
  /** The live control state (running, paused, stepping, stopped) or null. */
  readonly control: string | null;
  readonly step: number;
  readonly targetSteps: number;
  readonly stepsPerSecond: number | null;
  readonly live: boolean;
}

export function runView(run: RunSummary, status: RunStatus | undefined): RunView {
  // A status message is fresher than the summary (the run list may lag a moment behind).
  const useStatus = status !== undefined && (run.live || status.step >= run.step);
  return {
    id: run.id,
    status: useStatus ? status.status : run.status,
    control: useStatus && run.live ? status.control : null,
    step: useStatus ? status.step : run.step,
    targetSteps: useStatus ? status.targetSteps : run.targetSteps,
    stepsPerSecond: useStatus && run.live ? status.stepsPerSecond : null,
    live: run.live,
  };
}

/** The badge word: the control state of a live run when it says more than its status. */
export function badgeOf(view: RunView): string {
  if (view.live && view.control && view.control !== 'running' && view.control !== 'stopped') return view.control;
  return view.status;
}
