import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import { samplePatchBatch } from '../../src/model/data.js';
import { batches$ } from '../../src/streams/batches.js';

describe('batches$', () => {
  const { config } = resolveConfig({ overrides: { data: { batchSize: 32 } } });

  it('emits the batches of steps from … until − 1, equal to the generator at those steps', async () => {
    const batches = await firstValueFrom(batches$(config, 3, 6).pipe(toArray()));
    expect(batches.map((b) => b.step)).toEqual([3, 4, 5]);
    batches.forEach((b) => expect(b).toEqual(samplePatchBatch(config, b.step)));
  });

  it('replays identically and is empty for an empty window', async () => {
    const once = await firstValueFrom(batches$(config, 10, 12).pipe(toArray()));
    const again = await firstValueFrom(batches$(config, 10, 12).pipe(toArray()));
    expect(again).toEqual(once);
    expect(await firstValueFrom(batches$(config, 5, 5).pipe(toArray()))).toEqual([]);
  });
});
