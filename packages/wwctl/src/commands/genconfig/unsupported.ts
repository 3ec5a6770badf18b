/**
 * `wwctl genconfig man DIR` and `genconfig reference DIR` (§1.10): upstream
 * generates man pages and reST docs from its cobra tree; not supported here
 * (a clear error, not an unknown command).
 */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';

function unsupported(name: string, what: string): Command {
  return new Command(name)
    .summary(`Generate ${what} (not supported)`)
    .argument('<dir>', 'output directory')
    .action(() => {
      throw new WwError('WW_ERR_USAGE', `genconfig ${name}: generating ${what} is not supported by this wwctl`, {
        hint: 'wwctl COMMAND --help prints every command\'s usage',
      });
    });
}

export const genconfigManCommand = (): Command => unsupported('man', 'man pages');
export const genconfigReferenceCommand = (): Command => unsupported('reference', 'reference documentation');
