/**
 * Where a write really lands, kept inside the output root. configure writes
 * into the server's own tree (`/`, or `$WAREWULF_ROOT`): a symlink on the way
 * (`/etc -> /srv/etc`) is followed the way the kernel would follow it, but a
 * link whose target leaves the root is refused, so nothing planted in a
 * relocated root makes configure write outside it.
 *
 * The check and the write are not one system call: a link swapped in between
 * by someone who can write the server's directories is not caught (who can do
 * that can write the files anyway).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';

const MAX_LINKS = 40;

/** True when `p` (normalised, absolute) is `root` or below it. */
export function isInside(root: string, p: string): boolean {
  return root === '/' || p === root || p.startsWith(`${root}/`);
}

/** The root's real path (`/` when not relocated). */
export async function realRoot(root: string): Promise<string> {
  if (root === '' || root === '/') return '/';
  try {
    return await realpath(root);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_IO', `WAREWULF_ROOT ${root} does not exist`, { cause: err });
    throw err;
  }
}

/**
 * The host path a write to `path` reaches, with every symlink on the way
 * resolved; the last component is followed only when `followLast` (a file
 * is written through a link to its target; a symlink slot replaces the link
 * itself). Components that do not exist yet are kept as named.
 *
 * @param rootReal the output root's real path (realRoot)
 * @param path an absolute host path that must lie inside the root
 * @throws WwError WW_ERR_PATH_ESCAPE when the path, or a link on the way,
 *   leaves the root; WW_ERR_IO when a component is not a directory or links
 *   loop.
 */
export async function resolveForWrite(rootReal: string, path: string, followLast: boolean): Promise<string> {
  const wanted = posix.normalize(path);
  if (!posix.isAbsolute(wanted) || !isInside(rootReal, wanted)) {
    throw new WwError('WW_ERR_PATH_ESCAPE', `${path} is outside the output root ${rootReal}`);
  }
  const rel = rootReal === '/' ? wanted.slice(1) : wanted.slice(rootReal.length + 1);
  const todo = rel.split('/').filter((s) => s !== '' && s !== '.');
  // `cur` is always a real directory inside the root, so each `..` is the kernel's
  let cur = rootReal;
  let links = 0;
  while (todo.length > 0) {
    const seg = todo.shift() as string;
    if (seg === '..') {
      if (cur === rootReal && rootReal !== '/') throw new WwError('WW_ERR_PATH_ESCAPE', `refusing to write ${path}: a symlink on the way leads (with ..) outside the output root ${rootReal}`);
      cur = posix.dirname(cur);
      continue;
    }
    const next = posix.join(cur, seg);
    let st;
    try {
      st = await lstat(next);
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
      // the rest is created by the write; a `..` below a missing directory could not be walked
      if (todo.includes('..')) throw new WwError('WW_ERR_IO', `cannot write ${path}: ${next} does not exist`);
      return posix.join(next, ...todo);
    }
    if (st.isSymbolicLink() && (todo.length > 0 || followLast)) {
      if (++links > MAX_LINKS) throw new WwError('WW_ERR_IO', `too many levels of symbolic links writing ${path}`);
      const target = await readlink(next);
      if (target.startsWith('/')) {
        if (!isInside(rootReal, posix.normalize(target)) || (rootReal !== '/' && !target.startsWith(`${rootReal}/`) && target !== rootReal)) {
          throw new WwError('WW_ERR_PATH_ESCAPE', `refusing to write ${path}: ${next} is a symlink to ${target}, outside the output root ${rootReal}`);
        }
        cur = rootReal;
        todo.unshift(...target.slice(rootReal === '/' ? 1 : rootReal.length).split('/').filter((s) => s !== '' && s !== '.'));
      } else {
        todo.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
      }
      continue;
    }
    if (todo.length > 0 && !st.isDirectory()) {
      throw new WwError('WW_ERR_IO', `cannot write ${path}: ${next} is not a directory`);
    }
    cur = next;
  }
  return cur;
}
