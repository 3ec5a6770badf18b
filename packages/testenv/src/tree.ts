/**
 * A comparable description of a directory tree: one record per entry with
 * type, mode, owner, size, content hash, symlink target, mtime and hard-link
 * group, so two trees (an import and its source, a cpio extraction and the
 * chroot) can be compared with one `expect(...).toEqual(...)`.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export interface TreeEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
  /** Permission bits incl. setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  target?: string;
  rdev?: number;
  /** Seconds (directories' mtimes are compared too). */
  mtime: number;
  /** Files with nlink > 1: the first path of the group (within the tree). */
  linkGroup?: string;
}

export interface SnapshotOptions {
  /** Leave out entries whose relative path matches. */
  exclude?: (rel: string) => boolean;
  /** Compare mtimes (default true). */
  mtimes?: boolean;
  /** Leave out directory mtimes (changed by extraction order in some tools). */
  dirMtimes?: boolean;
}

function typeOf(st: Stats): TreeEntry['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

/** Every entry below `root` (not the root itself), sorted by path. */
export function treeSnapshot(root: string, opts: SnapshotOptions = {}): TreeEntry[] {
  const out: TreeEntry[] = [];
  const groups = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      if (opts.exclude?.(r)) continue;
      const st = lstatSync(p);
      const type = typeOf(st);
      const e: TreeEntry = {
        path: r, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === 'dir' ? 0 : st.size,
        mtime: opts.mtimes === false || (type === 'dir' && opts.dirMtimes === false) ? 0 : Math.floor(st.mtimeMs / 1000),
      };
      if (type === 'symlink') {
        e.target = readlinkSync(p);
        e.mode = 0;
      }
      if (type === 'file') {
        e.sha256 = createHash('sha256').update(readFileSync(p)).digest('hex');
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (!groups.has(key)) groups.set(key, r);
          e.linkGroup = groups.get(key)!;
        }
      }
      if (type === 'char' || type === 'block') e.rdev = st.rdev;
      out.push(e);
      if (type === 'dir') walk(p, r);
    }
  };
  walk(root, '');
  return out;
}
