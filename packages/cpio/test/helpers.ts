import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync, lutimesSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const execFileP = promisify(execFile);
export const isRoot = process.getuid?.() === 0;

export { runCmd } from '@warewulf/testenv';

export interface NodeDesc {
  type: string;
  perm: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  target?: string;
  rdev?: string;
  md5?: string;
  /** names of the other members of this file's hard-link group (sorted) */
  linkGroup?: string;
}

function typeOf(st: import('node:fs').Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'unknown';
}

/** Describe every entry under root (not root itself) for comparisons; sockets omitted (cpio skips them). */
export function describeTree(root: string): Map<string, NodeDesc> {
  const out = new Map<string, NodeDesc>();
  const inodes = new Map<string, string[]>();
  const walk = (dir: string, rel: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const full = path.join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(full);
      const type = typeOf(st);
      if (type === 'socket') continue;
      const d: NodeDesc = { type, perm: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: type === 'directory' ? 0 : st.size, mtime: Math.floor(st.mtimeMs / 1000) };
      if (type === 'symlink') d.target = readlinkSync(full);
      if (type === 'char' || type === 'block') d.rdev = `${Math.floor(st.rdev / 256) & 0xfff},${st.rdev & 0xff}`;
      if (type === 'file') {
        d.md5 = createHash('md5').update(readFileSync(full)).digest('hex');
        if (st.nlink > 1) {
          const k = `${st.dev}:${st.ino}`;
          inodes.set(k, [...(inodes.get(k) ?? []), r]);
          (d as NodeDesc & { _k?: string })._k = k;
        }
      }
      out.set(r, d);
      if (type === 'directory') walk(full, r);
    }
  };
  walk(root, '');
  for (const d of out.values()) {
    const k = (d as NodeDesc & { _k?: string })._k;
    if (k) {
      d.linkGroup = inodes.get(k)!.sort().join('|');
      delete (d as NodeDesc & { _k?: string })._k;
    }
  }
  return out;
}

export const DEEP = Array.from({ length: 40 }, (_, i) => `level${i}`).join('/');
export const UTF8_NAME = 'dir with spaces/fïlé ünïcødé ☃ 名前.txt';

/**
 * The acceptance fixture: every entry type, a hard-linked pair across directories, device nodes,
 * fifo, empty dir, 0-byte file, spaces + UTF-8 names, a deep path, setuid bits, odd owners,
 * a multi-block file and a socket (must be skipped). Needs root (mknod, chown).
 */
export async function makeFixture(root: string, opts: { bigFile?: boolean; socket?: boolean } = {}): Promise<() => void> {
  mkdirSync(root, { recursive: true });
  const p = (r: string): string => path.join(root, r);
  mkdirSync(p('etc'));
  writeFileSync(p('etc/hosts'), '127.0.0.1 localhost\n');
  chownSync(p('etc/hosts'), 1234, 5678);
  mkdirSync(p('bin'));
  mkdirSync(p('sbin'));
  writeFileSync(p('bin/tool'), 'hard linked content\n'.repeat(100));
  chmodSync(p('bin/tool'), 0o4755);
  linkSync(p('bin/tool'), p('sbin/tool-link'));
  mkdirSync(p('dev'));
  await execFileP('mknod', ['-m', '0620', p('dev/console'), 'c', '5', '1']);
  await execFileP('mknod', ['-m', '0660', p('dev/loop7'), 'b', '7', '7']);
  mkdirSync(p('run'));
  await execFileP('mkfifo', ['-m', '0600', p('run/fifo')]);
  mkdirSync(p('var/empty'), { recursive: true });
  chmodSync(p('var/empty'), 0o1777);
  writeFileSync(p('var/zero'), '');
  mkdirSync(path.dirname(p(UTF8_NAME)), { recursive: true });
  writeFileSync(p(UTF8_NAME), 'unicode ✓\n');
  mkdirSync(p(DEEP), { recursive: true });
  writeFileSync(p(`${DEEP}/leaf`), 'deep\n');
  symlinkSync('bin', p('usrbin'));
  symlinkSync('/nonexistent/target with space', p('dangling'));
  mkdirSync(p('skip/me'), { recursive: true });
  writeFileSync(p('skip/me/x'), 'excluded');
  writeFileSync(p('etc/skip.bak'), 'excluded');
  if (opts.bigFile) {
    // ~3 MiB, half incompressible: several parallel-gzip blocks
    const parts: Buffer[] = [];
    for (let i = 0; i < 48; i++) parts.push(i % 2 ? Buffer.alloc(65536, `line ${i} of text\n`) : (await import('node:crypto')).randomBytes(65536));
    writeFileSync(p('var/big.bin'), Buffer.concat(parts));
  }
  let close = (): void => undefined;
  if (opts.socket) {
    const srv = net.createServer();
    await new Promise<void>((res) => srv.listen(p('run/sock'), res));
    close = () => srv.close();
  }
  // fixed mtimes (directories last: creating children changes them)
  const all = describeTree(root);
  const names = [...all.keys()].sort((a, b) => b.length - a.length);
  let t = 1_600_000_000;
  for (const n of names) {
    const d = all.get(n)!;
    t += 61;
    if (d.type === 'symlink') lutimesSync(p(n), t, t);
    else utimesSync(p(n), t, t);
  }
  return close;
}

export function modeString(type: string, perm: number): string {
  const t = { file: '-', directory: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p' }[type] ?? '?';
  const rwx = (bits: number, special: boolean, ch: string): string =>
    `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? 'x' : '-'}`;
  return t + rwx(perm >> 6, (perm & 0o4000) !== 0, 's') + rwx(perm >> 3, (perm & 0o2000) !== 0, 's') + rwx(perm, (perm & 0o1000) !== 0, 't');
}
