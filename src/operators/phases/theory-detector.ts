import { PHASE_THRESHOLDS } from '../../analysis/trajectory.js';
import { FULL_HEAD_UP_TO } from '../metrics/core-metrics.js';
import type { MetricRecord } from '../frames.js';
import type { PhaseEvent, PhaseName, RunStateName } from './phase-event.js';

export interface TheoryDetectorOptions {
  /** Number of neurons. */
  readonly m: number;
  /** Whether there is a head to substitute (`none`: E ≡ I, so phase II is a plateau with no substitution). */
  readonly headless?: boolean;
  /** Phase III begins when the substituting head entry has fallen this fraction below its peak … */
  readonly peakDrop: number;
  /** … while the substituted neuron already carries this much of v_2 (|c[k][2]|) … */
  readonly turnAlignment: number;
  /** … and its overlap |M[k][2]| has grown by this fraction over its lowest value in phase II (progress, not drift). */
  readonly turnGrowth: number;
  /** Stalled II: |E_kj*| grew less than `stallGrowth` (relative) over a window of this many steps … */
  readonly stallWindow: number;
  readonly stallGrowth: number;
  /** … with ‖w_k‖ below this and |c[k][2]| below the `absent` threshold. */
  readonly stallNorm: number;
}

export const DEFAULT_THEORY_OPTIONS: Omit<TheoryDetectorOptions, 'm'> = {
  peakDrop: 0.01,
  turnAlignment: PHASE_THRESHOLDS.absent,
  turnGrowth: 0.25,
  stallWindow: 4000,
  stallGrowth: 0.05,
  stallNorm: 0.8,
};

interface Peak {
  /** |value| at the peak and its sign. */
  abs: number;
  value: number;
  step: number;
}

/** Everything the detector remembers; plain JSON so it travels inside checkpoints. */
export interface TheoryDetectorState {
  phase: PhaseName | null;
  /** A terminal state: no theory events follow it. */
  terminal: RunStateName | null;
  /** j* and k, 1-based. */
  learner: number | null;
  other: number | null;
  /** First record's max_j Var(F_j) and loss, the reference for total collapse. */
  reference: { maxVar: number; loss: number } | null;
  /** Running peak of |E_jr| per off-diagonal entry name (or `E_offdiag_max` for large m). */
  peaks: Record<string, Peak>;
  /** Step phase II began (T1). */
  t1: number | null;
  /** Per neuron, the lowest |M[j][2]| seen in phase II: growth from it shows w_j turning to v_2. */
  floorM2: Record<string, number>;
  /** Whether |E_kj*| fell below a tenth of its peak after it (phase IV may then complete). */
  decayed: boolean;
  collapseReported: boolean;
  stalled: boolean;
  /** Start of the current stall window: step and |E_kj*| there. */
  stallFrom: { step: number; abs: number } | null;
  converged: boolean;
}

const T = PHASE_THRESHOLDS;

/**
 * The rules of SPEC §3, applied record by record as metrics arrive: phase I until a neuron
 * j* learns v_1 (|c[j*][1]| ≥ 0.7), II while the head entry E_kj* substitutes for neuron k,
 * III from the turn of that substitution (E_kj* past its peak while w_k turns to v_2), IV once
 * w_k has learned v_2; `converged` when E is back at identity, and the terminal states
 * dimensional collapse, total collapse, and the warning stalled-II.
 *
 * The thresholds are those of the offline analysis (`analyseTrajectory`), so a boundary found
 * live lies at the step the complete trajectory puts it, except the phase III turn, which can
 * only be confirmed once E_kj* has come down from its peak.
 * @example
 * const detector = new TheoryDetector({ ...DEFAULT_THEORY_OPTIONS, m: 2 });
 * for (const record of records) for (const e of detector.observe(record)) console.log(e.message);
 */
export class TheoryDetector {
  private state: TheoryDetectorState;

  constructor(
    private readonly options: TheoryDetectorOptions,
    state?: TheoryDetectorState,
  ) {
    this.state = state ? structuredClone(state) : { phase: null, terminal: null, learner: null, other: null, reference: null, peaks: {}, t1: null, floorM2: {}, decayed: false, collapseReported: false, stalled: false, stallFrom: null, converged: false };
  }

  get phase(): PhaseName | null {
    return this.state.phase;
  }

  get terminal(): RunStateName | null {
    return this.state.terminal;
  }

  snapshot(): TheoryDetectorState {
    return structuredClone(this.state);
  }

