/** `wwctl overlay list [NAME...]` (§1.7): overlays, their files (`-a`), with modes and owners (`-l`), or their paths (`-p`). */
import { Command } from 'commander';
import type { OverlayEntry } from '@warewulf/core/overlay';
import type { Ctx } from '../../context.js';
import { tabTable } from '../../output/table.js';
import { overlayStore } from './support.js';

interface ListOpts {
  all?: boolean;
  long?: boolean;
  path?: boolean;
}

const TYPE_CHAR: Record<OverlayEntry['type'], string> = { file: '-', directory: 'd', symlink: 'l', other: '?' };

/** `-rw-r--r--`, with setuid/setgid/sticky shown as `ls` does. */
export function modeString(type: OverlayEntry['type'], mode: number): string {
  const bits = 'rwxrwxrwx';
  let s = TYPE_CHAR[type];
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  const set = (i: number, on: boolean, x: string, noX: string) => {
    if (!on) return;
    s = s.slice(0, i) + (s[i] === '-' ? noX : x) + s.slice(i + 1);
  };
  set(3, (mode & 0o4000) !== 0, 's', 'S');
  set(6, (mode & 0o2000) !== 0, 's', 'S');
  set(9, (mode & 0o1000) !== 0, 't', 'T');
  return s;
}

export function overlayListCommand(ctx: () => Ctx): Command {
  return new Command('list')
    .alias('ls')
    .summary('List overlays and their files')
    .argument('[name...]', 'overlay names (none: all)')
    .option('-a, --all', 'list every file and directory')
    .option('-l, --long', 'list files with their mode, owner and group')
    .option('-p, --path', 'show the overlay directory instead of SITE')
    .action(async (names: string[], opts: ListOpts) => {
      const c = ctx();
      const store = await overlayStore(c);
      const overlays = names.length === 0 ? await store.list() : await Promise.all(names.map((n) => store.find(n)));
      const last = (o: { site: boolean; dir: string }) => (opts.path ? o.dir : String(o.site));
      const lastHead = opts.path ? 'PATH' : 'SITE';
      const rows: string[][] = [];
      for (const o of overlays) {
        const entries = await store.walk(o);
        if (opts.long) {
          for (const e of entries) rows.push([modeString(e.type, e.mode), String(e.uid), String(e.gid), o.name, `/${e.path}${e.type === 'directory' ? '/' : ''}`, last(o)]);
        } else if (opts.all) {
          if (entries.length === 0) rows.push([o.name, '0', last(o)]);
          for (const e of entries) rows.push([o.name, `/${e.path}${e.type === 'directory' ? '/' : ''}`, last(o)]);
        } else {
          rows.push([o.name, String(entries.length), last(o)]);
        }
      }
      const head = opts.long ? ['PERM MODE', 'UID', 'GID', 'OVERLAY', 'FILE PATH', lastHead] : ['OVERLAY NAME', 'FILES/DIRS', lastHead];
      c.out.write(tabTable(head, rows));
    });
}
