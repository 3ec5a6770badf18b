/**
 * Paths named by templates (`Include`, `IncludeFrom`, `file`, `ImportLink`,
 * `readlink`) resolved inside their root: a path that climbs out with `..`
 * is refused, and symbolic links inside an image are followed the way the
 * node would follow them (absolute targets re-anchored at the image root),
 * so an image's `/etc/passwd -> ../../../../etc/shadow` stays inside it.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { WwError } from '../errors.js';

/**
 * `rel` (relative to `base`, itself relative to the root; or absolute, from
 * the root) as a root-relative `/`-separated path without `..`; throws
 * WW_ERR_PATH_ESCAPE when `..` would climb above the root.
 */
export function resolveUnderRoot(base: string, path: string, what: string): string {
  const segs: string[] = path.startsWith('/') ? [] : base.split('/').filter((s) => s !== '' && s !== '.');
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segs.length === 0) throw new WwError('WW_ERR_PATH_ESCAPE', `${what} ${JSON.stringify(path)} escapes its root`);
      segs.pop();
      continue;
    }
    segs.push(seg);
  }
  return segs.join('/');
}

const MAX_LINKS = 40;

/**
 * Resolve a path inside `root` as if `root` were `/` (chroot semantics):
 * every symlink met on the way is followed, absolute targets from `root`,
 * `..` never above `root`. Returns the host path; missing components are
 * left as they are (the caller's read then fails with ENOENT).
 */
export function resolveInRoot(root: string, path: string): string {
  const todo = path.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const seg = todo.shift() as string;
    if (seg === '..') {
      done.pop();
      continue;
    }
    const host = posix.join(root, ...done, seg);
    let isLink = false;
    try {
      isLink = lstatSync(host).isSymbolicLink();
    } catch {
      done.push(seg, ...todo.filter((s) => s !== '.'));
      return posix.join(root, ...done);
    }
    if (!isLink) {
      done.push(seg);
      continue;
    }
    if (++links > MAX_LINKS) throw new WwError('WW_ERR_IO', `too many levels of symbolic links: ${path}`);
    const target = readlinkSync(host);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return posix.join(root, ...done);
}

/** realpath of a server path, which must stay inside `serverRoot`; the result is as seen from that root. */
export function realpathInRoot(serverRoot: string, path: string): string {
  const host = posix.join(serverRoot, resolveUnderRoot('', path, 'path'));
  const real = realpathSync(host);
  const rootReal = realpathSync(serverRoot);
  if (rootReal === '/') return real;
  if (real !== rootReal && !real.startsWith(rootReal + '/')) {
    throw new WwError('WW_ERR_PATH_ESCAPE', `path ${JSON.stringify(path)} resolves outside ${serverRoot}`);
  }
  return real === rootReal ? '/' : real.slice(rootReal.length);
}
