import { map, range, type Observable } from 'rxjs';
import type { RunConfig } from '../config/schema.js';
import type { PatchBatch } from '../model/data.js';
import { sampleBatch } from '../operators/sample-batch.js';

/**
 * The data of a run as a cold stream: the batches of steps `from` … `until − 1`, each a pure
 * function of (seed, step) — subscribing twice gives the same batches, and any window of steps
 * can be replayed without the steps before it.
 * @example batches$(config, 1000, 1010).subscribe((b) => console.log(b.step, b.label[0]));
 */
export function batches$(config: RunConfig, from: number, until: number): Observable<PatchBatch> {
  return range(from, Math.max(0, until - from)).pipe(
    sampleBatch(config),
    map((frame) => frame.batch),
  );
}
