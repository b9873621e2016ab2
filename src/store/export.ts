import type { Writable } from 'node:stream';
import type { Store } from './store.js';

/**
 * Streams a run's points: CSV with a `step,<series…>` header (non-finite values empty) or
 * NDJSON objects `{"step": …, "<series>": value | null}`.
 */
export async function writeExport(store: Store, runId: number, format: 'csv' | 'ndjson', out: Writable): Promise<void> {
  const names = store.seriesNames(runId);
  let buffer = format === 'csv' ? `step,${names.map(csvField).join(',')}\n` : '';
  for (const row of store.readPoints(runId)) {
    if (format === 'csv') {
      buffer += `${row.step},${row.values.map((v) => (v === null ? '' : String(v))).join(',')}\n`;
    } else {
      const object: Record<string, number | null> = { step: row.step };
      names.forEach((name, i) => (object[name] = row.values[i]));
      buffer += `${JSON.stringify(object)}\n`;
    }
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  if (buffer) out.write(buffer);
}

function csvField(name: string): string {
  return /[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}
