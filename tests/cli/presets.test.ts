import { describe, expect, it } from 'vitest';
import { PRESETS, PRESET_NAMES } from '../../src/config/presets.js';
import { runCli } from './run-cli.js';

describe('phasewatch presets', () => {
  it('lists every preset, one per line, and exits 0', async () => {
    const result = await runCli(['presets']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(PRESET_NAMES.length).toBeGreaterThan(0);
    // The first word of each line after the header and rule is a preset name.
    const listed = result.stdout
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((line) => line.split(/\s+/)[0]);
    expect(listed).toEqual([...PRESET_NAMES]);
    for (const name of PRESET_NAMES) expect(result.stdout).toContain(PRESETS[name].description);
  });
});
