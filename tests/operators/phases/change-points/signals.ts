/**
 * Synthetic series with known change points, and the scoring of alarms against them. Built from
 * the seeded test generator only (nothing from the detectors), so tests and the benchmark judge
 * the detectors on signals they had no hand in.
 */
import { resolveConfig } from '../../../../src/config/load.js';
import { changePointOptions } from '../../../../src/operators/phases/phase-detector.js';
import { SeriesChangeDetector } from '../../../../src/operators/phases/series-change-detector.js';
import { gaussian, mulberry32 } from '../../../helpers/test-rng.js';

export interface Signal {
  readonly values: Float64Array;
  /** Sample indices where a new regime begins (ascending). */
  readonly changes: readonly number[];
  /** What each change is: the mean going up or down, or the noise scale changing. */
  readonly kinds: readonly ('up' | 'down' | 'variance')[];
}

/** Change points between segments of length uniform in [min, max]; the last segment is at least `min` long. */
function segments(next: () => number, length: number, min = 100, max = 400): number[] {
  const changes: number[] = [];
  let at = min + Math.floor(next() * (max - min + 1));
  while (at + min <= length) {
    changes.push(at);
    at += min + Math.floor(next() * (max - min + 1));
  }
  return changes;
}

/** Piecewise-constant mean in unit Gaussian noise; each shift is 2σ–5σ with a random sign. */
export function meanShiftSignal(seed: number, length: number): Signal {
  const next = mulberry32(seed);
  const changes = segments(next, length);
  const values = new Float64Array(length);
  const kinds: ('up' | 'down')[] = [];
  let mean = 0;
  let c = 0;
  for (let i = 0; i < length; i++) {
    if (i === changes[c]) {
      const sign = next() < 0.5 ? -1 : 1;
      mean += sign * (2 + 3 * next());
      kinds.push(sign > 0 ? 'up' : 'down');
      c++;
    }
    values[i] = mean + gaussian(next);
  }
  return { values, changes, kinds };
}

/**
 * Zero-mean Gaussian noise whose σ is multiplied or divided by 3 at each change (random choice,
 * kept within [1/9, 9] of the first segment's σ = 1 by choosing the other way at the bounds).
 */
export function varianceShiftSignal(seed: number, length: number): Signal {
  const next = mulberry32(seed);
  const changes = segments(next, length);
  const values = new Float64Array(length);
  let level = 0; // log₃ σ
  let c = 0;
  for (let i = 0; i < length; i++) {
    if (i === changes[c]) {
      const step = next() < 0.5 ? -1 : 1;
      level = Math.abs(level + step) > 2 ? level - step : level + step;
      c++;
    }
    values[i] = 3 ** level * gaussian(next);
  }
  return { values, changes, kinds: changes.map(() => 'variance' as const) };
}

/** One step of `snr` noise σ (random sign) at a random index in [200, 400), then 300 more samples. */
export function stepSignal(seed: number, snr: number): Signal {
  const next = mulberry32(seed);
  const at = 200 + Math.floor(next() * 200);
  const sign = next() < 0.5 ? -1 : 1;
  const values = new Float64Array(at + 300);
  for (let i = 0; i < values.length; i++) values[i] = (i >= at ? sign * snr : 0) + gaussian(next);
  return { values, changes: [at], kinds: [sign > 0 ? 'up' : 'down'] };
}

/** Stationary unit Gaussian noise around an arbitrary level. */
export function stationarySignal(seed: number, length: number): Signal {
  const next = mulberry32(seed);
  const level = 100 * (next() - 0.5);
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = level + gaussian(next);
  return { values, changes: [], kinds: [] };
}

/**
 * Unit noise on a slow decay, like a loss curve: level 10·e^(−i/τ) with τ a fifth of the length,
 * plus a linear drift of `slope` σ per sample. No change points.
 */
export function trendingSignal(seed: number, length: number, slope = 0.0005): Signal {
  const next = mulberry32(seed);
  const tau = length / 5;
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = 10 * Math.exp(-i / tau) + slope * i + gaussian(next);
  return { values, changes: [], kinds: [] };
}

/** A named set of signals. */
export interface Family {
  readonly name: string;
  readonly signals: readonly Signal[];
}

/**
 * The suites of the acceptance targets, from one base seed: mean shifts and variance shifts
 * (`count` signals of `length` samples each), steps at SNR 2, 3, 5, 10 (`steps` signals each),
 * stationary and trending noise (`quietSamples` samples each, in signals of 10,000).
 */
