import { Command } from 'commander';
import { PRESETS, PRESET_NAMES } from '../../config/presets.js';
import { formatTable } from '../table.js';

/** `phasewatch presets`: the shipped presets and what each should show. */
export function presetsCommand(): Command {
  return new Command('presets').description('list the presets and what SPEC §4 expects of each').action(() => {
    process.stdout.write(formatTable(PRESET_NAMES.map((name) => ({ preset: name, description: PRESETS[name].description, expected: PRESETS[name].expected }))));
  });
}
