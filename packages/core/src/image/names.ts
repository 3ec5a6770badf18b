/**
 * Image names and where an image lives (§0.1, §6).
 *
 * Name rule: upstream's `^[\w\-.:]+$` (ASCII letters, digits, `_`, `-`,
 * `.`, `:`), and additionally not starting with `.` (so `.` and `..` cannot
 * name a parent directory, and our staging directories `.import-*` never
 * collide with an image) and at most 200 bytes (a file name is 255 and
 * `.img.gz` is appended). Every entry point checks names with this one rule.
 */
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Paths } from '../config/paths.js';
import { WwError } from '../errors.js';

export const IMAGE_NAME_RE = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,199}$/;

/** True when `name` is a valid image name. */
export function isValidImageName(name: string): boolean {
  return IMAGE_NAME_RE.test(name);
}

/** Return `name` or throw WW_ERR_INVALID_NAME naming it. */
export function checkImageName(name: string): string {
  if (!isValidImageName(name)) {
    throw new WwError('WW_ERR_INVALID_NAME', `invalid image name: ${JSON.stringify(name)}`, {
      hint: 'image names use letters, digits, "_", "-", ".", ":" (not starting with "."), at most 200 characters',
    });
  }
  return name;
}

export interface ImagePaths {
  name: string;
  /** `<wwchrootdir>/<name>` */
  dir: string;
  /** `<wwchrootdir>/<name>/rootfs`: the image "exists" when this is a directory. */
  rootfs: string;
  /** `<wwchrootdir>/<name>/run`: exists only while `image exec/shell` runs (its lock). */
  runDir: string;
  /** `<wwchrootdir>/<name>/readonly`: exec/shell mount the image read-only. */
  readonlyMarker: string;
  /** Cached facts (sizes, last build) so listings never walk the tree. */
  stateFile: string;
  /** `<provision>/images/<name>.img` and `.img.gz` (§6.4). */
  img: string;
  imgGz: string;
}

/** Where image `name` lives; the name is checked first. */
export function imagePaths(paths: Paths, name: string): ImagePaths {
  checkImageName(name);
  const dir = join(paths.wwchrootdir, name);
  return {
    name,
    dir,
    rootfs: join(dir, 'rootfs'),
    runDir: join(dir, 'run'),
    readonlyMarker: join(dir, 'readonly'),
    stateFile: join(dir, 'warewulf-ts.state.json'),
    img: join(paths.provisionImagesDir, `${name}.img`),
    imgGz: join(paths.provisionImagesDir, `${name}.img.gz`),
  };
}

/**
 * `p` with every symlink resolved, when that lands inside `rootReal` (an
 * image's realpath'd rootfs); undefined when it leads out or does not exist.
 * Image paths are looked at through this, so an image's absolute symlinks
 * never point us at the host.
 */
export async function realInside(rootReal: string, p: string): Promise<string | undefined> {
  try {
    const r = await realpath(p);
    return r === rootReal || r.startsWith(rootReal + sep) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an image exists: its rootfs is a directory. Throws WW_ERR_* for an invalid name. */
export async function imageExists(paths: Paths, name: string): Promise<boolean> {
  try {
    return (await stat(imagePaths(paths, name).rootfs)).isDirectory();
  } catch (err) {
    if (err instanceof WwError) throw err;
    return false;
  }
}
