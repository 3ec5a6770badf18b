/** `wwctl image kernels [IMAGE...]` (alias kernel; §1.5, §6.3). */
import { Command } from 'commander';
import { tabTable } from '../../output/table.js';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';

export function imageKernelsCommand(ctx: () => Ctx): Command {
  return new Command('kernels')
    .alias('kernel')
    .summary('List the kernels found in images')
    .argument('[image...]', 'image names (default: all)')
    .action(async (names: string[]) => {
      const c = ctx();
      const { paths } = await c.load();
      const list = names.length > 0 ? names : await (await imageMod()).listImages(paths);
      for (const n of list) await (await imageMod()).requireImage(paths, n);
      const users = await (await imageMod()).imageUsers(paths, c.log);
      const rows: string[][] = [];
      for (const image of list) {
        const kernels = await (await imageMod()).imageKernels(paths, image);
        const def = (await imageMod()).defaultKernel(kernels);
        const count = new Map<string, number>();
        for (const node of users.nodes.get(image) ?? []) {
          const k = await (await imageMod()).resolveNodeKernel(paths, image, users.byNode.get(node)?.kernelVersion, kernels);
          if (k) count.set(k.path, (count.get(k.path) ?? 0) + 1);
        }
        for (const k of kernels) rows.push([image, k.path, k.version ?? '--', String(k === def), String(count.get(k.path) ?? 0)]);
      }
      c.out.write(tabTable(['Image', 'Kernel', 'Version', 'Default', 'Nodes'], rows));
    });
}
