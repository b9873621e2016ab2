import { UsageError } from '../errors.js';
import type { PhaseEvent } from '../operators/phases/phase-event.js';

/** "When this event fires, branch with this patch": an automatic branch point. */
export interface BranchRule {
  /** `phase:II`, `state:dimensional-collapse`, `cp:loss` (a change point on a series), `cp` or `event` (any). */
  readonly on: string;
  /** `key.path=value` assignments for the branch. */
  readonly sets: readonly string[];
}

/**
 * Reads a trigger into a test on detector events; refuses a malformed one with what is allowed.
 * @example triggerOf('phase:II')(event) // true for the transition into phase II
 */
export function triggerOf(on: string): (event: PhaseEvent) => boolean {
  const [kind, label, ...rest] = on.split(':');
  if (rest.length === 0) {
    if (kind === 'event' && label === undefined) return () => true;
    if (kind === 'phase' && label && ['I', 'II', 'III', 'IV'].includes(label)) return (e) => e.kind === 'phase' && e.label === label;
    if (kind === 'state' && label) return (e) => e.kind === 'state' && e.label === label;
    if (kind === 'cp') return (e) => e.kind === 'change-point' && (label === undefined || e.series === label);
  }
  throw new UsageError(`--branch-on ${JSON.stringify(on)}: expected phase:I|II|III|IV, state:<converged|dimensional-collapse|total-collapse|stalled-II>, cp[:<series>] or event`);
}

/**
 * Splits `run` arguments into the run's own and its branch rules: every `--set` after a
 * `--branch-on <trigger>` (up to the next one) belongs to that rule, as in
 * `phasewatch run --set seed=3 --branch-on phase:II --set head.mode=none`.
 */
export function splitBranchRules(argv: readonly string[]): { args: string[]; rules: BranchRule[] } {
  const args: string[] = [];
  const rules: { on: string; sets: string[] }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--branch-on') {
      const on = inline ?? argv[++i];
      if (on === undefined) throw new UsageError('--branch-on needs a trigger, e.g. --branch-on phase:II');
      triggerOf(on);
      rules.push({ on, sets: [] });
    } else if (rules.length && (flag === '--set' || flag === '-s')) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${flag} after --branch-on ${rules.at(-1)!.on} needs key=value`);
      rules.at(-1)!.sets.push(value);
    } else {
      args.push(arg);
    }
  }
  return { args, rules };
}
