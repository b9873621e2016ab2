import type Database from 'better-sqlite3';
import type { DetectorName, EventKind, PhaseEvent, PhaseName, RunPhaseEvent } from '../operators/phases/phase-event.js';
import type { StepRange } from './types.js';

interface EventRow {
  run_id: number;
  step: number;
  detected_at: number;
  kind: EventKind;
  detector: DetectorName;
  label: string;
  phase: PhaseName | null;
  series: string | null;
  confidence: number;
  evidence: string;
  message: string;
}

/**
 * Reads and writes the `events` table: the detector events of each run, in detection order.
 * @example
 * const events = new EventRepository(db);
 * events.append(runId, [event]);
 * events.list(runId); // [{ runId, kind: 'phase', label: 'II', … }]
 */
export class EventRepository {
  private readonly insertStmt: Database.Statement;
  private readonly listStmt: Database.Statement<[number, number, number], EventRow>;
  private readonly deleteAfterStmt: Database.Statement<[number, number]>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`
      INSERT INTO events (run_id, step, detected_at, kind, detector, label, phase, series, confidence, evidence, message)
      VALUES (@run_id, @step, @detected_at, @kind, @detector, @label, @phase, @series, @confidence, @evidence, @message)`);
    this.listStmt = db.prepare('SELECT * FROM events WHERE run_id = ? AND detected_at >= ? AND detected_at <= ? ORDER BY detected_at, id');
    this.deleteAfterStmt = db.prepare('DELETE FROM events WHERE run_id = ? AND detected_at > ?');
  }

  /** Appends events (the caller holds the transaction and has checked the run exists). */
  append(runId: number, events: readonly PhaseEvent[]): void {
    for (const e of events) {
      this.insertStmt.run({
        run_id: runId,
        step: e.step,
        detected_at: e.detectedAt,
        kind: e.kind,
        detector: e.detector,
        label: e.label,
        phase: e.phase,
        series: e.series,
        confidence: e.confidence,
        evidence: JSON.stringify(e.evidence),
        message: e.message,
      });
    }
  }

  /** A run's events detected within `range` (inclusive), in detection order. */
  list(runId: number, range: StepRange = {}): RunPhaseEvent[] {
    const rows = this.listStmt.all(runId, range.from ?? -Number.MAX_SAFE_INTEGER, range.to ?? Number.MAX_SAFE_INTEGER);
    return rows.map((r) => ({
      runId: r.run_id,
      kind: r.kind,
      detector: r.detector,
      step: r.step,
      detectedAt: r.detected_at,
      label: r.label,
      phase: r.phase,
      series: r.series,
      confidence: r.confidence,
      evidence: JSON.parse(r.evidence) as Record<string, number>,
      message: r.message,
    }));
  }

  /** Removes events detected after `step` (they will be raised again when the run is resumed). */
  deleteAfter(runId: number, step: number): number {
    return this.deleteAfterStmt.run(runId, step).changes;
  }
}
