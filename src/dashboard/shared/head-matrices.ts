import { FULL_HEAD_UP_TO } from './chart-specs.js';
import type { ChartSource } from './run-series.js';

/**
 * The m×m matrices of the head heat maps, read from a run's columns: the learned head E
 * (`E_j_r`), the optimal linear predictor E* (`predictors.Estar_j_r`), DirectPred's W_DP
 * (`predictors.WDP_j_r`) and the identity I they are all compared with. Pure functions; no DOM.
 */

export type HeadMatrixId = 'E' | 'Estar' | 'WDP' | 'I';

export interface HeadMatrix {
  readonly id: HeadMatrixId;
  /** How the matrix is written: `E`, `E*`, `W_DP`, `I`. */
  readonly symbol: string;
  /** What it is, in a few words. */
  readonly caption: string;
  /** Row-major: `cells[j][r]` is entry (j+1, r+1); null where it was not recorded at that step. */
  readonly cells: readonly (readonly (number | null)[])[];
  /** The step the entries were read at; null for I, which is not recorded. */
  readonly step: number | null;
}

/** The maps to draw, or why there are none (one line for people). */
export type HeadMatrices =
  | { readonly kind: 'maps'; readonly m: number; readonly maps: readonly HeadMatrix[]; readonly notes: readonly string[] }
  | { readonly kind: 'none'; readonly reason: string };

interface Recorded {
  readonly id: Exclude<HeadMatrixId, 'I'>;
  readonly symbol: string;
  readonly caption: string;
  /** The column of entry (j, r), 1-based. */
  readonly column: (j: number, r: number) => string;
  /** Whether the diagonal is 1 by construction (and so not recorded). */
  readonly unitDiagonal: boolean;
}

/** A series the predictors plug-in records at every call, whatever the batch: tells "not yet" from "off". */
const PREDICTORS_PROBE = 'predictors.dist_WDP';

const RECORDED: readonly Recorded[] = [
  { id: 'E', symbol: 'E', caption: 'learned head', column: (j, r) => `E_${j}_${r}`, unitDiagonal: false },
  { id: 'Estar', symbol: 'E*', caption: 'optimal linear predictor', column: (j, r) => `predictors.Estar_${j}_${r}`, unitDiagonal: true },
  { id: 'WDP', symbol: 'W_DP', caption: 'DirectPred', column: (j, r) => `predictors.WDP_${j}_${r}`, unitDiagonal: true },
];

/** Every column the matrices of a run with m neurons are read from (for fetching them exactly). */
export function headMatrixColumns(m: number): string[] {
  if (m > FULL_HEAD_UP_TO) return [];
  const names: string[] = [];
  for (const spec of RECORDED) {
    for (let j = 1; j <= m; j++) for (let r = 1; r <= m; r++) if (!(spec.unitDiagonal && j === r)) names.push(spec.column(j, r));
  }
  return [...names, PREDICTORS_PROBE];
}

/**
 * The head matrices of a run with m neurons at the latest step that recorded them. Each matrix
 * is read from one row (its latest with any entry), never assembled from different steps: an E*
 * row left out at the latest step (its |B_jj| was tiny) shows as missing, not as an older value.
 * E* and W_DP are left out (with a note) when the run does not record them.
 * @param source the run's columns (RunSeries)
 */
export function headMatrices(source: ChartSource | null | undefined, m: number): HeadMatrices {
  if (m > FULL_HEAD_UP_TO) {
    return {
      kind: 'none',
      reason: `Head entries are recorded one by one only for m ≤ ${FULL_HEAD_UP_TO} (this run has m = ${m}): the head and predictor charts show their summaries.`,
    };
  }
  if (!source || !source.rows || m < 1) return { kind: 'none', reason: 'waiting for data…' };
  const maps: HeadMatrix[] = [];
  const notes: string[] = [];
  for (const spec of RECORDED) {
    // With one neuron E* and W_DP are their unit diagonal: nothing to show beside I.
    if (spec.unitDiagonal && m === 1) continue;
    const map = readMatrix(source, m, spec);
    if (map) maps.push(map);
    else if (spec.id === 'E') return { kind: 'none', reason: 'This run records no entries of E.' };
    else notes.push(`${spec.symbol} (${spec.caption}) is not recorded ${source.column(PREDICTORS_PROBE) ? 'yet' : 'for this run (metrics.predictors is off)'}.`);
  }
  maps.push({ id: 'I', symbol: 'I', caption: 'identity', cells: identity(m), step: null });
  return { kind: 'maps', m, maps, notes };
}

function readMatrix(source: ChartSource, m: number, spec: Recorded): HeadMatrix | null {
  const columns: (readonly (number | null)[] | undefined)[][] = [];
  for (let j = 1; j <= m; j++) {
    const row: (readonly (number | null)[] | undefined)[] = [];
    for (let r = 1; r <= m; r++) row.push(spec.unitDiagonal && j === r ? undefined : source.column(spec.column(j, r)));
    columns.push(row);
  }
  const all = columns.flat().filter((c): c is readonly (number | null)[] => c !== undefined);
  const at = latestRowWithValue(all, source.rows);
  if (at === null) return null;
  const cells = columns.map((row, j) => row.map((column, r) => (spec.unitDiagonal && j === r ? 1 : valueAt(column, at))));
  return { id: spec.id, symbol: spec.symbol, caption: spec.caption, cells, step: source.steps[at] ?? null };
}

/** The last row in which any of the columns holds a finite value, or null. */
function latestRowWithValue(columns: readonly (readonly (number | null)[])[], rows: number): number | null {
  for (let i = rows - 1; i >= 0; i--) {
    for (const column of columns) if (isValue(column[i])) return i;
  }
  return null;
}

function valueAt(column: readonly (number | null)[] | undefined, row: number): number | null {
  const v = column?.[row];
  return isValue(v) ? v : null;
}

function isValue(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

function identity(m: number): number[][] {
  return Array.from({ length: m }, (_, j) => Array.from({ length: m }, (_, r) => (j === r ? 1 : 0)));
}
