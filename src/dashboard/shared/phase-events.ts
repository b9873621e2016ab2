import type { PhaseEventMessage } from '../../server/protocol.js';

/**
 * The detector events of one run as the dashboard holds them, in detection order.
 *
 * They reach the page three ways: all of them in a snapshot (`replace`), the new ones in frames
 * (`append`), and all of them again in the fresh snapshot after a resync (`clear`, then
 * `replace`). A frame that overlaps records already held can repeat events the snapshot had,
 * so `append` keeps only events it has not seen and returns those: the caller announces exactly
 * the events that are new to this page, never one twice.
 *
 * @example
 * const log = new RunEvents();
 * log.replace(snapshot.events);
 * const fresh = log.append(frame.events ?? []); // only the events not held yet
 */
export class RunEvents {
  events: PhaseEventMessage[] = [];
  /** Bumped on every change; components compare it to know when to recompute. */
  version = 0;
  private readonly keys = new Set<string>();

  get size(): number {
    return this.events.length;
  }

  /** Replaces everything with a snapshot's events (they are all the events up to its seq). */
  replace(events: readonly PhaseEventMessage[]): void {
    this.events = [];
    this.keys.clear();
    this.add(events);
    this.version++;
  }

  /** Adds a frame's events; returns those that were not held yet, in their order. */
  append(events: readonly PhaseEventMessage[] | undefined): PhaseEventMessage[] {
    if (!events?.length) return [];
    const added = this.add(events);
    if (added.length) {
      // A new array, so anything holding the old one (a Lit property) sees a change.
      this.events = [...this.events];
      this.version++;
    }
    return added;
  }

  /** Forgets every event (a resync: the fresh snapshot brings them all again). */
  clear(): void {
    if (!this.events.length) return;
    this.events = [];
    this.keys.clear();
    this.version++;
  }

  private add(events: readonly PhaseEventMessage[]): PhaseEventMessage[] {
    const added: PhaseEventMessage[] = [];
    for (const event of events) {
      const key = eventKey(event);
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.events.push(event);
      added.push(event);
    }
    return added;
  }
}

/**
 * What makes an event the same event when it comes twice. Events carry no id; a detector raises
 * at most one event of a kind and label on a series per detection step, so these fields suffice
 * (confidence and message are left out: a repeat must match even if they were rounded differently).
 */
export function eventKey(event: PhaseEventMessage): string {
  return `${event.runId}|${event.kind}|${event.detector}|${event.label}|${event.series ?? ''}|${event.step}|${event.detectedAt}`;
}
