/**
 * `wwctl overlay delete NAME [FILE]` (§1.7): a site overlay, or one file of
 * an overlay (a distribution overlay is cloned to the site first).
 */
import { lstat, rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { WwError, isErrnoCode } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { autobuild, overlayStore } from './support.js';

export function overlayDeleteCommand(ctx: () => Ctx): Command {
  return new Command('delete')
    .aliases(['rm', 'remove', 'del'])
    .summary('Delete an overlay, or a file of one')
    .argument('<name>', 'overlay name')
    .argument('[file]', 'file inside the overlay')
    .option('-f, --force', 'delete the overlay with its files, or a directory with its contents')
    .option('-p, --parents', 'also remove parent directories the deletion leaves empty')
    .action(async (name: string, file: string | undefined, opts: { force?: boolean; parents?: boolean }) => {
      const c = ctx();
      const store = await overlayStore(c);
      if (file === undefined) {
        await store.delete(name, opts.force ? { force: true } : {});
        return;
      }
      const before = await store.find(name);
      try {
        await lstat(store.pathOf(before, file));
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_NOT_FOUND', `file ${file} does not exist in overlay ${name}`);
        throw err;
      }
      const o = await store.ensureSite(name);
      const path = await store.pathForWrite(o, file);
      if (path === o.root) throw new WwError('WW_ERR_USAGE', 'give a file inside the overlay, or no file to delete the overlay');
      const st = await lstat(path);
      if (st.isDirectory() && !opts.force) {
        await rmdir(path).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOTEMPTY') throw new WwError('WW_ERR_USAGE', `directory ${file} is not empty; use --force`);
          throw err;
        });
      } else {
        await rm(path, { recursive: true, force: false });
      }
      if (opts.parents) {
        for (let d = dirname(path); d.startsWith(`${o.root}/`); d = dirname(d)) {
          try {
            await rmdir(d);
          } catch {
            break; // not empty: stop there
          }
        }
      }
      await autobuild(c);
    });
}
