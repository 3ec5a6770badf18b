/** `wwctl overlay chown NAME FILE UID[:GID]` (§1.7): numeric ids only. */
import { lchown, lstat } from 'node:fs/promises';
import { Command } from 'commander';
import { WwError, isErrnoCode } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { autobuild, overlayStore } from './support.js';

export function overlayChownCommand(ctx: () => Ctx): Command {
  return new Command('chown')
    .summary('Change the owner of a file in an overlay')
    .argument('<name>', 'overlay name')
    .argument('<file>', 'file path inside the overlay')
    .argument('<owner>', 'UID[:GID] (numbers)')
    .action(async (name: string, file: string, owner: string) => {
      const c = ctx();
      const m = /^(\d+)(?::(\d+))?$/.exec(owner);
      if (!m) throw new WwError('WW_ERR_USAGE', `invalid owner ${JSON.stringify(owner)}: give UID or UID:GID as numbers`);
      const store = await overlayStore(c);
      const o = await store.ensureSite(name);
      const path = await store.pathForWrite(o, file);
      let st;
      try {
        st = await lstat(path);
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_NOT_FOUND', `file ${file} does not exist in overlay ${name}`);
        throw err;
      }
      await lchown(path, Number(m[1]), m[2] === undefined ? st.gid : Number(m[2]));
      await autobuild(c);
    });
}
