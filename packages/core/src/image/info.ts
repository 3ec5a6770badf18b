/**
 * What `image list` and `image show` report. Cheap per image: a couple of
 * stats, the kernel globs, and the chroot size from the state file (measured
 * at import and build; measured once here only when no state exists).
 */
import { stat } from 'node:fs/promises';
import type { Paths } from '../config/paths.js';
import { defaultKernel, findKernels } from './kernels.js';
import { imagePaths } from './names.js';
import { measureTree, readState, writeState } from './state.js';
import type { ImageUsers } from './users.js';

export interface ImageInfo {
  name: string;
  rootfs: string;
  /** Merged nodes using the image. */
  nodes: string[];
  /** The default kernel's version (§6.3), if any. */
  kernelVersion: string | undefined;
  kernelPath: string | undefined;
  /** Bytes of `<name>.img` / `<name>.img.gz` (undefined: not built). */
  imgSize: number | undefined;
  imgGzSize: number | undefined;
  /** Bytes of the rootfs's files (cached). */
  chrootSize: number;
  /** The chroot directory's mtime (upstream's "creation time"). */
  created: Date;
  /** The built image's mtime (undefined: not built). */
  modified: Date | undefined;
  /** When the last build finished, from our state. */
  builtAt: Date | undefined;
}

/** Facts about one existing image (see requireImage for existence). */
export async function imageInfo(paths: Paths, name: string, users: ImageUsers): Promise<ImageInfo> {
  const ip = imagePaths(paths, name);
  const [dirSt, img, gz, kernels] = await Promise.all([
    stat(ip.dir),
    stat(ip.img).catch(() => undefined),
    stat(ip.imgGz).catch(() => undefined),
    findKernels(ip.rootfs),
  ]);
  let state = await readState(ip.stateFile);
  if (!state.rootfs) {
    const m = await measureTree(ip.rootfs);
    state = { ...state, rootfs: { ...m, measuredAt: new Date().toISOString() } };
    await writeState(ip.stateFile, state).catch(() => undefined); // a read-only tree: measure again next time
  }
  const k = defaultKernel(kernels);
  return {
    name,
    rootfs: ip.rootfs,
    nodes: users.nodes.get(name) ?? [],
    kernelVersion: k?.version,
    kernelPath: k?.path,
    imgSize: img?.size,
    imgGzSize: gz?.size,
    chrootSize: state.rootfs!.bytes,
    created: dirSt.mtime,
    modified: img?.mtime,
    builtAt: state.build ? new Date(state.build.builtAt) : undefined,
  };
}
