import { Observable } from 'rxjs';
import type { RuleFork } from './managed-run.js';
import { triggerOf, type BranchRule } from './branch-rules.js';
import type { Run } from './run.js';

/**
 * The branch points of a run's rules: each rule fires once, at the first record whose events
 * match it, with the run's state and memory at that record's step — taken right there,
 * synchronously, before the next step, so the branch forks exactly where the event happened.
 * @example ruleForks(run, [{ on: 'phase:II', sets: ['head.mode=none'] }]).subscribe(({ fork }) => …)
 */
export function ruleForks(run: Run, rules: readonly BranchRule[]): Observable<RuleFork> {
  return new Observable<RuleFork>((subscriber) => {
    const pending = rules.map((rule) => ({ rule, matches: triggerOf(rule.on) }));
    const subscription = run.metrics$.subscribe({
      next: (record) => {
        for (const entry of [...pending]) {
          if (!record.events?.some(entry.matches)) continue;
          pending.splice(pending.indexOf(entry), 1);
          subscriber.next({ rule: entry.rule, fork: { snapshot: run.state.snapshot(), memory: run.memory() } });
        }
      },
      complete: () => subscriber.complete(),
    });
    return () => subscription.unsubscribe();
  });
}
