/**
 * `change-points`: how the online change-point detectors (bocpd, Page–Hinkley, and either) fare
 * on synthetic series with known change points, against the targets: ≥ 95 % of changes
 * detected within 50 samples, median delay ≤ 20 samples, ≤ 1 false alarm per 10,000 samples of
 * stationary noise. The signals come from the test suite's generators with another seed than the
 * tests use, and more of them; the cost of one update is measured on stationary noise.
 */
import { formatTable } from '../src/cli/table.js';
import { resolveConfig } from '../src/config/load.js';
import { changePointOptions } from '../src/operators/phases/phase-detector.js';
import { SeriesChangeDetector } from '../src/operators/phases/series-change-detector.js';
import { families, median, runDefaultDetector, scoreFamily } from '../tests/operators/phases/change-points/signals.js';

const SEED = 2024;
const SOURCES = ['bocpd', 'page-hinkley', 'either'] as const;
/** What a run with the default config watches its series with. */
const RUN_OPTIONS = changePointOptions(resolveConfig({}).config);


export async function benchChangePoints(log: (s: string) => void): Promise<Record<string, number>> {
  const suite = families(SEED, { count: 20, length: 5000, steps: 100, quietSamples: 200_000 });
  const figures: Record<string, number> = {};
  const rows: Record<string, string | number>[] = [];
  for (const family of suite) {
    log(`change points: ${family.name} (${family.signals.length} signals)…`);
    const scores = scoreFamily(family, runDefaultDetector);
    for (const source of SOURCES) {
      const s = scores[source];
      const key = `${family.name}/${source}`;
      const perTenThousand = (1e4 * s.falseAlarms) / s.samples;
      figures[`${key}/falseAlarmsPer10k`] = perTenThousand;
      const row: Record<string, string | number> = { signals: family.name, detector: source, samples: s.samples, changes: s.changes };
      if (s.changes > 0) {
        figures[`${key}/detectedPct`] = (100 * s.detected) / s.changes;
        figures[`${key}/medianDelay`] = median(s.delays);
        figures[`${key}/medianLocationError`] = median(s.locationErrors);
      }
      // Strings throughout, so that the table's columns align whether or not a row has changes.
      row['detected %'] = s.changes > 0 ? ((100 * s.detected) / s.changes).toFixed(1) : '—';
      row['median delay'] = s.changes > 0 ? median(s.delays).toFixed(1) : '—';
      row['median |location error|'] = s.changes > 0 ? median(s.locationErrors).toFixed(1) : '—';
      row['false alarms / 10k'] = perTenThousand.toFixed(2);
      rows.push(row);
    }
  }

  // Cost of one update of the default detector (both detectors, maxRunLength 400), warm.
  const noise = suite.find((f) => f.name === 'stationary')!.signals[0].values;
  const d = new SeriesChangeDetector('metric', RUN_OPTIONS);
  for (let i = 0; i < 2000; i++) d.update(i, noise[i]);
  const started = performance.now();
  for (let i = 2000; i < noise.length; i++) d.update(i, noise[i]);
  const microseconds = ((performance.now() - started) * 1000) / (noise.length - 2000);
  figures.updateMicroseconds = microseconds;

  process.stdout.write(
    `\nChange points (seed ${SEED}; a change counts if an alarm comes within 50 samples after it, before the next;\n` +
      `delays and location errors in samples; false alarms are those matched to no change):\n` +
      formatTable(rows) +
      `targets: detected ≥ 95 %, median delay ≤ 20, ≤ 1 false alarm / 10k samples of stationary noise\n` +
      `one update (warm-up normaliser + bocpd + Page–Hinkley, defaults): ${microseconds.toFixed(1)} µs\n`,
  );
  return figures;
}
