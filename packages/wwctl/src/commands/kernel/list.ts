/**
 * `wwctl kernel list` (alias ls), kept for 4.3 users (§1.6): 4.3 had kernels
 * imported apart from images; today kernels live inside images (§6.3). Rows:
 * kernels imported the 4.3 way (`<provision>/kernel/<name>/version`) and then
 * every kernel found in an image, named as `uname -r` names it (the file name
 * after `vmlinuz-`), NODES = nodes booting it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { printfRow } from '../../output/table.js';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';

export function kernelListCommand(ctx: () => Ctx): Command {
  return new Command('list')
    .alias('ls')
    .summary('List kernels (4.3; today kernels come with images: see image kernels)')
    .action(async () => {
      const c = ctx();
      const { paths } = await c.load();
      const users = await (await imageMod()).imageUsers(paths, c.log);
      const rows = new Map<string, { version: string; nodes: number }>();
      const legacyDir = join(paths.wwprovisiondir, 'kernel');
      for (const k of (await readdir(legacyDir).catch(() => [] as string[])).sort()) {
        const version = (await readFile(join(legacyDir, k, 'version'), 'utf8').catch(() => '')).trim();
        if (version === '') continue;
        const nodes = [...users.byNode.values()].filter((n) => n.kernelVersion === k).length;
        rows.set(k, { version, nodes });
      }
      for (const image of await (await imageMod()).listImages(paths)) {
        const kernels = await (await imageMod()).imageKernels(paths, image);
        const booted = new Map<string, number>();
        for (const node of users.nodes.get(image) ?? []) {
          const k = await (await imageMod()).resolveNodeKernel(paths, image, users.byNode.get(node)?.kernelVersion, kernels);
          if (k) booted.set(k.path, (booted.get(k.path) ?? 0) + 1);
        }
        for (const k of kernels) {
          const name = basename(k.path).replace(/^(vmlinuz|Image)-/, '');
          const row = rows.get(name) ?? { version: k.version ?? '', nodes: 0 };
          row.nodes += booted.get(k.path) ?? 0;
          rows.set(name, row);
        }
      }
      c.out.write(printfRow([35, 25], ['KERNEL NAME', 'KERNEL VERSION', 'NODES']));
      for (const [name, r] of rows) c.out.write(printfRow([35, 25], [name, r.version, String(r.nodes)]));
    });
}
