/** Lifecycle state of a training run as persisted in the `runs` table. */
export type RunStatus = 'created' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

/**
 * Status shown to users: a persisted {@link RunStatus}, or `'interrupted'` for a run
 * still marked `'running'` whose process on this host is gone (see `Store.isStale`).
 */
export type DisplayStatus = RunStatus | 'interrupted';

/** Every status the schema's CHECK constraint accepts, for runtime validation. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'created',
  'running',
  'paused',
  'completed',
  'stopped',
  'failed',
];

/** One row of the `runs` table, with `config` already parsed from JSON. */
export interface RunRecord {
  id: number;
  name: string;
  preset: string | null;
  config: unknown;
  seed: number;
  backend: string;
  status: RunStatus;
  step: number;
  targetSteps: number;
  pid: number | null;
  host: string | null;
  error: string | null;
  parentId: number | null;
  forkStep: number | null;
  /** ISO-8601 UTC timestamp. */
  createdAt: string;
  /** ISO-8601 UTC timestamp, bumped by every update. */
  updatedAt: string;
  /** ISO-8601 UTC timestamp, or null while the run has not finished. */
  finishedAt: string | null;
}

/** Fields supplied when creating a run; the store fills in id, status and timestamps. */
export interface NewRun {
  name: string;
  preset: string | null;
  /** Any JSON-serialisable value. */
  config: unknown;
  seed: number;
  backend: string;
  targetSteps: number;
  parentId?: number | null;
  forkStep?: number | null;
}

/** Fields of a run that may change after creation; omitted (or undefined) fields are left alone. */
export type RunPatch = Partial<
  Pick<RunRecord, 'status' | 'step' | 'targetSteps' | 'backend' | 'error' | 'pid' | 'host' | 'finishedAt'>
>;

/** The metric values logged at one training step, keyed by series name. */
export interface MetricPoint {
  step: number;
  values: Record<string, number>;
}

/** One series read back column-wise; `values[i]` belongs to `steps[i]`, null for non-finite values. */
export interface SeriesData {
  steps: number[];
  values: (number | null)[];
}

/** A checkpoint's metadata, without its (possibly large) state blob. */
export interface CheckpointInfo {
  step: number;
  reason: string;
  /** ISO-8601 UTC timestamp. */
  createdAt: string;
}

/** A checkpoint including its serialised training state. */
export interface Checkpoint extends CheckpointInfo {
  state: Uint8Array;
}

/** Inclusive step range for metric reads; a missing bound is unbounded. */
export interface StepRange {
  from?: number;
  to?: number;
}

/** One pivoted row of metrics: `values` is aligned with `Store.seriesNames(runId)`. */
export interface PointRow {
  step: number;
  values: (number | null)[];
}
