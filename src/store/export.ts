import type { Writable } from 'node:stream';
import { eventTag, type RunPhaseEvent } from '../operators/phases/phase-event.js';
import type { Store } from './store.js';

/**
 * Streams a run's points with what the detectors saw at each step: CSV with a
 * `step,<series…>,phase,events` header (non-finite values empty; `phase` is the theory phase
 * live detection had reached at that step, `events` the tags of events raised there, joined by
 * `; `), or NDJSON objects `{"step": …, "<series>": value | null, "phase": …, "events": [full events]}`
 * (`events` only on steps that raised some).
 */
export async function writeExport(store: Store, runId: number, format: 'csv' | 'ndjson', out: Writable): Promise<void> {
  const names = store.seriesNames(runId);
  const events = store.readEvents(runId);
  let next = 0;
  let phase = '';
  let buffer = format === 'csv' ? `step,${names.map(csvField).join(',')},phase,events\n` : '';
  for (const row of store.readPoints(runId)) {
    const raised: RunPhaseEvent[] = [];
    while (next < events.length && events[next].detectedAt <= row.step) raised.push(events[next++]);
    for (const e of raised) if (e.kind === 'phase') phase = e.label;
    if (format === 'csv') {
      buffer += `${row.step},${row.values.map((v) => (v === null ? '' : String(v))).join(',')},${phase},${csvField(raised.map(eventTag).join('; '))}\n`;
    } else {
      const object: Record<string, unknown> = { step: row.step };
      names.forEach((name, i) => (object[name] = row.values[i]));
      object.phase = phase || null;
      if (raised.length) object.events = raised.map(({ runId: _run, ...e }) => e);
      buffer += `${JSON.stringify(object)}\n`;
    }
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  if (buffer) out.write(buffer);
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
