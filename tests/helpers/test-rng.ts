/** A seeded generator for test inputs, independent of src/model/rng.ts (mulberry32 + Box–Muller). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(next: () => number): number {
  const u = 1 - next();
  const v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** rows×cols matrix of N(0, scale²) entries from a seeded generator. */
export function gaussianMatrix(rows: number, cols: number, seed: number, scale = 1): number[][] {
  const next = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * gaussian(next)));
}
