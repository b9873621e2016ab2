import { z } from 'zod';

/**
 * The WebSocket protocol between the server and the dashboard (and any other client), as zod
 * schemas imported by both sides. Every message is one JSON object with a `type`.
 *
 * Metric data is columnar, as uPlot takes it: `columns` names the series and `data[c]` holds
 * column c's values (`data[0]` is always the steps); non-finite values travel as null.
 * Every metric record of a run has a sequence number `seq` (1, 2, 3, … in recording order), so a
 * client can tell a gap or a duplicate and resume with `sinceSeq`.
 */
export const PROTOCOL_VERSION = 1;

/** Largest message the server reads; anything bigger is refused unread. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const requestId = z.string().max(64).optional();
const runId = z.number().int().positive();

export const ControlAction = z.enum(['pause', 'resume', 'step', 'stop']);

export const ClientMessageSchema = z.discriminatedUnion('type', [
  /** Watch a run: a (decimated) snapshot of its history, then every new record. */
  z.strictObject({
    type: z.literal('subscribe'),
    id: requestId,
    runId,
    /** Resume after this seq: only later records are sent (a snapshot if they are no longer buffered). */
    sinceSeq: z.number().int().min(0).optional(),
    /** Points per series in the snapshot (min/max decimation keeps extremes). */
    maxPoints: z.number().int().min(16).max(100_000).optional(),
  }),
  z.strictObject({ type: z.literal('unsubscribe'), id: requestId, runId }),
  /** Pause, resume, run n steps, or stop a live run (needs control access). */
  z.strictObject({
    type: z.literal('control'),
    id: requestId,
    runId,
    action: ControlAction,
    n: z.number().int().min(1).max(1_000_000).optional(),
  }),
  /** Start a run from a preset with overrides (needs control access). */
  z.strictObject({
    type: z.literal('start'),
    id: requestId,
    preset: z.string().max(64).optional(),
    /** `key.path=value` assignments, as on the command line. */
    sets: z.array(z.string().max(256)).max(64).optional(),
    /** Metric plug-in modules the server has loaded (`GET /api/plugins`), by name. */
    plugins: z.array(z.string().max(4096)).max(32).optional(),
    name: z.string().max(128).optional(),
  }),
  /** Branch a run with a config patch — a live one at its current step, or at a checkpoint `at` — and train the branch (needs control access). */
  z.strictObject({
    type: z.literal('branch'),
    id: requestId,
    runId,
    at: z.number().int().min(0).optional(),
    sets: z.array(z.string().max(256)).max(64).optional(),
    steps: z.number().int().min(1).optional(),
    name: z.string().max(128).optional(),
  }),
  /** Branch a live run automatically when a detector event fires: `on` is phase:II, state:…, cp:<series>, cp or event (needs control access). */
  z.strictObject({
    type: z.literal('branch-on'),
    id: requestId,
    runId,
    on: z.string().max(128),
    sets: z.array(z.string().max(256)).max(64).optional(),
  }),
  /** Continue a stored run from its last checkpoint (needs control access). */
  z.strictObject({ type: z.literal('resume'), id: requestId, runId, steps: z.number().int().min(1).optional() }),
  /** Ask for the run list now. */
  z.strictObject({ type: z.literal('list'), id: requestId }),
  /** Round-trip probe; the server answers `pong` with the same id. */
  z.strictObject({ type: z.literal('ping'), id: requestId }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const RunSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  preset: z.string().nullable(),
  status: z.string(),
  step: z.number(),
  targetSteps: z.number(),
  seed: z.number(),
  backend: z.string(),
  live: z.boolean(),
  parentId: z.number().nullable(),
  forkStep: z.number().nullable(),
  createdAt: z.string(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

const columnar = z.array(z.array(z.number().nullable()));

/** A detector event (see `src/operators/phases/phase-event.ts`): a phase transition, a run state or a change point. */
export const PhaseEventSchema = z.object({
  runId: z.number(),
  kind: z.enum(['phase', 'state', 'change-point', 'plugin']),
  detector: z.enum(['theory', 'bocpd', 'page-hinkley', 'plugin']),
  step: z.number(),
  detectedAt: z.number(),
  label: z.string(),
  phase: z.enum(['I', 'II', 'III', 'IV']).nullable(),
  series: z.string().nullable(),
  confidence: z.number(),
  evidence: z.record(z.string(), z.number()),
  message: z.string(),
});
export type PhaseEventMessage = z.infer<typeof PhaseEventSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    version: z.number(),
    /** What this connection may do: `read` (watch) or `control` (also steer and start runs). */
    access: z.enum(['read', 'control']),
    runs: z.array(RunSummarySchema),
  }),
  z.object({ type: z.literal('runs'), runs: z.array(RunSummarySchema) }),
  /** A run's history up to `seq`: full resolution if it fits `maxPoints`, else min/max-decimated. */
  z.object({
    type: z.literal('snapshot'),
    id: z.string().optional(),
    runId: z.number(),
    seq: z.number(),
    columns: z.array(z.string()),
    data: columnar,
    decimated: z.boolean(),
    /** Every detector event up to `seq`, in detection order (absent from servers before detection: none). */
    events: z.array(PhaseEventSchema).default([]),
  }),
  /** Records fromSeq … toSeq (inclusive), in order, at full resolution. */
  z.object({
    type: z.literal('frame'),
    runId: z.number(),
    fromSeq: z.number(),
    toSeq: z.number(),
    columns: z.array(z.string()),
    data: columnar,
    /** Detector events raised by these records, in detection order (absent when none). */
    events: z.array(PhaseEventSchema).optional(),
  }),
  /** The client fell too far behind: discard this run's data and subscribe again. */
  z.object({ type: z.literal('resync'), runId: z.number(), reason: z.string() }),
  z.object({
    type: z.literal('status'),
    runId: z.number(),
    status: z.string(),
    /** The control state of a live run: running, paused, stepping, stopped. */
    control: z.string().nullable(),
    step: z.number(),
    targetSteps: z.number(),
    stepsPerSecond: z.number(),
  }),
  z.object({ type: z.literal('ack'), id: z.string().optional(), runId: z.number().optional() }),
  z.object({ type: z.literal('pong'), id: z.string().optional(), serverTime: z.number() }),
  z.object({ type: z.literal('error'), id: z.string().optional(), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** Error codes the server sends. */
export const ErrorCode = {
  badJson: 'E_BAD_JSON',
  badMessage: 'E_BAD_MESSAGE',
  tooLarge: 'E_TOO_LARGE',
  unknownRun: 'E_UNKNOWN_RUN',
  notLive: 'E_NOT_LIVE',
  forbidden: 'E_FORBIDDEN',
  badConfig: 'E_CONFIG',
  internal: 'E_INTERNAL',
} as const;
