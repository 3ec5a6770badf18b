/** `wwctl image show IMAGE` (§1.5). */
import { Command } from 'commander';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';

export function imageShowCommand(ctx: () => Ctx): Command {
  return new Command('show')
    .summary("Show an image's root directory (and more with --all)")
    .argument('<image>', 'image name')
    .option('-a, --all', 'name, kernel version, rootfs, nodes')
    .action(async (name: string, opts: { all?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const ip = await (await imageMod()).requireImage(paths, name);
      if (!opts.all) {
        c.out.write(`${ip.rootfs}\n`);
        return;
      }
      const i = await (await imageMod()).imageInfo(paths, name, await (await imageMod()).imageUsers(paths, c.log));
      c.out.write(`Name: ${i.name}\nKernelVersion: ${i.kernelVersion ?? 'not found'}\nRootfs: ${i.rootfs}\nNr nodes: ${i.nodes.length}\nNodes: [${i.nodes.join(' ')}]\n`);
    });
}
