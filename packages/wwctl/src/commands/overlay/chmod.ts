/** `wwctl overlay chmod NAME FILE MODE` (§1.7). */
import { chmod, lstat } from 'node:fs/promises';
import { Command } from 'commander';
import { WwError, isErrnoCode } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { parseMode } from './mkdir.js';
import { autobuild, overlayStore } from './support.js';

export function overlayChmodCommand(ctx: () => Ctx): Command {
  return new Command('chmod')
    .summary('Change the permissions of a file in an overlay')
    .argument('<name>', 'overlay name')
    .argument('<file>', 'file path inside the overlay')
    .argument('<mode>', 'permissions (octal)')
    .action(async (name: string, file: string, modeText: string) => {
      const c = ctx();
      const mode = parseMode(modeText);
      const store = await overlayStore(c);
      const o = await store.ensureSite(name);
      const path = await store.pathForWrite(o, file);
      try {
        if ((await lstat(path)).isSymbolicLink()) throw new WwError('WW_ERR_USAGE', `${file} is a symlink: its mode can not be set`);
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_NOT_FOUND', `file ${file} does not exist in overlay ${name}`);
        throw err;
      }
      await chmod(path, mode);
      await autobuild(c);
    });
}