  /** Reads one metric record; returns the events it triggers, in order. */
  observe(record: MetricRecord): PhaseEvent[] {
    const s = this.state;
    const v = record.values;
    const step = record.step;
    const events: PhaseEvent[] = [];
    const emit = (kind: 'phase' | 'state', label: string, at: number, confidence: number, evidence: Record<string, number>, message: string) =>
      events.push({ kind, detector: 'theory', step: at, detectedAt: step, label, phase: s.phase, series: null, confidence: clamp01(confidence), evidence, message });
    const enter = (phase: PhaseName, at: number, confidence: number, evidence: Record<string, number>, message: string) => {
      s.phase = phase;
      emit('phase', phase, at, confidence, evidence, `phase ${phase} — ${message}`);
    };

    this.trackPeaks(record);
    const maxVar = this.maxVarF(v);
    if (s.reference === null) {
      s.reference = { maxVar, loss: v.loss };
      enter('I', step, 1, pick(v, ['loss']), 'the strong feature v₁ is being learned; the head stays at identity');
      return events;
    }
    if (s.terminal) return events;

    if (maxVar < T.vanished * s.reference.maxVar && v.loss < T.vanished * s.reference.loss) {
      s.terminal = 'total-collapse';
      emit('state', 'total-collapse', step, 1, { maxVarF: maxVar, loss: v.loss, maxVarF0: s.reference.maxVar, loss0: s.reference.loss }, `total collapse: the representation vanished (max Var(F) ${fmt(maxVar)}, loss ${fmt(v.loss)}, both under 1% of their start)`);
      return events;
    }

    const m = this.options.m;
    const cos = (j: number, l: number) => Math.abs(v[`cos_${j}_${l}`] ?? NaN);

    if (s.phase === 'I') {
      let learner: number | null = null;
      for (let j = 1; j <= m && learner === null; j++) if (cos(j, 1) >= T.learned) learner = j;
      if (learner === null) return events;
      s.learner = learner;
      s.t1 = step;
      s.other = m === 2 ? 3 - learner : this.substitutingNeuron(v, learner);
      const k = s.other;
      enter('II', step, marginConfidence(cos(learner, 1) - T.learned), this.evidence(v), `neuron ${learner} learned v₁ (|c${learner}1| = ${fmt(cos(learner, 1))})${!k ? '' : this.options.headless ? `; with no head nothing substitutes for neuron ${k}, which now drifts towards v₁ or v₂` : `; ${this.entry(k, learner)} can now substitute for neuron ${k}`}`);
      s.stallFrom = { step, abs: this.substitution(v) };
    }

    const j = s.learner!;
    if (m !== 2 && s.phase !== 'IV') s.other = this.substitutingNeuron(v, j);
    const k = s.other;
    if (s.phase === 'II') this.trackFloors(v, j);

    if (s.phase === 'II' || s.phase === 'III') {
      // Dimensional collapse: a second neuron learned v_1 before any learned v_2.
      const twin = this.otherLearner(v, j, 1);
      if (twin !== null && cos(j, 1) >= T.learned && !s.collapseReported) {
        s.collapseReported = true;
        if (m === 2) s.terminal = 'dimensional-collapse';
        emit('state', 'dimensional-collapse', step, marginConfidence(cos(twin, 1) - T.learned), this.evidence(v, twin), `dimensional collapse: neurons ${j} and ${twin} both learned v₁ (|c${twin}1| = ${fmt(cos(twin, 1))})${m === 2 ? '; v₂ is lost' : ' and none has learned v₂ yet'}`);
        if (m === 2) return events;
      }
      const winner = this.v2Learner(v, j);
      if (winner !== null) {
        s.other = winner;
        const peak = this.peakOf(winner, j);
        if (s.phase === 'II') {
          const at = peak && peak.abs >= T.substituted && peak.step >= s.t1! && peak.step <= step ? peak.step : step;
          const e = this.entry(winner, j);
          const how =
            at !== step
              ? `before the turn of ${e} was confirmed (peak ${fmt(peak!.value)} at step ${at})`
              : peak && peak.abs >= T.substituted
                ? `the head having peaked before phase II (${e} ${fmt(peak.value)} at step ${peak.step})`
                : `without the head substituting (|${e}| stayed under ${T.substituted})`;
          enter('III', at, 0.5, this.evidence(v, winner), `w${winner} learned v₂ in one sweep, ${how}`);
        }
        enter('IV', step, marginConfidence(cos(winner, 2) - T.learned), this.evidence(v, winner), `neuron ${winner} learned v₂ (|c${winner}2| = ${fmt(cos(winner, 2))}, |c${winner}1| = ${fmt(cos(winner, 1))}); the head returns to identity`);
        s.decayed ||= !peak || peak.abs === 0;
      } else if (s.phase === 'II' && k !== null) {
        const peak = this.peakOf(k, j);
        const now = this.substitution(v);
        const drop = peak && peak.abs > 0 ? 1 - now / peak.abs : 0;
        const overlap = Math.abs(v[`M_${k}_2`] ?? NaN);
        const growing = overlap >= (1 + this.options.turnGrowth) * (s.floorM2[k] ?? Infinity);
        if (peak && peak.abs >= T.substituted && peak.step >= s.t1! && drop >= this.options.peakDrop && cos(k, 2) >= this.options.turnAlignment && growing) {
          const left = s.stalled ? ' (it leaves the stall)' : '';
          enter('III', peak.step, 0.5 + drop / (4 * this.options.peakDrop), { ...this.evidence(v, k), peak: peak.value, peakStep: peak.step }, `the substitution turned: ${this.entry(k, j)} is ${Math.round(drop * 100)}% below its peak ${fmt(peak.value)} (step ${peak.step}) while w${k} turns to v₂ (|c${k}2| = ${fmt(cos(k, 2))})${left}`);
        } else {
          this.watchStall(v, step, k, emit);
        }
      }
    }

    if (s.phase === 'IV' && !s.converged && k !== null) {
      const peak = this.peakOf(k, j);
      if (!s.decayed && peak && this.substitution(v) < T.decayFraction * peak.abs) s.decayed = true;
      if (s.decayed && (v.E_dist_I ?? NaN) < T.identity && cos(j, 1) >= T.denoised && cos(k, 2) >= T.denoised) {
        s.converged = true;
        emit('state', 'converged', step, marginConfidence((T.identity - v.E_dist_I) * 10), this.evidence(v, k), `phase IV complete: E is back at identity (‖E − I‖ = ${fmt(v.E_dist_I)}) and both features are denoised (|c${j}1| = ${fmt(cos(j, 1))}, |c${k}2| = ${fmt(cos(k, 2))})`);
      }
    }
    return events;
  }

