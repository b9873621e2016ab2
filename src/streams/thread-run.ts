import { BehaviorSubject, ReplaySubject, Subject, distinctUntilChanged, type Observable } from 'rxjs';
import type { Worker } from 'node:worker_threads';
import type { RunConfig } from '../config/schema.js';
import type { MetricRecord } from '../operators/frames.js';
import type { LiveFork } from './branch-plan.js';
import type { BranchRule } from './branch-rules.js';
import type { ControlView, ManagedRun, RuleFork } from './managed-run.js';
import { startModuleWorker } from './module-worker.js';
import type { ControlActionName, ControlState } from './run-control.js';
import type { FromRunThread, RunThreadSetup, ToRunThread } from './run-thread-protocol.js';
import type { RunOutcome } from './run.js';

/**
 * A run trained in its own worker thread, seen from the main thread: records, control state and
 * step as the thread reports them; commands, forks and flushes as messages answered once the
 * thread has carried them out (between two of its steps).
 */
export class ThreadRun implements ManagedRun {
  readonly outcome: Promise<RunOutcome>;
  readonly forks$: Observable<RuleFork>;
  readonly state = { step: 0 };
  readonly control: ControlView;
  private readonly worker: Worker;
  private readonly records = new Subject<MetricRecord>();
  private readonly controlState = new BehaviorSubject<ControlState>('running');
  private readonly forks = new ReplaySubject<RuleFork>();
  private readonly pending = new Map<number, (reply: Extract<FromRunThread, { type: 'reply' }>) => void>();
  private nextId = 1;
  private ended = false;

  constructor(readonly config: RunConfig, setup: RunThreadSetup) {
    this.state.step = setup.snapshot?.step ?? 0;
    const state$ = this.controlState.pipe(distinctUntilChanged());
    const subject = this.controlState;
    this.control = {
      get state() {
        return subject.value;
      },
      state$,
    };
    this.forks$ = this.forks.asObservable();
    const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    this.worker = startModuleWorker(new URL(`./run-thread.${extension}`, import.meta.url), setup);
    this.outcome = new Promise<RunOutcome>((resolve) => {
      const finish = (outcome: RunOutcome) => {
        if (this.ended) return;
        this.ended = true;
        this.state.step = outcome.step;
        this.controlState.next('stopped');
        this.records.complete();
        this.forks.complete();
        for (const [, answer] of this.pending) answer({ type: 'reply', id: 0, state: 'stopped', step: outcome.step });
        this.pending.clear();
        resolve(outcome);
      };
      this.worker.on('message', (message: FromRunThread) => {
        switch (message.type) {
          case 'record':
            this.state.step = message.step;
            this.records.next(message.record);
            return;
          case 'control':
            this.state.step = message.step;
            this.controlState.next(message.state);
            return;
          case 'reply':
            this.state.step = message.step;
            this.controlState.next(message.state);
            this.pending.get(message.id)?.(message);
            this.pending.delete(message.id);
            return;
          case 'rule-fork':
            this.forks.next({ rule: message.rule, fork: { snapshot: message.snapshot, memory: message.memory } });
            return;
          case 'ended':
            finish(message.status === 'failed' ? { status: 'failed', step: message.step, error: new Error(message.error) } : { status: message.status, step: message.step });
            return;
          case 'fatal':
            finish({ status: 'failed', step: this.state.step, error: new Error(`run thread: ${message.error}`) });
            return;
        }
      });
      this.worker.on('error', (error) => finish({ status: 'failed', step: this.state.step, error }));
      this.worker.on('exit', (code) => finish({ status: 'failed', step: this.state.step, error: new Error(`run thread exited with code ${code} before the run ended`) }));
    });
  }

  get metrics$(): Observable<MetricRecord> {
    return this.records.asObservable();
  }

  async command(action: ControlActionName, n?: number): Promise<void> {
    await this.ask({ type: 'command', id: 0, action, n });
  }

  async fork(): Promise<LiveFork> {
    const reply = await this.ask({ type: 'fork', id: 0 });
    if (!reply.fork) throw new Error('the run has ended; branch it at one of its checkpoints');
    return reply.fork;
  }

  async flush(): Promise<void> {
    await this.ask({ type: 'flush', id: 0 });
  }

  async addRule(rule: BranchRule): Promise<void> {
    await this.ask({ type: 'rule', id: 0, rule });
  }

  private ask(message: ToRunThread): Promise<Extract<FromRunThread, { type: 'reply' }>> {
    if (this.ended) return Promise.resolve({ type: 'reply', id: 0, state: 'stopped', step: this.state.step });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...message, id });
    });
  }
}
