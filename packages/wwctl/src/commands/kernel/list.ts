/**
 * `wwctl kernel list` (alias ls), kept for 4.3 users (§1.6): 4.3 had kernels
 * imported apart from images; today kernels live inside images (§6.3). Rows:
 * kernels imported the 4.3 way (`<provision>/kernel/<name>/version`) and then
 * every kernel found in an image, named as `uname -r` names it (the file name
 * after `vmlinuz-`), NODES = nodes booting it, each node counted once (a
 * 4.3 kernel's name in `kernel.version` boots the image kernel of its
 * recorded version, so the node is counted on that row).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { printfRow } from '../../output/table.js';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { KernelInfo } from '@warewulf/core/image';
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
      // a 4.3 kernel is listed, but no node boots its vmlinuz any more: a node naming it boots the
      // image kernel of its recorded version (resolveNodeKernel, as warewulfd's findKernel), and is counted there
      const legacyDir = join(paths.wwprovisiondir, 'kernel');
      for (const k of (await readdir(legacyDir).catch(() => [] as string[])).sort()) {
        const version = (await readFile(join(legacyDir, k, 'version'), 'utf8').catch(() => '')).trim();
        if (version === '') continue;
        rows.set(k, { version, nodes: 0 });
      }
      const img = await imageMod();
      for (const image of await img.listImages(paths)) {
        const kernels = await img.imageKernels(paths, image);
        // each node once, under the kernel it boots (one kernel.version may name a file no detection lists)
        const booted = new Map<string, { kernel: KernelInfo; nodes: number }>();
        for (const node of users.nodes.get(image) ?? []) {
          const k = await img.resolveNodeKernel(paths, image, users.byNode.get(node)?.kernelVersion, kernels);
          if (k) booted.set(k.path, { kernel: k, nodes: (booted.get(k.path)?.nodes ?? 0) + 1 });
        }
        const listed = new Set(kernels.map((k) => k.path));
        for (const k of [...kernels, ...[...booted.values()].map((b) => b.kernel).filter((k) => !listed.has(k.path))]) {
          const name = basename(k.path).replace(/^(vmlinuz|Image)-/, '');
          const row = rows.get(name) ?? { version: k.version ?? '', nodes: 0 };
          row.nodes += booted.get(k.path)?.nodes ?? 0;
          rows.set(name, row);
        }
      }
      c.out.write(printfRow([35, 25], ['KERNEL NAME', 'KERNEL VERSION', 'NODES']));
      for (const [name, r] of rows) c.out.write(printfRow([35, 25], [name, r.version, String(r.nodes)]));
    });
}
