import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PhaseEvent } from '../../src/operators/phases/phase-event.js';
import { Store } from '../../src/store/index.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function setup(): { store: Store; runId: number; file: string } {
  const file = path.join(tempDir(), 'events.db');
  const store = Store.open(file);
  open.push(store);
  return { store, file, runId: store.createRun({ name: 'e', preset: null, config: {}, seed: 1, backend: 'cpu', targetSteps: 10 }).id };
}

const phase = (label: string, detectedAt: number, step = detectedAt): PhaseEvent => ({
  kind: 'phase',
  detector: 'theory',
  step,
  detectedAt,
  label,
  phase: label as PhaseEvent['phase'],
  series: null,
  confidence: 0.75,
  evidence: { cos_1_1: 0.7125, learner: 1 },
  message: `phase ${label}`,
});
const change: PhaseEvent = { kind: 'change-point', detector: 'bocpd', step: 640, detectedAt: 660, label: 'down', phase: 'II', series: 'loss', confidence: 0.93, evidence: { meanBefore: 1.9, meanAfter: 1.35 }, message: 'cp' };

describe('detector events in the store', () => {
  it('keeps every field and the detection order, with the run id', () => {
    const { store, runId } = setup();
    store.appendEvents(runId, [phase('I', 10), phase('II', 620)]);
    store.appendEvents(runId, [change, phase('III', 4700, 4400)]);
    const events = store.readEvents(runId);
    expect(events.map((e) => e.label)).toEqual(['I', 'II', 'down', 'III']);
    expect(events[2]).toEqual({ runId, ...change });
    expect(events[3]).toMatchObject({ step: 4400, detectedAt: 4700, evidence: { cos_1_1: 0.7125, learner: 1 } });
    expect(store.readEvents(runId, { from: 600, to: 700 }).map((e) => e.label)).toEqual(['II', 'down']);
  });

  it('drops events detected after a checkpoint step, keeping those at it', () => {
    const { store, runId } = setup();
    store.appendEvents(runId, [phase('I', 10), phase('II', 620), change, phase('III', 4700, 4400)]);
    expect(store.deleteEventsAfter(runId, 660)).toBe(1);
    expect(store.readEvents(runId).map((e) => e.detectedAt)).toEqual([10, 620, 660]);
  });

  it('refuses events for a run that does not exist', () => {
    const { store } = setup();
    expect(() => store.appendEvents(999, [phase('I', 10)])).toThrow(/999/);
  });

  it('survives reopening the file', () => {
    const { store, runId, file } = setup();
    store.appendEvents(runId, [phase('I', 10)]);
    store.close();
    const again = Store.open(file);
    open.push(again);
    expect(again.readEvents(runId)).toHaveLength(1);
  });
});
