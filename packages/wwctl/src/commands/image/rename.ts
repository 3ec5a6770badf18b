/** `wwctl image rename IMAGE NEW` (alias mv; §1.5): nodes and profiles follow. */
import { Command } from 'commander';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { buildWithProgress } from './common.js';

export function imageRenameCommand(ctx: () => Ctx): Command {
  return new Command('rename')
    .alias('mv')
    .summary('Rename an image; nodes and profiles using it follow')
    .argument('<image>', 'image name')
    .argument('<new>', 'new name')
    .option('-b, --build', 'build the renamed image')
    .action(async (src: string, dst: string, opts: { build?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const r = await (await imageMod()).renameImage(paths, src, dst);
      c.log.info(`Image ${src} renamed to ${dst}`);
      for (const n of r.nodes) c.log.verbose(`node ${n}: image name ${dst}`);
      for (const p of r.profiles) c.log.verbose(`profile ${p}: image name ${dst}`);
      if (opts.build) await buildWithProgress(c, dst, true);
    });
}
