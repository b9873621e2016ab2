import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../../src/operators/frames.js';
import type { PhaseEvent } from '../../../src/operators/phases/phase-event.js';
import { DEFAULT_THEORY_OPTIONS, TheoryDetector } from '../../../src/operators/phases/theory-detector.js';

/** Linear interpolation through (step, value) knots, constant outside them. */
function knots(points: readonly [number, number][]): (s: number) => number {
  return (s) => {
    if (s <= points[0][0]) return points[0][1];
    for (let i = 1; i < points.length; i++) {
      const [s1, v1] = points[i];
      const [s0, v0] = points[i - 1];
      if (s <= s1) return v0 + ((v1 - v0) * (s - s0)) / (s1 - s0);
    }
    return points[points.length - 1][1];
  };
}

type Curves = Record<string, (s: number) => number>;

/** Records every 10 steps up to `last`, with m = 2 defaults for anything not given. */
function records(curves: Curves, last: number): MetricRecord[] {
  const base: Curves = {
    loss: () => 1.3,
    cos_1_1: () => 0.2,
    cos_1_2: () => 0.1,
    cos_2_1: () => 0.1,
    cos_2_2: () => 0.15,
    M_2_2: () => 0.15,
    wnorm_1: () => 1,
    wnorm_2: () => 1,
    E_1_1: () => 1,
    E_2_2: () => 1,
    E_1_2: () => 0,
    E_2_1: () => 0,
    varF_1: () => 1,
    varF_2: () => 1,
  };
  const all = { ...base, ...curves };
  const out: MetricRecord[] = [];
  for (let step = 10; step <= last; step += 10) {
    const values: Record<string, number> = {};
    for (const [name, f] of Object.entries(all)) values[name] = f(step);
    values.E_dist_I ??= Math.hypot(values.E_1_2, values.E_2_1);
    out.push({ step, values });
  }
  return out;
}

function detect(recs: readonly MetricRecord[], m = 2): PhaseEvent[] {
  const detector = new TheoryDetector({ ...DEFAULT_THEORY_OPTIONS, m });
  return recs.flatMap((r) => detector.observe(r));
}

const summary = (events: readonly PhaseEvent[]) => events.map((e) => `${e.label}@${e.step}/${e.detectedAt}`);

// The four-phase trajectory, with the crossing steps worked out by hand:
// - |c11| = 0.2 → 1.0 over 600…1000: reaches 0.7 at 600 + 400·0.5/0.8 = 850 → phase II at 850;
// - E21 rises 0 → 0.15 over 850…4000, then falls linearly to 0 at 5000: the peak is at 4000 and
//   it is 1% below it (≤ 0.1485) from 4000 + 1000·0.01 = 4010, where |c22| ≈ 0.36 ≥ 0.3 → III at 4000, seen at 4010;
// - |c22| 0.35 → 1.0 over 4000…4500 reaches 0.7 at 4000 + 500·0.35/0.65 ≈ 4269.2 → IV at 4270;
// - ‖E − I‖ = E21 < 0.01 from 4000 + 1000·(1 − 0.01/0.15) ≈ 4933.3, i.e. 4940; by then E21 < 0.1·peak
//   (from 4900) and |c22| ≥ 0.95 (from 4461.5) → converged at 4940.
const fourPhases: Curves = {
  cos_1_1: knots([[600, 0.2], [1000, 1]]),
  E_2_1: knots([[850, 0], [4000, 0.15], [5000, 0]]),
  cos_2_2: knots([[3000, 0.15], [4000, 0.35], [4500, 1]]),
  M_2_2: knots([[3000, 0.15], [4000, 0.35], [4500, 1]]),
};

