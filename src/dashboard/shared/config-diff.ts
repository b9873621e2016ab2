/**
 * What a branch changed: both configs flattened to `a.b.c` keys and compared leaf by leaf.
 * Pure functions; no DOM.
 */

/** A leaf value of a config: anything that is not a plain object (arrays count as one value). */
export type ConfigLeaf = unknown;

/**
 * Flattens nested objects to dotted keys, in the objects' own key order. Arrays are leaves
 * (`init.overlap` is one setting, compared as a whole), and so are null and empty objects.
 * @example flattenConfig({ optim: { lrE: 0.001 }, init: { overlap: [[1, 2]] } })
 *   // Map { 'optim.lrE' => 0.001, 'init.overlap' => [[1, 2]] }
 */
export function flattenConfig(config: unknown, prefix = ''): Map<string, ConfigLeaf> {
  const out = new Map<string, ConfigLeaf>();
  walk(config, prefix, out);
  return out;
}

function walk(value: unknown, key: string, out: Map<string, ConfigLeaf>): void {
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length || !key) {
      for (const [k, v] of entries) walk(v, key ? `${key}.${k}` : k, out);
      return;
    }
  }
  if (key) out.set(key, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One setting that differs; `undefined` on a side means the key is not there. */
export interface ConfigChange {
  readonly key: string;
  readonly before: ConfigLeaf;
  readonly after: ConfigLeaf;
}

/**
 * The settings that differ between `before` (the parent) and `after` (the branch): every key of
 * either side whose values are not equal (deep, for arrays), in the parent's key order, then keys
 * only the branch has.
 */
export function diffConfigs(before: unknown, after: unknown): ConfigChange[] {
  const a = flattenConfig(before);
  const b = flattenConfig(after);
  const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  const out: ConfigChange[] = [];
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    if (!sameValue(x, y)) out.push({ key, before: x, after: y });
  }
  return out;
}

function sameValue(x: unknown, y: unknown): boolean {
  if (Object.is(x, y)) return true;
  if (x === undefined || y === undefined) return false;
  return JSON.stringify(x) === JSON.stringify(y);
}

/** A config value as shown in the diff: strings bare, `—` for an absent key, everything else as JSON. */
export function formatConfigValue(value: ConfigLeaf): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}
