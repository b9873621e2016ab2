import { analyseTrajectory, type PhaseMarks, type Trajectory } from '../analysis/trajectory.js';
import { formatTable } from '../cli/table.js';
import { resolveConfig } from '../config/load.js';
import type { Store } from '../store/store.js';
import { checkPhases, DETECTION_TOLERANCE, type PhaseCheck } from './phase-check.js';
import { VALIDATION_ROWS, type ValidationRow } from './rows.js';
import { runJobs } from './worker-pool.js';
import type { ValidationJob } from './worker-protocol.js';

export interface ValidateOptions {
  readonly store: Store;
  readonly backend: string;
  /** Seeds per row (0 … seeds − 1). */
  readonly seeds: number;
  /** Row ids to run; all when omitted. */
  readonly rows?: readonly string[];
  /** Cap on steps per run (default: the preset's). */
  readonly steps?: number;
  /** Train every step even after the outcome is settled. */
  readonly full?: boolean;
  /** Worker threads. */
  readonly jobs: number;
  /** Also compare the live-detected phase boundaries with the offline ones. */
  readonly phases?: boolean;
  readonly write: (text: string) => void;
}

export interface RunReport {
  readonly runId: number;
  readonly seed: number;
  readonly status: string;
  readonly marks: PhaseMarks;
  /** Live detection against the complete trajectory (with `phases`). */
  readonly detection?: PhaseCheck;
}

export interface RowReport {
  readonly row: ValidationRow;
  readonly runs: readonly RunReport[];
  readonly pass: boolean;
  readonly detail: string;
}

/**
 * Runs the SPEC §4 table: each row's preset over several seeds, in parallel worker threads,
 * recorded in the store; then reads every trajectory with the SPEC §3 thresholds and says,
 * per run and per row, whether it behaves as the spec says.
 */
export async function validate(options: ValidateOptions): Promise<RowReport[]> {
  const rows = options.rows ? options.rows.map((id) => VALIDATION_ROWS.find((r) => r.id === id) ?? unknownRow(id)) : VALIDATION_ROWS;
  const { store } = options;
  const planned: { row: ValidationRow; seed: number; job: ValidationJob }[] = [];
  for (const row of rows) {
    for (let seed = 0; seed < options.seeds; seed++) {
      const { config } = resolveConfig({ preset: row.preset, overrides: { seed, ...(options.steps ? { steps: options.steps } : {}) } });
      const record = store.createRun({ name: `validate:${row.id}`, preset: row.preset, config, seed, backend: options.backend, targetSteps: config.steps });
      planned.push({ row, seed, job: { runId: record.id, config, settleRow: options.full ? null : row.id } });
    }
  }
  const started = performance.now();
  let finished = 0;
  options.write(`validate: ${planned.length} runs (${rows.map((r) => r.id).join(', ')} × ${options.seeds} seeds) on ${options.jobs} worker thread(s), ${options.full ? 'every step' : 'stopping each run once its outcome has held for 1k steps'} → ${store.path}\n`);
  const results = await runJobs(
    planned.map((p) => p.job),
    options.jobs,
    { dbPath: store.path, backend: options.backend },
    (result) => {
      finished += 1;
      const plan = planned.find((p) => p.job.runId === result.runId)!;
      const elapsed = (performance.now() - started) / 1000;
      const eta = (elapsed / finished) * (planned.length - finished);
      options.write(`  [${finished}/${planned.length}] run ${result.runId} (${plan.row.id}, seed ${plan.seed}) ${result.status} at step ${result.step}${result.error ? `: ${result.error}` : ''} — ${elapsed.toFixed(0)} s elapsed, ≈ ${eta.toFixed(0)} s left\n`);
    },
  );
  const statusOf = new Map(results.map((r) => [r.runId, r.status]));
  const reports = rows.map((row) => {
    const runs = planned
      .filter((p) => p.row === row)
      .map((p): RunReport => {
        const marks = analyseTrajectory(trajectoryFromStore(store, p.job.runId), p.job.config.model.m);
        const detection = options.phases ? checkPhases(marks, store.readEvents(p.job.runId)) : undefined;
        return { runId: p.job.runId, seed: p.seed, status: statusOf.get(p.job.runId) ?? 'missing', marks, ...(detection ? { detection } : {}) };
      });
    const verdict = row.check(runs.map((r) => r.marks));
    return { row, runs, ...verdict };
  });
  options.write(`\n${formatRunTable(reports)}\n${formatVerdicts(reports)}`);
  if (options.phases) options.write(`\n${formatDetection(reports)}`);
  return reports;
}

