/** `wwctl image build [IMAGE...]` (§1.5, §6.4). */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { buildWithProgress, interruptible } from './common.js';

export function imageBuildCommand(ctx: () => Ctx): Command {
  return new Command('build')
    .summary('(Re)build bootable images')
    .argument('[image...]', 'image names')
    .option('-a, --all', 'build all images')
    .option('-f, --force', 'build even when the image is current')
    .option('--syncuser', 'synchronize uids/gids with the server first')
    .action(async (names: string[], opts: { all?: boolean; force?: boolean; syncuser?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const list = opts.all ? await (await imageMod()).listImages(paths) : names;
      if (list.length === 0) throw new WwError('WW_ERR_USAGE', 'no images specified; use --all to build all images');
      for (const n of list) await (await imageMod()).requireImage(paths, n);
      await interruptible(async (signal) => {
        for (const n of list) {
          if (opts.syncuser) await (await imageMod()).syncUser(paths, n, { write: true, log: c.log });
          await buildWithProgress(c, n, opts.force === true, signal);
        }
      });
    });
}
