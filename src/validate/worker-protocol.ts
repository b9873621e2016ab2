import type { RunConfig } from '../config/schema.js';

/** A run for a validation worker: train stored run `runId` with `config`. */
export interface ValidationJob {
  readonly runId: number;
  readonly config: RunConfig;
  /** The row whose `settled` test may stop the run early; null to train every step. */
  readonly settleRow: string | null;
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