export function families(seed: number, o: { count: number; length: number; steps: number; quietSamples: number }): Family[] {
  const seq = (n: number, k: number) => Array.from({ length: n }, (_, i) => seed * 1000 + k * 100_000 + i);
  const quiet = Math.ceil(o.quietSamples / 10_000);
  return [
    { name: 'mean shifts', signals: seq(o.count, 1).map((s) => meanShiftSignal(s, o.length)) },
    { name: 'variance shifts', signals: seq(o.count, 2).map((s) => varianceShiftSignal(s, o.length)) },
    ...[2, 3, 5, 10].map((snr, k) => ({ name: `step SNR ${snr}`, signals: seq(o.steps, 3 + k).map((s) => stepSignal(s, snr)) })),
    { name: 'stationary', signals: seq(quiet, 7).map((s) => stationarySignal(s, 10_000)) },
    { name: 'trending', signals: seq(quiet, 8).map((s) => trendingSignal(s, 10_000)) },
  ];
}

/** How alarms (sample indices where they fired) fare against a signal's true changes. */
export interface Score {
  readonly changes: number;
  readonly detected: number;
  /** detectedAt − change, for each detected change (its first alarm in the window). */
  readonly delays: number[];
  /** |estimated change − true change| for the same alarms, when estimates are given. */
  readonly locationErrors: number[];
  /** Among detected changes whose alarm gave a direction: how many gave the true one. */
  readonly directions: number;
  readonly directionsRight: number;
  /** Alarms that are not within `window` samples after a change (and before the next one). */
  readonly falseAlarms: number;
  readonly samples: number;
}

export interface Alarm {
  /** Sample index at which the alarm fired. */
  readonly at: number;
  /** Sample index of the estimated change. */
  readonly estimate: number;
  readonly direction?: 'up' | 'down' | 'variance';
}

/**
 * A change counts as detected by the first alarm that fires within `window` samples after it
 * (at or after the change, before the next change); every alarm matched to no change is false.
 */
export function score(signal: Signal, alarms: readonly Alarm[], window = 50): Score {
  const { changes } = signal;
  const delays: number[] = [];
  const locationErrors: number[] = [];
  const used = new Set<number>();
  let directions = 0;
  let directionsRight = 0;
  changes.forEach((c, k) => {
    const end = Math.min(c + window, k + 1 < changes.length ? changes[k + 1] - 1 : Infinity);
    const hits = alarms.filter((a) => a.at >= c && a.at <= end);
    for (const h of hits) used.add(alarms.indexOf(h));
    if (hits.length > 0) {
      delays.push(hits[0].at - c);
      locationErrors.push(Math.abs(hits[0].estimate - c));
      if (hits[0].direction) {
        directions++;
        if (hits[0].direction === signal.kinds[k]) directionsRight++;
      }
    }
  });
  return {
    changes: changes.length,
    detected: delays.length,
    delays,
    locationErrors,
    directions,
    directionsRight,
    falseAlarms: alarms.length - used.size,
    samples: signal.values.length,
  };
}

/** Sums scores over signals. */
export function total(scores: readonly Score[]): Score {
  return {
    changes: scores.reduce((s, x) => s + x.changes, 0),
    detected: scores.reduce((s, x) => s + x.detected, 0),
    delays: scores.flatMap((x) => x.delays),
    locationErrors: scores.flatMap((x) => x.locationErrors),
    directions: scores.reduce((s, x) => s + x.directions, 0),
    directionsRight: scores.reduce((s, x) => s + x.directionsRight, 0),
    falseAlarms: scores.reduce((s, x) => s + x.falseAlarms, 0),
    samples: scores.reduce((s, x) => s + x.samples, 0),
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Scores every signal of a family for each named alarm source that `detect` returns, and for
 * `either` (all sources' alarms together, in order of firing).
 */
export function scoreFamily(family: Family, detect: (values: Float64Array) => Record<string, Alarm[]>, window = 50): Record<string, Score> {
  const perSource: Record<string, Score[]> = {};
  for (const signal of family.signals) {
    const found = detect(signal.values);
    const all = Object.values(found).flat().sort((a, b) => a.at - b.at);
    for (const [name, alarms] of [...Object.entries(found), ['either', all] as const]) {
      (perSource[name] ??= []).push(score(signal, alarms, window));
    }
  }
  return Object.fromEntries(Object.entries(perSource).map(([name, scores]) => [name, total(scores)]));
}

/**
 * The harness, not the judge: runs the change-point detector a run uses by default (its config's
 * `phases.changePoints`) over a signal recorded every 10 steps; alarms by detector, in samples.
 */
export function runDefaultDetector(values: Float64Array): Record<string, Alarm[]> {
  const d = new SeriesChangeDetector('metric', changePointOptions(resolveConfig({}).config));
  const out: Record<string, Alarm[]> = { bocpd: [], 'page-hinkley': [] };
  for (let i = 0; i < values.length; i++) {
    for (const cp of d.update(10 * i, values[i])) out[cp.detector].push({ at: cp.detectedAt / 10, estimate: cp.step / 10, direction: cp.direction });
  }
  return out;
}