  private watchStall(v: Readonly<Record<string, number>>, step: number, k: number, emit: (kind: 'state', label: string, at: number, c: number, e: Record<string, number>, m: string) => void): void {
    const s = this.state;
    const from = s.stallFrom;
    if (!from || step - from.step < this.options.stallWindow) return;
    const now = this.substitution(v);
    const flat = now < (1 + this.options.stallGrowth) * from.abs;
    const weak = Math.abs(v[`cos_${k}_2`] ?? NaN) < T.absent && (v[`wnorm_${k}`] ?? Infinity) < this.options.stallNorm;
    if (flat && weak && !s.stalled) {
      s.stalled = true;
      emit('state', 'stalled-II', step, 0.5 + (1 - now / Math.max(from.abs * (1 + this.options.stallGrowth), 1e-12)) * 5, this.evidence(v, k), `stalled in phase II: ${this.entry(k, s.learner!)} has hardly grown for ${step - from.step} steps (${fmt(from.abs)} → ${fmt(now)}), ‖w${k}‖ = ${fmt(v[`wnorm_${k}`])} and |c${k}2| = ${fmt(Math.abs(v[`cos_${k}_2`]))}; usually slow, not permanent`);
    }
    s.stallFrom = { step, abs: now };
  }

  private trackFloors(v: Readonly<Record<string, number>>, learner: number): void {
    for (let j = 1; j <= this.options.m; j++) {
      const overlap = Math.abs(v[`M_${j}_2`] ?? NaN);
      if (j !== learner && Number.isFinite(overlap)) this.state.floorM2[j] = Math.min(this.state.floorM2[j] ?? Infinity, overlap);
    }
  }

  /** Running peaks of every off-diagonal |E_jr| (from the first record, as the offline analysis takes them). */
  private trackPeaks(record: MetricRecord): void {
    const m = this.options.m;
    const names = m <= FULL_HEAD_UP_TO ? offDiagonalNames(m) : ['E_offdiag_max'];
    for (const name of names) {
      const value = record.values[name];
      if (value === undefined || !Number.isFinite(value)) continue;
      const peak = this.state.peaks[name];
      if (!peak || Math.abs(value) > peak.abs) this.state.peaks[name] = { abs: Math.abs(value), value, step: record.step };
    }
  }

