import type { RunConfig } from '../config/schema.js';

/** A run for a validation worker: train stored run `runId` with `config`. */
export interface ValidationJob {
  readonly runId: number;
  readonly config: RunConfig;
  /** The row whose `settled` test may stop the run early; null to train every step. */
  readonly settleRow: string | null;
  /** Also stop once this offline mark (SPEC §3, read from the records so far) has held `steps` steps. */
  readonly stopAfter?: StopAfter;
}

/** A phase mark a run may stop at: the end of phase I, phase III done, phase IV complete, collapse. */
export interface StopAfter {
  readonly mark: 'T1' | 'T3' | 'T4' | 'collapse';
  readonly steps: number;
}

export interface WorkerSetup {
  readonly dbPath: string;
  readonly backend?: string;
}

export type ToWorker = { readonly type: 'job'; readonly job: ValidationJob } | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'done'; readonly runId: number; readonly status: 'completed' | 'stopped' | 'failed'; readonly step: number; readonly error?: string }
  | { readonly type: 'fatal'; readonly error: string };
