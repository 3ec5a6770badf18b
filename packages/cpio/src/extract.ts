import { execFile } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, realpath, rmdir, symlink, unlink, utimes } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CpioError } from './errors.js';
import { readArchive } from './reader.js';
import type { ArchiveSource, ReadOptions } from './reader.js';
import { joinInside, sanitizeEntryName } from './safe-path.js';
import type { CpioWarning } from './types.js';

const run = promisify(execFile);

export interface ExtractOptions extends ReadOptions {
  /** chown entries to the archived uid/gid (default: when running as root). */
  preserveOwner?: boolean;
  /** Create char/block devices and fifos (default true; devices need root, else a warning). */
  devices?: boolean;
  /**
   * What to do with an entry that would land outside the target ("..", absolute, through a
   * symlink): 'error' (default) stops with CPIO_ERR_PATH_ESCAPE; 'skip' warns and goes on.
   */
  onUnsafe?: 'error' | 'skip';
  onWarning?: (w: CpioWarning) => void;
  onProgress?: (p: { entries: number; bytes: number }) => void;
  signal?: AbortSignal;
}

export interface ExtractResult {
  entries: number;
  bytes: number;
  skipped: number;
}

interface DeferredDir {
  full: string;
  perm: number;
  uid: number;
  gid: number;
  mtime: number;
}

/**
 * Extract an archive under `destDir` (created if missing). Safety rules, checked per entry:
 * names are sanitised (no absolute paths, no ".."), every parent component is lstat'ed and a
 * symlinked parent is only followed if it resolves inside the target, and an existing
 * non-directory at the final path is unlinked first, so a planted symlink is replaced, never
 * written through. Existing symlinks to directories inside the target are kept for directory
 * entries (extracting over "/" with a merged /usr must not replace /bin). Directory modes and
 * mtimes are applied at the end, deepest first (a 0555 directory can still receive its files).
 * Hard links: newc puts the data on the last member; earlier members are linked to the first
 * created name, so the group ends up one inode.
 */
