/**
 * Where a node's artefacts are on the server (§4.5) and how a name from
 * nodes.conf becomes a path without leaving its directory. Image names and
 * node ids come from an admin-edited file and end up as path segments: one
 * that is empty, `.`/`..`, or holds `/`, `\` or NUL names no artefact.
 */
import { lstat, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isErrnoCode } from '../errors.js';
import type { Paths } from '../config/paths.js';

export type OverlayKind = 'system' | 'runtime';

/** A file to serve: the directory it must stay in and its name there. */
export interface Artefact {
  dir: string;
  name: string;
}

/** True when `name` can be used as one path segment (no traversal, no separators, no NUL). */
export function isSafeSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name) && name.length <= 255;
}

/** `<provision>/images/<image>.img`; undefined for an unsafe image name. */
export function imageArtefact(paths: Pick<Paths, 'provisionImagesDir'>, image: string): Artefact | undefined {
  return isSafeSegment(image) ? { dir: paths.provisionImagesDir, name: `${image}.img` } : undefined;
}

/** `<provision>/overlays/<node>/__SYSTEM__.img` or `__RUNTIME__.img`; undefined for an unsafe node id. */
export function overlayArtefact(paths: Pick<Paths, 'provisionOverlaysDir'>, nodeId: string, kind: OverlayKind): Artefact | undefined {
  if (!isSafeSegment(nodeId)) return undefined;
  return { dir: join(paths.provisionOverlaysDir, nodeId), name: kind === 'system' ? '__SYSTEM__.img' : '__RUNTIME__.img' };
}

/**
 * The `compress` rule for files (§4.5): '' → the plain file, `gz` → `<file>.gz`,
 * anything else → undefined (a 404).
 */
export function withCompression(a: Artefact, compress: string): Artefact | undefined {
  if (compress === '') return a;
  if (compress === 'gz') return { dir: a.dir, name: `${a.name}.gz` };
  return undefined;
}

/** The root directory of an image's files: `<wwchrootdir>/<image>/rootfs`; undefined for an unsafe name. */
export function imageRootfs(paths: Pick<Paths, 'wwchrootdir'>, image: string): string | undefined {
  return isSafeSegment(image) ? join(paths.wwchrootdir, image, 'rootfs') : undefined;
}

const MAX_LINKS = 40;

/**
 * Resolve `rel` inside `root` the way a chroot would: `..` stops at the root
 * and symlinks (absolute or relative) are followed relative to the root, so
 * an image's `/boot/vmlinuz -> /etc/shadow` stays inside the image. Returns
 * the resolved path on the host (under `root`), or undefined when a
 * component is missing, a link loop exceeds 40 hops, or an intermediate is
 * not a directory. The last component may be any file type; callers check.
 */
export async function resolveInRoot(root: string, rel: string): Promise<string | undefined> {
  let todo = rel.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = join(root, ...done, part);
    let st;
    try {
      st = await lstat(here);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return undefined;
      throw err;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return undefined;
      const target = await readlink(here);
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/').filter((s) => s !== '' && s !== '.'), ...todo];
      continue;
    }
    if (todo.length > 0 && !st.isDirectory()) return undefined;
    done.push(part);
  }
  return join(root, ...done);
}

/** `a/b/c` → its posix dirname and basename, for send(root, name). */
export function splitArtefact(path: string): Artefact {
  return { dir: posix.dirname(path), name: posix.basename(path) };
}
