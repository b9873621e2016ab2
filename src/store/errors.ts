/**
 * Error codes raised by the run store.
 *
 * Callers (CLI, server) branch on these codes rather than on message text, so
 * the set is closed and each code has one meaning.
 */
export type StoreErrorCode =
  /** The database file could not be opened, created or configured. */
  | 'E_STORE_OPEN'
  /** The database was written by a newer schema than this build understands. */
  | 'E_STORE_SCHEMA'
  /** A method was called after {@link Store.close}. */
  | 'E_STORE_CLOSED'
  /** A run id does not exist in the database. */
  | 'E_RUN_NOT_FOUND'
  /** An argument is malformed (non-integer step, non-JSON config, unknown patch field…). */
  | 'E_INVALID_ARGUMENT';

/**
 * Error thrown by the run store, carrying a stable machine-readable code.
 *
 * @example
 * ```ts
 * try {
 *   store.requireRun(42);
 * } catch (err) {
 *   if (err instanceof StoreError && err.code === 'E_RUN_NOT_FOUND') console.error(err.message);
 * }
 * ```
 */
export class StoreError extends Error {
  /** Stable identifier of the failure; see {@link StoreErrorCode}. */
  readonly code: StoreErrorCode;

  /**
   * @param code - stable identifier of the failure
   * @param message - human-readable text that names the offending value and database
   * @param options - `cause` keeps the underlying SQLite/OS error for debugging
   */
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