export async function extractArchive(source: ArchiveSource, destDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const isRoot = process.getuid?.() === 0;
  const preserveOwner = opts.preserveOwner ?? isRoot;
  const devices = opts.devices ?? true;
  const warn = (w: CpioWarning): void => opts.onWarning?.(w);
  await mkdir(destDir, { recursive: true });
  const root = await realpath(destDir);
  const inside = (p: string): boolean => p === root || p.startsWith(root === path.sep ? root : root + path.sep);

  /** Relative dir paths already known to be (or resolve to) directories inside root. */
  const verified = new Set<string>(['']);
  const links = new Map<string, string>();
  const dirs: DeferredDir[] = [];
  const result: ExtractResult = { entries: 0, bytes: 0, skipped: 0 };

  const escape = (rel: string, why: string): CpioError =>
    new CpioError('CPIO_ERR_PATH_ESCAPE', `refusing ${rel}: ${why}`, { path: rel });

  const ensureParents = async (rel: string): Promise<void> => {
    const parts = rel.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '' ? parts[i]! : `${cur}/${parts[i]}`;
      if (verified.has(cur)) continue;
      const full = joinInside(root, cur);
      let st;
      try {
        st = await lstat(full);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await mkdir(full, { mode: 0o755 });
        verified.add(cur);
        continue;
      }
      if (st.isDirectory()) {
        verified.add(cur);
      } else if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(full);
        } catch {
          throw escape(rel, `parent ${cur} is a dangling symlink`);
        }
        if (!inside(real)) throw escape(rel, `parent ${cur} is a symlink leading outside the target`);
        if (!(await lstat(real)).isDirectory()) throw escape(rel, `parent ${cur} is not a directory`);
        verified.add(cur);
      } else {
        throw new CpioError('CPIO_ERR_EXTRACT', `cannot extract ${rel}: parent ${cur} is not a directory`, { path: rel });
      }
    }
  };

  const forget = (rel: string): void => {
    verified.delete(rel);
    const prefix = `${rel}/`;
    for (const k of verified) if (k.startsWith(prefix)) verified.delete(k);
  };

  const setMeta = async (full: string, isLink: boolean, perm: number, uid: number, gid: number, mtime: number): Promise<void> => {
    if (preserveOwner) {
      try {
        await lchown(full, uid, gid);
      } catch (e) {
        warn({ code: 'CPIO_WARN_OWNER_NOT_SET', message: `chown ${uid}:${gid} failed: ${(e as Error).message}`, path: full });
      }
    }
    if (!isLink) await chmod(full, perm); // after chown, which clears setuid/setgid
    if (isLink) await lutimes(full, mtime, mtime);
    else await utimes(full, mtime, mtime);
  };

  for await (const e of readArchive(source, opts)) {
    opts.signal?.throwIfAborted();
    let rel: string;
    try {
      rel = sanitizeEntryName(e.name);
      if (rel !== '') await ensureParents(rel);
    } catch (err) {
      if (opts.onUnsafe === 'skip' && err instanceof CpioError && err.code === 'CPIO_ERR_PATH_ESCAPE') {
        warn({ code: 'CPIO_WARN_ENTRY_SKIPPED', message: err.message, path: e.name });
        result.skipped++;
        continue;
      }
      throw err;
    }
    if (rel === '') continue; // "." : the target itself keeps its own metadata
    const full = joinInside(root, rel);
    let existing = null;
    try {
      existing = await lstat(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }

    if (e.type === 'directory') {
      if (existing?.isDirectory()) {
        // keep, update metadata at the end
      } else if (existing?.isSymbolicLink() && (await realpath(full).then((r) => inside(r), () => false)) && (await lstat(await realpath(full))).isDirectory()) {
        result.entries++;
        continue; // keep e.g. /bin -> usr/bin when extracting over a real root
      } else {
        if (existing) await unlink(full);
        await mkdir(full, { mode: 0o700 });
      }
      forget(rel);
      verified.add(rel);
      dirs.push({ full, perm: e.perm, uid: e.uid, gid: e.gid, mtime: e.mtime });
      result.entries++;
      continue;
    }

    // Any non-directory replaces what is there; never write through an existing symlink.
    if (existing) {
      if (existing.isDirectory()) await rmdir(full);
      else await unlink(full);
    }
    forget(rel);

    switch (e.type) {
      case 'file': {
        const key = e.nlink > 1 ? `${e.archive}:${e.ino}:${e.devMajor}:${e.devMinor}` : null;
        const firstRel = key ? links.get(key) : undefined;
        let fh;
        if (firstRel !== undefined) {
          await ensureParents(firstRel);
          await link(joinInside(root, firstRel), full);
          fh = e.size > 0 ? await open(full, fsc.O_WRONLY | fsc.O_NOFOLLOW) : null;
        } else {
          if (key) links.set(key, rel);
          fh = await open(full, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        }
        if (fh) {
          try {
            for await (const chunk of e.body) {
              await fh.write(chunk);
              result.bytes += chunk.length;
            }
          } finally {
            await fh.close();
          }
        }
        await setMeta(full, false, e.perm, e.uid, e.gid, e.mtime);
        break;
      }
      case 'symlink':
        await symlink(e.linkTarget ?? '', full);
        // a new symlink may redirect any cached path: re-verify parents from now on
        verified.clear();
        verified.add('');
        await setMeta(full, true, e.perm, e.uid, e.gid, e.mtime);
        break;
      case 'char':
      case 'block':
      case 'fifo': {
        if (!devices || (e.type !== 'fifo' && !isRoot)) {
          warn({ code: 'CPIO_WARN_DEVICE_SKIPPED', message: `not creating ${e.type} ${rel}${devices ? ' (needs root)' : ''}`, path: rel });
          result.skipped++;
          continue;
        }
        // Node has no mknod(2); coreutils mknod/mkfifo are on every Linux system.
        const mode = (e.perm & 0o7777).toString(8);
        if (e.type === 'fifo') await run('mkfifo', ['-m', mode, '--', full]);
        else await run('mknod', ['-m', mode, '--', full, e.type === 'char' ? 'c' : 'b', String(e.rdevMajor), String(e.rdevMinor)]);
        await setMeta(full, false, e.perm, e.uid, e.gid, e.mtime);
        break;
      }
      default:
        warn({ code: 'CPIO_WARN_UNSUPPORTED_TYPE', message: `skipping ${e.type} entry ${rel}`, path: rel });
        result.skipped++;
        continue;
    }
    result.entries++;
    opts.onProgress?.({ entries: result.entries, bytes: result.bytes });
  }
  for (const d of dirs.reverse()) await setMeta(d.full, false, d.perm, d.uid, d.gid, d.mtime);
  opts.onProgress?.({ entries: result.entries, bytes: result.bytes });
  return result;
}
