import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { validate } from '../../src/validate/validate.js';

/**
 * The reduced `phasewatch validate` that CI runs: one seed of the default preset and one of
 * head-none, in two worker threads, recorded in a real database. The expected outcomes are
 * SPEC §4's: the default run completes phases I–IV, the headless run collapses.
 */
describe('validate (reduced)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('default completes the four phases in order; head-none collapses', async () => {
    const store = Store.open(join(dir, 'validate.db'));
    let printed = '';
    try {
      const reports = await validate({ store, backend: 'wasm', seeds: 1, rows: ['default', 'head-none'], jobs: 2, write: (t) => (printed += t) });
      const [def, none] = reports;
      const m = def.runs[0].marks;
      expect(m.outcome).toBe('four-phases');
      expect(m.T1).not.toBeNull();
      expect(m.headPeak!.step).toBeGreaterThan(m.T1!);
      expect(m.T3!).toBeGreaterThan(m.T1!);
      expect(m.T4!).toBeGreaterThanOrEqual(Math.max(m.T3!, m.decay!));
      expect(m.T4!).toBeLessThanOrEqual(30_000);
      expect(none.runs[0].marks.outcome).toBe('dimensional-collapse');
      expect(reports.every((r) => r.pass)).toBe(true);
      // Both runs are in the database, with their metrics.
      expect(store.listRuns().map((r) => r.name)).toEqual(['validate:default', 'validate:head-none']);
      expect(store.readSeries(def.runs[0].runId, 'loss').steps.length).toBeGreaterThan(100);
      expect(printed).toContain('holds');
    } finally {
      store.close();
    }
  }, 240_000);
});
