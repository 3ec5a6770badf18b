/**
 * `wwctl overlay delete NAME [FILE]` (§1.7): a site overlay, or one file of
 * an overlay (a distribution overlay is cloned to the site first).
 */
import { Command } from 'commander';
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
      const { deleteOverlayFile } = await import('@warewulf/core/overlay');
      await deleteOverlayFile(store, name, file, { force: opts.force === true, parents: opts.parents === true });
      await autobuild(c);
    });
}
