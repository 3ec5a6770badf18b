/**
 * The boot files a node gets from inside its image (§4.5, §6.3): kernel
 * (core/image's detection), initramfs, shim and GRUB. Candidates are found
 * by listing the image's directories, never by following a path the image
 * controls out of it (every hit is resolved with resolveInRoot).
 */
import { readdir, stat } from 'node:fs/promises';
import { isErrnoCode } from '../errors.js';
import type { Paths } from '../config/paths.js';
import { resolveNodeKernel } from '../image/kernels.js';
import { imageRootfs, resolveInRoot } from './artefacts.js';

/** A file inside an image: `rel` as the node sees it (`/boot/vmlinuz-6.1.0`), `path` on the server. */
export interface ImageFile {
  rel: string;
  path: string;
}

export interface KernelFile extends ImageFile {
  /** `5.14.0-427.24.1`; '' when the name carries none. */
  version: string;
}

/** Names in `<root><dir>` (sorted), [] when it does not exist. `dir` is inside the image and resolved there. */
async function list(root: string, dir: string): Promise<{ resolved: string; names: string[] } | undefined> {
  const resolved = await resolveInRoot(root, dir);
  if (resolved === undefined) return undefined;
  try {
    return { resolved, names: (await readdir(resolved)).sort() };
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** The regular file `rel` inside `root`, or undefined. */
async function regularFile(root: string, rel: string): Promise<ImageFile | undefined> {
  const path = await resolveInRoot(root, rel);
  if (path === undefined) return undefined;
  try {
    return (await stat(path)).isFile() ? { rel, path } : undefined;
  } catch {
    return undefined;
  }
}

/** Files in `dir` of the image whose names pass `keep`, as ImageFiles (sorted by name). */
async function filesIn(root: string, dir: string, keep: (name: string) => boolean): Promise<ImageFile[]> {
  const l = await list(root, dir);
  if (l === undefined) return [];
  const out: ImageFile[] = [];
  for (const name of l.names.filter(keep)) {
    const f = await regularFile(root, `${dir}/${name}`);
    if (f) out.push(f);
  }
  return out;
}

/**
 * The node's kernel in image `image` (§6.3, through core/image's kernel
 * detection): `kernel.version` when set, else the image's default kernel;
 * its host path resolved inside the image's rootfs.
 */
export async function findKernel(paths: Paths, image: string, version = ''): Promise<KernelFile | undefined> {
  const root = imageRootfs(paths, image);
  if (root === undefined) return undefined;
  const k = await resolveNodeKernel(paths, image, version || undefined);
  if (k === undefined) return undefined;
  const f = await regularFile(root, k.path);
  return f && { ...f, version: k.version ?? '' };
}

/**
 * The initramfs for `kernelVersion` (§4.5): the first of `/boot/initramfs-*`,
 * `/boot/initrd-*`, `/boot/initrd.img-*` whose embedded version (the last
 * version in the name) starts with it.
 */
export async function findInitramfs(paths: Pick<Paths, 'wwchrootdir'>, image: string, kernelVersion: string): Promise<ImageFile | undefined> {
  const root = imageRootfs(paths, image);
  if (root === undefined || kernelVersion === '') return undefined;
  for (const prefix of ['initramfs-', 'initrd-', 'initrd.img-']) {
    for (const f of await filesIn(root, '/boot', (n) => n.startsWith(prefix))) {
      const versions = f.rel.match(/\d+\.\d+\.\d+(-[\d.]+|)/g) ?? [];
      const last = (versions[versions.length - 1] ?? '').replace(/\.+$/, '');
      if (last.startsWith(kernelVersion)) return f;
    }
  }
  return undefined;
}

const SHIM_NAMES = ['shim.efi', 'shim-sles.efi', 'shimx64.efi', 'shim-susesigned.efi'];
const GRUB_NAMES = ['grub-tpm.efi', 'grub.efi', 'grubx64.efi', 'grubia32.efi', 'grubaa64.efi', 'grubarm.efi'];
const SHIM_DIRS = ['/usr/share/efi/*', '/usr/lib64/efi', '/boot/efi/EFI/*'];
const GRUB_DIRS = ['/usr/lib64/efi', '/usr/share/grub2/*-efi', '/usr/share/efi/*', '/boot/efi/EFI/*'];

/** Expand one `*` (whole segment, or `*-efi`) in the last segment of `pattern`. */
async function expandDir(root: string, pattern: string): Promise<string[]> {
  const star = pattern.lastIndexOf('/');
  const parent = pattern.slice(0, star);
  const last = pattern.slice(star + 1);
  if (!last.includes('*')) return [pattern];
  const suffix = last.slice(1);
  const l = await list(root, parent);
  return (l?.names ?? []).filter((n) => n.endsWith(suffix)).map((n) => `${parent}/${n}`);
}

/** The first existing file of `names` in `dirs` (directory order outer, name order inner). */
async function firstIn(root: string, dirs: readonly string[], names: readonly string[]): Promise<ImageFile | undefined> {
  for (const pattern of dirs) {
    for (const dir of await expandDir(root, pattern)) {
      for (const name of names) {
        const f = await regularFile(root, `${dir}/${name}`);
        if (f) return f;
      }
    }
  }
  return undefined;
}

/**
 * The EFI binary `/efiboot/<file>` asks for (§4.5): `shim.efi` → the image's
 * shim; one of the GRUB names → the image's GRUB; anything else undefined.
 */
export async function findEfiFile(paths: Pick<Paths, 'wwchrootdir'>, image: string, file: string): Promise<ImageFile | undefined> {
  const root = imageRootfs(paths, image);
  if (root === undefined) return undefined;
  if (file === 'shim.efi') return firstIn(root, SHIM_DIRS, SHIM_NAMES);
  if (GRUB_NAMES.includes(file)) return firstIn(root, GRUB_DIRS, GRUB_NAMES);
  return undefined;
}
