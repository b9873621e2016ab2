import type { RunConfig } from '../config/schema.js';
import type { TrainStateSnapshot } from '../model/train-state.js';
import type { MetricRecord } from '../operators/frames.js';
import type { RunMemory } from './run-memory.js';
import type { BranchRule } from './branch-rules.js';
import type { ControlActionName, ControlState } from './run-control.js';

/** What a run thread is started with. */
export interface RunThreadSetup {
  readonly dbPath: string;
  readonly backend: string;
  readonly runId: number;
  readonly config: RunConfig;
  readonly snapshot?: TrainStateSnapshot;
  readonly memory?: RunMemory;
  readonly rules: readonly BranchRule[];
}

/** Main thread → run thread; every message with an id is answered by a `reply` with that id. */
export type ToRunThread =
  | { readonly type: 'command'; readonly id: number; readonly action: ControlActionName; readonly n?: number }
  | { readonly type: 'fork'; readonly id: number }
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'rule'; readonly id: number; readonly rule: BranchRule };

export type FromRunThread =
  | { readonly type: 'started' }
  | { readonly type: 'record'; readonly record: MetricRecord; readonly step: number }
  | { readonly type: 'control'; readonly state: ControlState; readonly step: number }
  | { readonly type: 'reply'; readonly id: number; readonly state: ControlState; readonly step: number; readonly fork?: { snapshot: TrainStateSnapshot; memory: RunMemory } }
  | { readonly type: 'rule-fork'; readonly rule: BranchRule; readonly snapshot: TrainStateSnapshot; readonly memory: RunMemory }
  | { readonly type: 'ended'; readonly status: 'completed' | 'stopped' | 'failed'; readonly step: number; readonly error?: string }
  | { readonly type: 'fatal'; readonly error: string };
