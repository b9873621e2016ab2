/**
 * Min/max decimation of columnar series with a shared x axis (pure; used by the server for
 * snapshots and REST, and by the dashboard to keep its own arrays small).
 *
 * The points are cut into buckets of consecutive rows; each bucket becomes two rows — at its
 * first and its last step — holding, for every series, the bucket's extreme values in the order
 * they occur. Every series' minimum and maximum over the whole range survive, and so does every
 * spike, however narrow.
 */
export type Columns = (number | null)[][];

/**
 * @param data columnar rows: data[0] the steps, data[c] series c (null = no value)
 * @param maxPoints at most this many rows come back (rounded down to even; at least 2)
 * @returns the data itself when it already fits
 */
export function decimateMinMax(data: Columns, maxPoints: number): { data: Columns; decimated: boolean } {
  const rows = data[0]?.length ?? 0;
  if (rows <= maxPoints) return { data, decimated: false };
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const out: Columns = data.map(() => new Array<number | null>(buckets * 2));
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * rows) / buckets);
    const end = Math.floor(((b + 1) * rows) / buckets); // exclusive
    out[0][2 * b] = data[0][start];
    out[0][2 * b + 1] = data[0][end - 1];
    for (let c = 1; c < data.length; c++) {
      const column = data[c];
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = column[i];
        if (v === null || v === undefined) continue;
        if (lo < 0 || v < (column[lo] as number)) lo = i;
        if (hi < 0 || v > (column[hi] as number)) hi = i;
      }
      const first = lo <= hi ? lo : hi;
      const second = lo <= hi ? hi : lo;
      out[c][2 * b] = first < 0 ? null : column[first];
      out[c][2 * b + 1] = second < 0 ? null : column[second];
    }
  }
  return { data: out, decimated: true };
}
