/** `wwctl overlay mkdir NAME DIR [--mode MODE]` (§1.7). */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { autobuild, overlayStore } from './support.js';

export function parseMode(text: string): number {
  if (!/^[0-7]{1,4}$/.test(text)) throw new WwError('WW_ERR_USAGE', `invalid mode ${JSON.stringify(text)}: give octal digits, e.g. 0755`);
  return parseInt(text, 8);
}

export function overlayMkdirCommand(ctx: () => Ctx): Command {
  return new Command('mkdir')
    .summary('Create a directory in an overlay')
    .argument('<name>', 'overlay name')
    .argument('<dir>', 'directory path inside the overlay')
    .option('-m, --mode <mode>', 'permissions (octal)', '0755')
    .action(async (name: string, dir: string, opts: { mode: string }) => {
      const c = ctx();
      const mode = parseMode(opts.mode);
      const store = await overlayStore(c);
      const o = await store.ensureSite(name);
      const path = await store.pathForWrite(o, dir);
      const exists = await stat(path).then((s) => s.isDirectory(), () => false);
      if (exists) {
        // as upstream's MkdirAll: an existing directory is left as it is (its mode too), only a warning
        c.log.warn(`directory ${dir} already exists in overlay ${name}`);
        return;
      }
      await mkdir(path, { recursive: true, mode });
      await chmod(path, mode);
      await autobuild(c);
    });
}
