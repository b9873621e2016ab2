import type { MetricRecord } from '../operators/frames.js';
import type { PhaseEvent, PhaseName } from '../operators/phases/phase-event.js';

export interface ProgressOptions {
  readonly total: number;
  /** Redraw one line in place (a terminal) or print a line every `every` steps (a log). */
  readonly tty: boolean;
  readonly every: number;
  readonly write: (text: string) => void;
  /** The phase the run is in when it starts (a resumed run's). */
  readonly phase?: PhaseName | null;
}

/**
 * The terminal view of a run: step, speed, the current phase, loss and the alignment matrix.
 * On a terminal it redraws one line at most ten times a second; in a log it prints one line
 * every `every` steps. Phase transitions and run states are printed on lines of their own as
 * they are detected (change points only show in the dashboard and the store).
 */
export class ProgressReporter {
  private latest: MetricRecord | null = null;
  private lastDraw = 0;
  private lastLogged = -1;
  private readonly speed: { step: number; time: number }[] = [];
  private phase: PhaseName | null;
  private state: string | null = null;

  constructor(private readonly options: ProgressOptions) {
    this.phase = options.phase ?? null;
  }

  /** Feed every recorded metric point. */
  update(record: MetricRecord): void {
    this.latest = record;
    for (const event of record.events ?? []) this.announce(event);
    const now = performance.now();
    this.speed.push({ step: record.step, time: now });
    while (this.speed.length > 2 && now - this.speed[0].time > 3000) this.speed.shift();
    if (this.options.tty) {
      if (now - this.lastDraw >= 100) {
        this.lastDraw = now;
        this.options.write(`\r\x1b[2K${this.line()}`);
      }
    } else if (Math.floor(record.step / this.options.every) !== Math.floor(this.lastLogged / this.options.every)) {
      this.lastLogged = record.step;
      this.options.write(`${this.line()}\n`);
    }
  }

  /** Prints a phase transition or run state on its own line and remembers it for the progress line. */
  private announce(event: PhaseEvent): void {
    if (event.kind === 'change-point') return;
    if (event.kind === 'phase') this.phase = event.label as PhaseName;
    else this.state = event.label;
    const text = `step ${event.detectedAt}: ${event.message}`;
    this.options.write(this.options.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }

  /** Ends the progress display (a final line, newline on a terminal). */
  finish(message: string): void {
    if (this.options.tty && this.latest) this.options.write(`\r\x1b[2K${this.line()}\n`);
    this.options.write(`${message}\n`);
  }

  /** steps per second over the last few seconds. */
  stepsPerSecond(): number {
    if (this.speed.length < 2) return 0;
    const first = this.speed[0];
    const last = this.speed[this.speed.length - 1];
    return last.time > first.time ? ((last.step - first.step) * 1000) / (last.time - first.time) : 0;
  }

  line(): string {
    const record = this.latest;
    if (!record) return 'starting…';
    const { total } = this.options;
    const pct = ((100 * record.step) / total).toFixed(0).padStart(3);
    const rate = this.stepsPerSecond();
    const parts = [
      `step ${record.step.toString().padStart(String(total).length)}/${total} ${pct}%`,
      `${rate.toFixed(0)} steps/s`,
      `phase ${(this.phase ?? '–').padEnd(3)}${this.state ? ` ${this.state}` : ''}`,
      `loss ${formatNumber(record.values.loss)}`,
      alignmentText(record.values),
    ];
    const e21 = record.values.E_2_1;
    parts.push(e21 !== undefined ? `E21 ${e21.toFixed(3)}` : `|E−I| ${formatNumber(record.values.E_dist_I)}`);
    return parts.join(' │ ');
  }
}

/**
 * The alignment matrix |c[j][ℓ]| as text: every neuron for m ≤ 4, otherwise the neuron best
 * aligned with each feature.
 */
export function alignmentText(values: Readonly<Record<string, number>>): string {
  const neurons: number[] = [];
  for (let j = 1; values[`cos_${j}_1`] !== undefined; j++) neurons.push(j);
  if (neurons.length <= 4) {
    return 'c ' + neurons.map((j) => `w${j}[${fmtCos(values[`cos_${j}_1`])} ${fmtCos(values[`cos_${j}_2`])}]`).join(' ');
  }
  const best = (l: number) => neurons.reduce((a, j) => (Math.abs(values[`cos_${j}_${l}`]) > Math.abs(values[`cos_${a}_${l}`]) ? j : a), neurons[0]);
  const b1 = best(1);
  const b2 = best(2);
  return `best c: v1←w${b1} ${fmtCos(values[`cos_${b1}_1`])}, v2←w${b2} ${fmtCos(values[`cos_${b2}_2`])}`;
}

function fmtCos(x: number): string {
  return Math.abs(x).toFixed(2).replace(/^0/, '');
}

function formatNumber(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2);
}
