import { describe, expect, it } from 'vitest';
import { decimateMinMax, type Columns } from '../../src/server/decimate.js';

const finite = (column: (number | null)[]) => column.filter((v): v is number => v !== null);

describe('decimateMinMax', () => {
  it('returns data that fits unchanged, not decimated', () => {
    const data: Columns = [
      [1, 2, 3, 4],
      [0.5, null, 0.25, 1],
    ];
    for (const maxPoints of [4, 5, 1000]) {
      const out = decimateMinMax(data, maxPoints);
      expect(out.decimated).toBe(false);
      expect(out.data).toBe(data);
    }
    expect(decimateMinMax([[]], 16)).toEqual({ data: [[]], decimated: false });
  });

  it('keeps each bucket’s min and max in the order they occur, at its first and last step', () => {
    // Two buckets of four rows each.
    const data: Columns = [
      [10, 20, 30, 40, 50, 60, 70, 80],
      [5, 1, 9, 3, 2, 8, 0, 4], // bucket 1: min 1 before max 9; bucket 2: max 8 before min 0
      [7, 7, 7, 7, 1, 2, 3, 4], // a flat bucket, then a rising one
    ];
    const out = decimateMinMax(data, 4);
    expect(out.decimated).toBe(true);
    expect(out.data).toEqual([
      [10, 40, 50, 80],
      [1, 9, 8, 0],
      [7, 7, 1, 4],
    ]);
  });

  describe('1,000 rows to 100 points', () => {
    const rows = 1000;
    const steps = Array.from({ length: rows }, (_, i) => 5 * i + 3);
    const smooth = steps.map((_, i) => Math.sin(i / 37) + i / 500);
    const spiky = steps.map((_, i) => (i === 537 ? 1e6 : i === 912 ? -1e6 : Math.cos(i / 11)));
    // Every third value missing, and rows 300–339 (two whole buckets) missing entirely.
    const holes = steps.map((_, i) => (i % 3 === 0 || (i >= 300 && i < 340) ? null : ((i * 7919) % 1000) / 10));
    const descending = steps.map((_, i) => 1000 - i);
    const data: Columns = [steps, smooth, spiky, holes, descending];
    const out = decimateMinMax(data, 100);
    const bucketOf = (b: number) => ({ start: b * 20, end: (b + 1) * 20 }); // 1000 rows / 50 buckets

    it('gives 100 rows in every column', () => {
      expect(out.decimated).toBe(true);
      expect(out.data).toHaveLength(data.length);
      for (const column of out.data) expect(column).toHaveLength(100);
    });

    it('keeps every column’s global minimum and maximum, and a single narrow spike', () => {
      for (let c = 1; c < data.length; c++) {
        const all = finite(data[c]);
        expect(out.data[c]).toContain(Math.min(...all));
        expect(out.data[c]).toContain(Math.max(...all));
      }
      expect(out.data[2]).toContain(1e6);
      expect(out.data[2]).toContain(-1e6);
    });

    it('gives each bucket’s first and last step', () => {
      for (let b = 0; b < 50; b++) {
        const { start, end } = bucketOf(b);
        expect(out.data[0][2 * b]).toBe(steps[start]);
        expect(out.data[0][2 * b + 1]).toBe(steps[end - 1]);
      }
    });

    it('gives each bucket’s min and max, ordered by position, skipping nulls', () => {
      for (let c = 1; c < data.length; c++) {
        for (let b = 0; b < 50; b++) {
          const { start, end } = bucketOf(b);
          const present = data[c]
            .slice(start, end)
            .map((v, k) => ({ v, at: start + k }))
            .filter((p): p is { v: number; at: number } => p.v !== null);
          const pair = [out.data[c][2 * b], out.data[c][2 * b + 1]];
          if (present.length === 0) {
            expect(pair, `column ${c} bucket ${b}`).toEqual([null, null]);
            continue;
          }
          const lo = present.reduce((a, p) => (p.v < a.v ? p : a));
          const hi = present.reduce((a, p) => (p.v > a.v ? p : a));
          expect(pair, `column ${c} bucket ${b}`).toEqual(lo.at <= hi.at ? [lo.v, hi.v] : [hi.v, lo.v]);
        }
      }
      // The column with holes has nulls only for the two empty buckets.
      expect(out.data[3].filter((v) => v === null)).toHaveLength(4);
      // A falling series shows max then min in every bucket.
      for (let b = 0; b < 50; b++) expect(out.data[4][2 * b]).toBeGreaterThan(out.data[4][2 * b + 1]!);
    });
  });

  it('rounds maxPoints down to even and covers uneven buckets without gap or overlap', () => {
    const steps = Array.from({ length: 1000 }, (_, i) => i);
    const values = steps.map((i) => ((i * 48271) % 997) - 500);
    const out = decimateMinMax([steps, values], 301);
    expect(out.data[0]).toHaveLength(300);
    expect(out.data[0][0]).toBe(0);
    expect(out.data[0][299]).toBe(999);
    for (let b = 0; b < 150; b++) {
      expect(out.data[0][2 * b + 1]!).toBeGreaterThanOrEqual(out.data[0][2 * b]!);
      if (b > 0) expect(out.data[0][2 * b]).toBe(out.data[0][2 * b - 1]! + 1);
    }
    expect(out.data[1]).toContain(Math.min(...values));
    expect(out.data[1]).toContain(Math.max(...values));
    // Every value shown is one of the bucket's own values.
    for (let b = 0; b < 150; b++) {
      const [from, to] = [out.data[0][2 * b]!, out.data[0][2 * b + 1]!];
      const own = values.slice(from, to + 1);
      expect(own).toContain(out.data[1][2 * b]);
      expect(own).toContain(out.data[1][2 * b + 1]);
    }
  });
});
