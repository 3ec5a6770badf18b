/**
 * Kernels inside images (§6.3, HEAD): candidates by glob, their versions,
 * the image's default kernel, and which kernel a node boots. Paths are
 * reported relative to the rootfs with a leading "/". Lookups resolve every
 * path inside the rootfs: a /boot that is a symlink leading out of the image
 * finds nothing.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Paths } from '../config/paths.js';
import { imagePaths, realInside } from './names.js';

export interface KernelInfo {
  /** Path inside the image, e.g. `/boot/vmlinuz-6.1.0-57-amd64`. */
  path: string;
  /** `6.1.0-57`, or undefined when the path carries no version (`/boot/vmlinuz-linux`). */
  version: string | undefined;
  debug: boolean;
  rescue: boolean;
}

/** The candidate globs in order: [directory (may hold one `*`), file-name prefix, file-name suffix]. */
const PATTERNS: readonly [string, string, string][] = [
  ['boot', 'Image-', ''],
  ['boot', 'vmlinuz-linux', ''],
  ['boot', 'vmlinuz-', ''],
  ['lib/modules/*', 'vmlinuz', '='],
  ['lib/modules/*', 'vmlinuz.gz', '='],
];

const VERSION_RE = /\d+\.\d+\.\d+(-[\d.]+|)/;

/** §6.3 version of a kernel path: first `\d+\.\d+\.\d+(-[\d.]+|)`, trailing "." trimmed. */
export function kernelVersionOf(path: string): string | undefined {
  const m = VERSION_RE.exec(path);
  return m ? m[0].replace(/\.+$/, '') : undefined;
}

/** Compare versions numerically part by part (`5.14.0-427.24.1` > `5.14.0-427.18.1`); none sorts lowest. */
export function compareKernelVersions(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

async function insideDir(rootReal: string, rel: string): Promise<string | undefined> {
  const real = await realInside(rootReal, join(rootReal, rel));
  return real && (await stat(real)).isDirectory() ? real : undefined;
}

async function isFileInside(rootReal: string, rel: string): Promise<boolean> {
  const real = await realInside(rootReal, join(rootReal, rel));
  return real !== undefined && (await stat(real)).isFile();
}

async function sortedNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every kernel in a rootfs, in §6.3's pattern order (each glob sorted), without duplicates. */
export async function findKernels(rootfs: string): Promise<KernelInfo[]> {
  let rootReal: string;
  try {
    rootReal = await realpath(rootfs);
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const out: KernelInfo[] = [];
  const add = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, version: kernelVersionOf(path), debug: path.includes('+debug'), rescue: path.includes('-rescue') });
  };
  for (const [dirPattern, prefix, suffix] of PATTERNS) {
    const dirs: string[] = [];
    if (dirPattern.endsWith('/*')) {
      const parent = dirPattern.slice(0, -2);
      const real = await insideDir(rootReal, parent);
      if (real) for (const n of await sortedNames(real)) dirs.push(`${parent}/${n}`);
    } else {
      dirs.push(dirPattern);
    }
    for (const d of dirs) {
      const real = await insideDir(rootReal, d);
      if (!real) continue;
      if (suffix === '=') {
        if (await isFileInside(rootReal, `${d}/${prefix}`)) add(`/${d}/${prefix}`);
        continue;
      }
      for (const n of await sortedNames(real)) {
        if (n.startsWith(prefix) && (await isFileInside(rootReal, `${d}/${n}`))) add(`/${d}/${n}`);
      }
    }
  }
  return out;
}

/** Highest version among non-debug, non-rescue kernels (unversioned ones lowest); first found wins ties. */
export function defaultKernel(kernels: readonly KernelInfo[]): KernelInfo | undefined {
  let best: KernelInfo | undefined;
  for (const k of kernels) {
    if (k.debug || k.rescue) continue;
    if (!best || compareKernelVersions(k.version, best.version) > 0) best = k;
  }
  return best;
}

/** The kernels of image `name` (none when it does not exist). */
export async function imageKernels(paths: Paths, name: string): Promise<KernelInfo[]> {
  return findKernels(imagePaths(paths, name).rootfs);
}

