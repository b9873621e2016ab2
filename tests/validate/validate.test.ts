import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { validate } from '../../src/validate/validate.js';

/**
 * The reduced `phasewatch validate --phases` that CI runs: one seed of the default preset, of
 * head-none and of no-bn, in two worker threads, recorded in a real database. The expected
 * outcomes are SPEC §4's: the default run completes phases I–IV, the headless run collapses, the
 * run without BN collapses totally; and live detection found every boundary of the complete
 * trajectories within 500 steps, in order, with no false transition.
 */
describe('validate (reduced)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('default completes the four phases in order; head-none collapses; no-bn collapses totally; live detection agrees', async () => {
    const store = Store.open(join(dir, 'validate.db'));
    let printed = '';
    try {
      const reports = await validate({ store, backend: 'wasm', seeds: 1, rows: ['default', 'head-none', 'no-bn'], jobs: 2, phases: true, write: (t) => (printed += t) });
      const [def, none, noBn] = reports;
      const m = def.runs[0].marks;
      expect(m.outcome).toBe('four-phases');
      expect(m.T1).not.toBeNull();
      expect(m.headPeak!.step).toBeGreaterThan(m.T1!);
      expect(m.T3!).toBeGreaterThan(m.T1!);
      expect(m.T4!).toBeGreaterThanOrEqual(Math.max(m.T3!, m.decay!));
      expect(m.T4!).toBeLessThanOrEqual(30_000);
      expect(none.runs[0].marks.outcome).toBe('dimensional-collapse');
      expect(noBn.runs[0].marks.outcome).toBe('total-collapse');
      expect(reports.every((r) => r.pass)).toBe(true);

      // Live detection against the offline boundaries of the same stored trajectories.
      const labels = (r: typeof def) => r.runs[0].detection!.boundaries.map((b) => b.label);
      expect(labels(def)).toEqual(['II', 'III', 'IV', 'converged']);
      expect(labels(none)).toEqual(['II', 'dimensional-collapse']);
      expect(labels(noBn)).toEqual(['total-collapse']);
      for (const report of reports) {
        const detection = report.runs[0].detection!;
        expect(detection.false).toEqual([]);
        expect(detection.ordered).toBe(true);
        for (const b of detection.boundaries) expect(Math.abs(b.delay!), `${report.row.id} ${b.label}`).toBeLessThanOrEqual(500);
      }
      // The threshold rules are exact: II, IV, convergence and the collapses are seen at their own record.
      for (const b of [...def.runs[0].detection!.boundaries, ...none.runs[0].detection!.boundaries, ...noBn.runs[0].detection!.boundaries]) {
        if (b.label !== 'III') expect(b.delay, b.label).toBe(0);
      }
      expect(printed).toContain('detection holds');
      // The runs are in the database, with their metrics.
      expect(store.listRuns().map((r) => r.name)).toEqual(['validate:default', 'validate:head-none', 'validate:no-bn']);
      expect(store.readSeries(def.runs[0].runId, 'loss').steps.length).toBeGreaterThan(100);
      expect(printed).toContain('holds');
    } finally {
      store.close();
    }
  }, 240_000);
});
