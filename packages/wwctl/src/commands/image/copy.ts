/** `wwctl image copy IMAGE NEW` (alias cp; §1.5). */
import { Command } from 'commander';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { buildWithProgress, interruptible } from './common.js';

export function imageCopyCommand(ctx: () => Ctx): Command {
  return new Command('copy')
    .alias('cp')
    .summary('Copy an image under a new name')
    .argument('<image>', 'source image')
    .argument('<new>', 'new image name')
    .option('-b, --build', 'build the copy')
    .action(async (src: string, dst: string, opts: { build?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      await interruptible(async (signal) => {
        await (await imageMod()).copyImage(paths, src, dst, signal);
        c.log.info(`Image ${src} copied to ${dst}`);
        if (opts.build) await buildWithProgress(c, dst, true, signal);
      });
    });
}
