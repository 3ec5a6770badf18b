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

/** Go's os.FileMode type letters, in FileMode.String()'s order. */
const GO_MODE_LETTERS = 'dalTLDpSugct?';

/** The type letters Go's FileMode has for an entry (`D` and `c` both for a character device, as Go's). */
function typeLetters(type: OverlayEntry['type'], kind: string | undefined): string {
  if (type === 'directory') return 'd';
  if (type === 'symlink') return 'L';
  if (type === 'file') return '';
  if (kind === 'socket') return 'S';
  if (kind === 'fifo') return 'p';
  if (kind === 'character device') return 'Dc';
  if (kind === 'block device') return 'D';
  return '?';
}

/**
 * The mode as upstream prints it, Go's os.FileMode.String(): the set type
 * and special-bit letters of "dalTLDpSugct?" in that order (`-` when none),
 * then rwxrwxrwx: a setuid file is `urwxr-xr-x`, a sticky directory
 * `dtrwxrwxrwx`, a symlink `Lrwxrwxrwx`.
 */
export function modeString(type: OverlayEntry['type'], mode: number, kind?: string): string {
  const set = new Set(typeLetters(type, kind));
  if (mode & 0o4000) set.add('u');
  if (mode & 0o2000) set.add('g');
  if (mode & 0o1000) set.add('t');
  let s = [...GO_MODE_LETTERS].filter((c) => set.has(c)).join('') || '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? rwx[i] : '-';
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
          for (const e of entries) rows.push([modeString(e.type, e.mode, e.kind), String(e.uid), String(e.gid), o.name, `/${e.path}${e.type === 'directory' ? '/' : ''}`, last(o)]);
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