  /** How messages name the substituting entry: E21, or the largest off-diagonal entry where entries are not recorded one by one. */
  private entry(k: number, j: number): string {
    return this.options.m <= FULL_HEAD_UP_TO ? `E${k}${j}` : 'max|E_jr| (j ≠ r)';
  }

  private headName(k: number, j: number): string {
    return this.options.m <= FULL_HEAD_UP_TO ? `E_${k}_${j}` : 'E_offdiag_max';
  }

  private peakOf(k: number, j: number): Peak | undefined {
    return this.state.peaks[this.headName(k, j)];
  }

  /** |E_kj*|: how much the head substitutes for neuron k (the largest off-diagonal entry for large m). */
  private substitution(v: Readonly<Record<string, number>>): number {
    const { learner, other } = this.state;
    if (learner === null || other === null) return 0;
    return Math.abs(v[this.headName(other, learner)] ?? 0);
  }

  /** For m > 2, k is the neuron the head substitutes most: argmax_{j≠j*} |E_jj*| (or the one most aligned with v_2 for large m). */
  private substitutingNeuron(v: Readonly<Record<string, number>>, learner: number): number | null {
    const m = this.options.m;
    let best: number | null = null;
    let bestValue = -Infinity;
    for (let j = 1; j <= m; j++) {
      if (j === learner) continue;
      const value = m <= FULL_HEAD_UP_TO ? Math.abs(v[`E_${j}_${learner}`] ?? 0) : Math.abs(v[`cos_${j}_2`] ?? 0);
      if (value > bestValue) [best, bestValue] = [j, value];
    }
    return best;
  }

  /** The first neuron other than j* that has learned v_l (|c| ≥ 0.7), for l = 1 with a second, else null. */
  private otherLearner(v: Readonly<Record<string, number>>, learner: number, l: number): number | null {
    for (let j = 1; j <= this.options.m; j++) if (j !== learner && Math.abs(v[`cos_${j}_${l}`] ?? NaN) >= T.learned) return j;
    return null;
  }

  /** The first neuron other than j* that has learned v_2 cleanly (|c[k][2]| ≥ 0.7, |c[k][1]| < 0.3): the end of phase III. */
  private v2Learner(v: Readonly<Record<string, number>>, learner: number): number | null {
    const m = this.options.m;
    const candidates = m === 2 ? [3 - learner] : Array.from({ length: m }, (_, i) => i + 1).filter((j) => j !== learner);
    for (const k of candidates) if (Math.abs(v[`cos_${k}_2`] ?? NaN) >= T.learned && Math.abs(v[`cos_${k}_1`] ?? NaN) < T.absent) return k;
    return null;
  }

  private maxVarF(v: Readonly<Record<string, number>>): number {
    let max = -Infinity;
    for (let j = 1; j <= this.options.m; j++) max = Math.max(max, v[`varF_${j}`] ?? NaN);
    return max;
  }

  /** The values a reader needs to check the rule: alignments of j* and k, the head entry, norms and loss. */
  private evidence(v: Readonly<Record<string, number>>, k = this.state.other): Record<string, number> {
    const j = this.state.learner;
    const names = ['loss', 'E_dist_I'];
    if (j !== null) names.push(`cos_${j}_1`, `cos_${j}_2`, `wnorm_${j}`);
    if (k !== null && k !== undefined) {
      names.push(`cos_${k}_1`, `cos_${k}_2`, `M_${k}_2`, `wnorm_${k}`);
      if (j !== null) names.push(this.headName(k, j));
    }
    return { ...pick(v, names), ...(j !== null ? { learner: j } : {}), ...(k !== null && k !== undefined ? { other: k } : {}) };
  }
}

function offDiagonalNames(m: number): string[] {
  const names: string[] = [];
  for (let j = 1; j <= m; j++) for (let r = 1; r <= m; r++) if (j !== r) names.push(`E_${j}_${r}`);
  return names;
}

function pick(values: Readonly<Record<string, number>>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) if (Number.isFinite(values[name])) out[name] = values[name];
  return out;
}

/** 0.5 right at a threshold, rising to 1 once the value is 0.1 past it. */
function marginConfidence(margin: number): number {
  return 0.5 + 5 * Math.max(0, margin);
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(2) : x.toExponential(1)) : String(x);
}