/**
 * The kernel a node boots (§6.3): none without an image; with
 * `kernelVersion` set, `<rootfs>/<kernelVersion>` when that is a file, else
 * a 4.3 kernel name (`<provision>/kernel/<name>/version`, §2.7 `kernel
 * override`) mapped to the image kernel of that version, else the first
 * non-debug, non-rescue kernel whose version starts with it; without it, the
 * default kernel. `kernels` may be passed when already known.
 */
export async function resolveNodeKernel(
  paths: Paths,
  image: string | undefined,
  kernelVersion: string | undefined,
  kernels?: readonly KernelInfo[],
): Promise<KernelInfo | undefined> {
  if (!image) return undefined;
  const ip = imagePaths(paths, image);
  const list = kernels ?? (await findKernels(ip.rootfs));
  if (!kernelVersion) return defaultKernel(list);
  const asFile = await kernelFileInImage(ip.rootfs, kernelVersion, list);
  if (asFile) return asFile;
  return kernelOfVersion(list, (await legacyKernelVersion(paths, kernelVersion)) ?? kernelVersion);
}

/**
 * 4.3's `kernel override: NAME` as today's `kernel.version` (§2.7, what
 * `upgrade nodes` writes): the path inside image `image` of the kernel
 * whose version is the one recorded for the imported kernel NAME
 * (`<provision>/kernel/NAME/version`), else NAME itself when it is the path
 * of a file inside the image; undefined when neither (no image, no such
 * kernel). The same lookups resolveNodeKernel makes at boot time.
 */
export async function resolveKernelOverride(paths: Paths, image: string | undefined, name: string): Promise<string | undefined> {
  if (!image || !name) return undefined;
  const ip = imagePaths(paths, image);
  const list = await findKernels(ip.rootfs);
  const recorded = await legacyKernelVersion(paths, name);
  const byVersion = recorded !== undefined ? kernelOfVersion(list, recorded) : undefined;
  if (byVersion) return byVersion.path;
  return (await kernelFileInImage(ip.rootfs, name, list)) ? name : undefined;
}

/** The file `<rootfs>/<path>` as a kernel, when it is a file inside the image (no `..`, symlinks kept inside). */
async function kernelFileInImage(rootfs: string, path: string, list: readonly KernelInfo[]): Promise<KernelInfo | undefined> {
  const asPath = path.startsWith('/') ? path : `/${path}`;
  if (asPath.split('/').includes('..')) return undefined;
  const rootReal = await realpath(rootfs).catch(() => undefined);
  if (!rootReal || !(await isFileInside(rootReal, asPath.slice(1)))) return undefined;
  return list.find((k) => k.path === asPath) ?? { path: asPath, version: kernelVersionOf(asPath), debug: asPath.includes('+debug'), rescue: asPath.includes('-rescue') };
}

/** The version recorded for 4.3's imported kernel `name` (`<provision>/kernel/<name>/version`), in §6.3's form; undefined when none. */
async function legacyKernelVersion(paths: Paths, name: string): Promise<string | undefined> {
  // only a plain name can be one: a path or a pattern never names a directory there
  if (!/^[a-zA-Z0-9._-]+$/.test(name) || name === '.' || name === '..') return undefined;
  const recorded = (await readFile(join(paths.wwprovisiondir, 'kernel', name, 'version'), 'utf8').catch(() => ''))?.trim();
  return recorded ? (kernelVersionOf(recorded) ?? recorded) : undefined;
}

/** The first non-debug, non-rescue kernel whose version starts with `want`. */
function kernelOfVersion(list: readonly KernelInfo[], want: string): KernelInfo | undefined {
  return list.find((k) => !k.debug && !k.rescue && k.version !== undefined && k.version.startsWith(want));
}

/**
 * Default kernel versions of many images at once, for the template data
 * (`.Kernel.Version` when a node sets none, §5.3): resolve once, then look up
 * synchronously per node. Unknown images give undefined.
 */
export async function defaultKernelVersions(paths: Paths, images: Iterable<string>): Promise<(image: string) => string | undefined> {
  const map = new Map<string, string | undefined>();
  for (const image of new Set(images)) {
    try {
      map.set(image, defaultKernel(await imageKernels(paths, image))?.version);
    } catch {
      map.set(image, undefined); // an invalid name in nodes.conf: no kernel
    }
  }
  return (image) => map.get(image);
}
