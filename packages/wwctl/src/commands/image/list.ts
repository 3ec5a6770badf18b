/** `wwctl image list [NAME...]` (alias ls; §1.5). */
import { Command } from 'commander';
import { humanSize } from '../../output/size.js';
import { tabTable } from '../../output/table.js';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';

interface Opts {
  long?: boolean;
  kernel?: boolean;
  size?: boolean;
  chroot?: boolean;
  compressed?: boolean;
}

/** Go's RFC822 layout `02 Jan 06 15:04 MST` in the time zone of `tz` (the process's when unset). */
export function rfc822(d: Date, tz: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz || undefined, day: '2-digit', month: 'short', year: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(d);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('day')} ${p('month')} ${p('year')} ${p('hour')}:${p('minute')} ${p('timeZoneName')}`;
}

export function imageListCommand(ctx: () => Ctx): Command {
  return new Command('list')
    .alias('ls')
    .summary('List images')
    .argument('[name...]', 'image names (default: all)')
    .option('-l, --long', 'nodes, kernel version, times and size')
    .option('-k, --kernel', 'nodes and kernel version')
    .option('-s, --size', 'nodes and size of the built image')
    .option('-c, --chroot', 'with --size: the size of the chroot directory')
    .option('--compressed', 'with --size: the size of the compressed image')
    .action(async (names: string[], opts: Opts) => {
      const c = ctx();
      const { paths } = await c.load();
      const list = names.length > 0 ? names : await (await imageMod()).listImages(paths);
      for (const n of list) await (await imageMod()).requireImage(paths, n);
      if (!opts.long && !opts.kernel && !opts.size && !opts.chroot && !opts.compressed) {
        c.out.write(tabTable(['IMAGE NAME'], list.map((n) => [n])));
        return;
      }
      const users = await (await imageMod()).imageUsers(paths, c.log);
      const { imageInfo } = await imageMod();
      const infos = await Promise.all(list.map((n) => imageInfo(paths, n, users)));
      const dash = (v: string | undefined) => (v === undefined || v === '' ? '--' : v);
      const size = (i: (typeof infos)[number]) =>
        opts.chroot ? humanSize(i.chrootSize) : opts.compressed ? (i.imgGzSize === undefined ? '--' : humanSize(i.imgGzSize)) : i.imgSize === undefined ? '--' : humanSize(i.imgSize);
      const tz = c.env['TZ'];
      if (opts.long) {
        c.out.write(
          tabTable(
            ['IMAGE NAME', 'NODES', 'KERNEL VERSION', 'CREATION TIME', 'MODIFICATION TIME', 'SIZE'],
            infos.map((i) => [i.name, String(i.nodes.length), dash(i.kernelVersion), rfc822(i.created, tz), i.modified ? rfc822(i.modified, tz) : '--', size(i)]),
          ),
        );
      } else if (opts.kernel) {
        c.out.write(tabTable(['IMAGE NAME', 'NODES', 'KERNEL VERSION'], infos.map((i) => [i.name, String(i.nodes.length), dash(i.kernelVersion)])));
      } else {
        c.out.write(tabTable(['IMAGE NAME', 'NODES', 'SIZE'], infos.map((i) => [i.name, String(i.nodes.length), size(i)])));
      }
    });
}