describe('TheoryDetector', () => {
  it('finds the four phases of SPEC §3 at the hand-derived steps, in order', () => {
    const events = detect(records(fourPhases, 6000));
    expect(summary(events)).toEqual(['I@10/10', 'II@850/850', 'III@4000/4010', 'IV@4270/4270', 'converged@4940/4940']);
    expect(events.map((e) => e.phase)).toEqual(['I', 'II', 'III', 'IV', 'IV']);
    const second = events[1];
    expect(second.evidence.learner).toBe(1);
    expect(second.evidence.other).toBe(2);
    expect(second.evidence.cos_1_1).toBeCloseTo(0.7, 10);
    expect(second.message).toMatch(/neuron 1 learned v₁/);
    expect(events[2].evidence.peak).toBeCloseTo(0.15, 12);
    for (const e of events) expect(e.confidence).toBeGreaterThanOrEqual(0.5), expect(e.confidence).toBeLessThanOrEqual(1);
  });

  it('names the learner and the substituted neuron when neuron 2 learns v_1 first', () => {
    const swapped: Curves = {
      cos_2_1: fourPhases.cos_1_1,
      cos_1_1: () => 0.1,
      E_1_2: fourPhases.E_2_1,
      cos_1_2: fourPhases.cos_2_2,
      M_1_2: fourPhases.M_2_2,
      cos_2_2: () => 0.1,
    };
    const events = detect(records(swapped, 6000));
    expect(summary(events)).toEqual(['I@10/10', 'II@850/850', 'III@4000/4010', 'IV@4270/4270', 'converged@4940/4940']);
    expect(events[1].evidence).toMatchObject({ learner: 2, other: 1 });
    expect(events[3].message).toMatch(/neuron 1 learned v₂/);
  });

  it('flags dimensional collapse when the second neuron learns v_1 too, and says nothing after it', () => {
    // |c21| 0.1 → 0.9 over 2000…3000 reaches 0.7 at 2000 + 1000·0.6/0.8 = 2750.
    const collapse: Curves = { ...fourPhases, cos_2_1: knots([[2000, 0.1], [3000, 0.9]]) };
    const events = detect(records(collapse, 6000));
    expect(summary(events)).toEqual(['I@10/10', 'II@850/850', 'dimensional-collapse@2750/2750']);
    expect(events[2].kind).toBe('state');
  });

  it('flags total collapse when Var(F) and the loss both fall under 1% of their first values', () => {
    // Both decay as exp(−s/300) from their values at step 10: under 1% once s − 10 > 300·ln 100 ≈ 1381.6 → 1400.
    const decay = (s: number) => Math.exp(-(s - 10) / 300);
    const events = detect(records({ varF_1: decay, varF_2: (s) => 0.5 * decay(s), loss: (s) => 2 * decay(s) }, 3000));
    expect(summary(events)).toEqual(['I@10/10', 'total-collapse@1400/1400']);
  });

  it('warns once when phase II stalls, and reports no phase III that did not happen', () => {
    // E21 reaches 0.15 at 4000 and stays; |c22| and ‖w2‖ stay low. Windows of 4000 steps start at
    // T1 = 850: at 4850 E21 grew from 0 (not flat); at 8850 it is unchanged → stalled at 8850.
    const stalled: Curves = { cos_1_1: fourPhases.cos_1_1, E_2_1: knots([[850, 0], [4000, 0.15]]), cos_2_2: () => 0.1, wnorm_2: () => 0.6 };
    const events = detect(records(stalled, 20_000));
    expect(summary(events)).toEqual(['I@10/10', 'II@850/850', 'stalled-II@8850/8850']);
  });

  it('does not take a dip of E during phase II for the turn while w_k has not turned to v_2', () => {
    const dip: Curves = { ...fourPhases, E_2_1: knots([[850, 0], [1500, 0.02], [1600, 0.01], [4000, 0.15], [5000, 0]]) };
    expect(summary(detect(records(dip, 6000)))).toEqual(['I@10/10', 'II@850/850', 'III@4000/4010', 'IV@4270/4270', 'converged@4940/4940']);
  });

  it('needs progress on v_2, not only an aligned cosine, to call the turn', () => {
    // As at small d: |c22| starts at 0.33 (above 0.3) and E21 wobbles down 5% at 2000, but
    // |M22| stays at 0.2, not 25% above its phase-II low: no phase III.
    const drift: Curves = { cos_1_1: fourPhases.cos_1_1, cos_2_2: () => 0.33, M_2_2: () => 0.2, E_2_1: knots([[850, 0], [2000, 0.1], [2100, 0.095], [4000, 0.15]]) };
    expect(summary(detect(records(drift, 6000)))).toEqual(['I@10/10', 'II@850/850']);
  });

  it('puts phase III at the peak when w_k learns v_2 before the turn is confirmed', () => {
    // E21 peaks at 4000 and c22 jumps from 0.2 to 0.9 between 3990 and 4000: the record at 4000
    // has learned v_2 already, so III (at the peak, 4000) and IV come together.
    const jump: Curves = { ...fourPhases, cos_2_2: knots([[3990, 0.2], [4000, 0.9]]) };
    const events = detect(records(jump, 6000));
    expect(summary(events).slice(0, 4)).toEqual(['I@10/10', 'II@850/850', 'III@4000/4000', 'IV@4000/4000']);
  });

  it('puts III with IV at T3 when the head never substituted (|E_kj*| under 0.01 throughout)', () => {
    // As under ℓ2 normalisation: E21 only wobbles at ±0.002 (its largest value 0.002 at 1750 is
    // noise), and neuron 2 learns v_2 on its own, crossing 0.7 at 4270 as in the four-phase case.
    const alone: Curves = { ...fourPhases, E_2_1: (s) => 0.002 * Math.sin(s / 500), E_dist_I: (s) => Math.abs(0.002 * Math.sin(s / 500)) };
    const events = detect(records(alone, 6000));
    expect(summary(events).slice(0, 4)).toEqual(['I@10/10', 'II@850/850', 'III@4270/4270', 'IV@4270/4270']);
    expect(events[2].message).toMatch(/without the head substituting/);
  });

  it('works for m = 3: the head entry that substitutes picks the neuron that must learn v_2', () => {
    // Neuron 3 learns v_1; E_13 substitutes (E_23 stays small); neuron 1 learns v_2.
    const m3: Curves = {
      cos_3_1: fourPhases.cos_1_1,
      cos_1_1: () => 0.1,
      cos_3_2: () => 0.1,
      cos_1_2: fourPhases.cos_2_2,
      M_1_2: fourPhases.M_2_2,
      E_1_3: fourPhases.E_2_1,
      E_2_3: (s) => 0.2 * fourPhases.E_2_1(s),
      E_dist_I: (s) => Math.hypot(fourPhases.E_2_1(s), 0.2 * fourPhases.E_2_1(s)),
      cos_2_2: () => 0.1,
      wnorm_3: () => 1,
      varF_3: () => 1,
    };
    for (const name of ['E_3_1', 'E_3_2', 'E_1_2', 'E_2_1', 'E_3_3']) m3[name] ??= name === 'E_3_3' ? () => 1 : () => 0;
    const events = detect(records(m3, 6000), 3);
    // ‖E − I‖ = 0.15·√1.04·(1 − (s−4000)/1000) < 0.01 from s > 4000 + 1000·(1 − 0.01/(0.15·√1.04)) ≈ 4934.6 → 4940.
    expect(summary(events)).toEqual(['I@10/10', 'II@850/850', 'III@4000/4010', 'IV@4270/4270', 'converged@4940/4940']);
    expect(events[2].evidence).toMatchObject({ learner: 3, other: 1 });
    expect(events[2].message).toMatch(/E13/);
  });

  it('works for m = 6 without per-entry head series, reading the substitution from E_offdiag_max', () => {
    // Neuron 4 learns v_1; neuron 6 is the one most aligned with v_2 and learns it.
    const m6: Curves = {
      cos_1_1: () => 0.1,
      cos_4_1: fourPhases.cos_1_1,
      cos_6_2: fourPhases.cos_2_2,
      M_6_2: fourPhases.M_2_2,
      E_offdiag_max: fourPhases.E_2_1,
      E_dist_I: fourPhases.E_2_1,
      E_1_2: () => NaN,
      E_2_1: () => NaN,
    };
    for (let j = 2; j <= 6; j++) {
      m6[`cos_${j}_1`] ??= () => 0.1;
      m6[`cos_${j}_2`] ??= () => 0.12;
      m6[`M_${j}_2`] ??= () => 0.12;
      m6[`varF_${j}`] ??= () => 1;
    }
    const events = detect(records(m6, 6000), 6);
    expect(summary(events)).toEqual(['I@10/10', 'II@850/850', 'III@4000/4010', 'IV@4270/4270', 'converged@4940/4940']);
    expect(events[3].evidence).toMatchObject({ learner: 4, other: 6 });
  });

  it('continues exactly from a JSON snapshot taken mid-run', () => {
    const recs = records(fourPhases, 6000);
    const whole = detect(recs);
    for (const cut of [1, 85, 300, 401, 427, 500]) {
      const first = new TheoryDetector({ ...DEFAULT_THEORY_OPTIONS, m: 2 });
      const before = recs.slice(0, cut).flatMap((r) => first.observe(r));
      const second = new TheoryDetector({ ...DEFAULT_THEORY_OPTIONS, m: 2 }, JSON.parse(JSON.stringify(first.snapshot())));
      const after = recs.slice(cut).flatMap((r) => second.observe(r));
      expect([...before, ...after]).toEqual(whole);
    }
  });
});
