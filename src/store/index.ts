/**
 * Public API of the run store: open a {@link Store}, and the record types it reads and writes.
 */
export { Store } from './store.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { openDatabase, SCHEMA_VERSION } from './database.js';
export {
  RUN_STATUSES,
  type Checkpoint,
  type CheckpointInfo,
  type DisplayStatus,
  type MetricPoint,
  type NewRun,
  type PointRow,
  type RunPatch,
  type RunRecord,
  type RunStatus,
  type SeriesData,
  type StepRange,
} from './types.js';