/** Whether live detection matched the complete trajectories in every run (see {@link checkPhases}). */
export function detectionPasses(reports: readonly RowReport[]): boolean {
  return reports.every((r) => r.runs.every((run) => run.detection?.pass ?? true));
}

function formatDetection(reports: readonly RowReport[]): string {
  const runs = reports.flatMap(({ row, runs }) => runs.map((run) => ({ row, run })));
  const table = formatTable(
    runs.map(({ row, run }) => {
      const d = run.detection!;
      const cells: Record<string, string | number> = { row: row.id, seed: run.seed, run: run.runId };
      for (const label of ['II', 'III', 'IV', 'converged', 'dimensional-collapse', 'total-collapse'] as const) {
        const b = d.boundaries.find((x) => x.label === label);
        cells[label] = !b ? '—' : b.detectedAt === null ? `${b.truth} → MISSED` : `${b.truth} → ${b.detectedAt} (${b.delay! >= 0 ? '+' : ''}${b.delay})`;
      }
      cells['false transitions'] = d.false.length ? d.false.join(', ') : 'none';
      cells.verdict = d.pass ? 'ok' : d.ordered ? 'FAIL' : 'FAIL (order)';
      return cells;
    }),
  );
  const boundaries = runs.flatMap(({ run }) => run.detection!.boundaries);
  const found = boundaries.filter((b) => b.ok).length;
  const delays = boundaries.filter((b) => b.delay !== null).map((b) => Math.abs(b.delay!));
  const falseCount = runs.reduce((n, { run }) => n + run.detection!.false.length, 0);
  const passed = runs.filter(({ run }) => run.detection!.pass).length;
  return (
    `live phase detection against the complete trajectories (offline step → detected at (delay)):\n${table}\n` +
    `${found}/${boundaries.length} boundaries detected within ${DETECTION_TOLERANCE} steps (largest delay ${delays.length ? Math.max(...delays) : 0}), ` +
    `${falseCount} false transitions; ${passed}/${runs.length} runs pass — ${passed === runs.length ? 'detection holds' : 'DETECTION DOES NOT HOLD'}\n`
  );
}

/**
 * Every recorded series of a run, aligned by step (null where a series has no point: a plug-in
 * sampled less often, or one that started later).
 */
export function trajectoryFromStore(store: Store, runId: number): Trajectory {
  const read = store.seriesNames(runId).map((name) => [name, store.readSeries(runId, name)] as const);
  const steps = [...new Set(read.flatMap(([, data]) => data.steps))].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const series: Record<string, (number | null)[]> = {};
  for (const [name, data] of read) {
    const values = new Array<number | null>(steps.length).fill(null);
    data.steps.forEach((step, i) => (values[index.get(step)!] = data.values[i]));
    series[name] = values;
  }
  return { steps, series };
}

function formatRunTable(reports: readonly RowReport[]): string {
  const step = (s: number | null) => (s === null ? '—' : s);
  return formatTable(
    reports.flatMap(({ row, runs }) =>
      runs.map(({ runId, seed, marks }) => ({
        row: row.id,
        seed,
        run: runId,
        outcome: marks.outcome,
        T1: step(marks.T1),
        'E21 peak': marks.headPeak ? `${marks.headPeak.value.toFixed(3)} @ ${marks.headPeak.step}` : '—',
        T3: step(marks.T3),
        'E decay': step(marks.decay),
        T4: step(marks.T4),
        collapse: step(marks.collapse ?? marks.totalCollapse),
        'last step': marks.lastStep,
      })),
    ),
  );
}

function formatVerdicts(reports: readonly RowReport[]): string {
  return formatTable(reports.map((r) => ({ row: r.row.id, 'SPEC §4 says': r.row.claim, measured: r.detail, verdict: r.pass ? 'holds' : 'DOES NOT HOLD' })));
}

function unknownRow(id: string): never {
  throw new Error(`unknown row ${JSON.stringify(id)}; rows: ${VALIDATION_ROWS.map((r) => r.id).join(', ')}`);
}
