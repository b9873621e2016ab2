/**
 * Named errors with a stable `code`, so callers (CLI, server, tests) can react to the kind of
 * failure without parsing messages, and users get a message that names what is wrong.
 */
export class PhasewatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration value is missing, of the wrong type or out of range. */
export class ConfigError extends PhasewatchError {
  constructor(
    message: string,
    readonly issues: readonly string[] = [message],
  ) {
    super('E_CONFIG', message);
  }
}

/** A command-line argument is malformed or refers to something that does not exist. */
export class UsageError extends PhasewatchError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** A saved state cannot be applied (wrong shape, unknown format version). */
export class StateError extends PhasewatchError {
  constructor(message: string) {
    super('E_STATE', message);
  }
}

/** A control message for a run that is not training in this process. */
export class NotLiveError extends PhasewatchError {
  constructor(message: string) {
    super('E_NOT_LIVE', message);
  }
}

/** A metric plug-in cannot be loaded (missing file, no plug-in exported, a name used twice). */
export class PluginError extends PhasewatchError {
  constructor(message: string) {
    super('E_PLUGIN', message);
  }
}
