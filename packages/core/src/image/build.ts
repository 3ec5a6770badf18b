/**
 * `image build` (§6.4): the rootfs packed as a newc cpio by @warewulf/cpio
 * into `<provision>/images/<name>.img` and gzip-compressed (in parallel, in
 * the same pass) into `<name>.img.gz`; both written to temp files and renamed
 * when complete. Top-level dot-files, the excludes file's globs (§6.2) and
 * other filesystems are left out.
 *
 * Skipped unless forced when nothing changed since the last build: a
 * stat-only walk gives the newest ctime and the entry count of the rootfs,
 * compared with what the last build recorded (ctime cannot be set back by
 * users, and a removal changes its directory's ctime), along with the
 * excludes and the outputs' sizes and mtimes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { packTree, type CpioWarning, type ProgressEvent } from '@warewulf/cpio';
import type { Paths } from '../config/paths.js';
import type { Logger } from '../log.js';
import { imageError } from './errors.js';
import { checkNotBusy, requireImage } from './store.js';
import { measureTree, readState, writeState, type TreeMeasure } from './state.js';

export interface BuildOptions {
  /** Rebuild even when the image is current. */
  force?: boolean;
  log: Logger;
  signal?: AbortSignal;
  onProgress?: (p: ProgressEvent) => void;
  /** gzip level (default 6, like pigz/gzip). */
  level?: number;
  /**
   * Walk and read the rootfs with synchronous system calls, like `find | cpio`
   * (packages/cpio's `syncFs`): fastest, but the event loop is blocked while a
   * directory is listed or a file read, so for the CLI only, never warewulfd.
   */
  syncFs?: boolean;
}

export interface BuildResult {
  name: string;
  skipped: boolean;
  img: string;
  imgGz: string;
  /** Sizes in bytes of the two outputs. */
  imgSize: number;
  imgGzSize: number;
  entries: number;
  /** Wall time of the pack+compress pass (0 when skipped). */
  ms: number;
}

/** Globs of `<rootfs>/etc/warewulf/excludes` (§6.2): one per line, leading and trailing "/" stripped. */
export async function readExcludes(rootfs: string): Promise<string[]> {
  const text = await readFile(join(rootfs, 'etc', 'warewulf', 'excludes'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.trim().replace(/^\/+|\/+$/g, ''))
    .filter((l) => l !== '');
}

function excludesKey(excludes: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(excludes)).digest('hex');
}

async function fileFacts(p: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const st = await stat(p);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Build image `name`. Throws WW_ERR_IMAGE_NOT_FOUND (`image does not
 * exist: X`), WW_ERR_IMAGE_BUSY, WW_ERR_CPIO (cpio limits: a file
 * over 4 GiB, a name over 4095 bytes).
 */
export async function buildImage(paths: Paths, name: string, opts: BuildOptions): Promise<BuildResult> {
  const ip = await requireImage(paths, name);
  await checkNotBusy(ip);
  const excludes = ['.*', ...(await readExcludes(ip.rootfs))];
  const state = await readState(ip.stateFile);
  const source = await measureTree(ip.rootfs, { sync: opts.syncFs === true });
  const [img, gz] = await Promise.all([fileFacts(ip.img), fileFacts(ip.imgGz)]);
  const last = state.build;
  const current =
    last !== undefined &&
    img !== undefined &&
    gz !== undefined &&
    BigInt(source.maxCtimeNs) <= BigInt(last.source.maxCtimeNs) &&
    source.entries === last.source.entries &&
    last.excludes === excludesKey(excludes) &&
    img.size === last.img.size &&
    img.mtimeMs === last.img.mtimeMs &&
    gz.size === last.imgGz.size &&
    gz.mtimeMs === last.imgGz.mtimeMs;
  if (current && !opts.force) {
    opts.log.info(`Skipping (Image is current): ${name}`);
    return { name, skipped: true, img: ip.img, imgGz: ip.imgGz, imgSize: img.size, imgGzSize: gz.size, entries: last.source.entries, ms: 0 };
  }
  opts.log.info(`Building image: ${name}`);
  const started = Date.now();
  const r = await packBoth(ip.rootfs, ip.img, ip.imgGz, excludes, opts);
  const ms = Date.now() - started;
  opts.log.info(`Created image for Image ${name}: ${ip.img}`);
  opts.log.info(`Compressed image for Image ${name}: ${ip.imgGz}`);
  const [img2, gz2] = await Promise.all([fileFacts(ip.img), fileFacts(ip.imgGz)]);
  await writeState(ip.stateFile, {
    ...state,
    rootfs: { ...source, measuredAt: new Date().toISOString() },
    build: { source, excludes: excludesKey(excludes), img: img2!, imgGz: gz2!, builtAt: new Date().toISOString(), ms },
  });
  return { name, skipped: false, img: ip.img, imgGz: ip.imgGz, imgSize: img2!.size, imgGzSize: gz2!.size, entries: r.entries, ms };
}

/** Re-measure an image's rootfs (after import or exec) so listings show current sizes. */
export async function remeasure(paths: Paths, name: string): Promise<TreeMeasure> {
  const ip = await requireImage(paths, name);
  const m = await measureTree(ip.rootfs);
  await writeState(ip.stateFile, { ...(await readState(ip.stateFile)), rootfs: { ...m, measuredAt: new Date().toISOString() } });
  return m;
}

function tempName(p: string): string {
  return join(dirname(p), `.${basename(p)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * One walk, two outputs: the cpio stream is gzip-compressed into `.img.gz`
 * while the compression workers write the same uncompressed blocks to
 * `.img` (a tee in @warewulf/cpio), so the tree is read once and the copy
 * costs the main thread nothing; both are renamed into place only when both
 * are complete.
 */
async function packBoth(rootfs: string, imgPath: string, gzPath: string, exclude: string[], opts: BuildOptions): Promise<{ entries: number }> {
  await mkdir(dirname(imgPath), { recursive: true });
  const tmpImg = tempName(imgPath);
  const tmpGz = tempName(gzPath);
  const onWarning = (w: CpioWarning) => opts.log.warn(`${w.path}: ${w.message}`);
  try {
    // without root an import could not keep owners (everything is ours): pack it as root's, like `cpio -R 0:0`
    const asRoot = process.getuid?.() !== 0;
    if (asRoot) opts.log.warn('not running as root: every file is packed as owned by root (0:0)');
    const archive = packTree(rootfs, {
      ...(asRoot ? { uid: 0, gid: 0 } : {}),
      exclude,
      oneFileSystem: true,
      compression: 'gzip',
      level: opts.level ?? 6,
      tee: { path: tmpImg, mode: 0o644 },
      syncFs: opts.syncFs === true,
      onWarning,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    // no fsync: a built image is made again from its chroot at any time, and a rename replacing the old one
    // is ordered after the data on ext4 (auto_da_alloc) and xfs; a crash leaves the old image or a stray temp
    // file, which the next build removes
    await pipeline(archive, createWriteStream(tmpGz, { flags: 'wx', mode: 0o644 }));
    await rename(tmpImg, imgPath);
    await rename(tmpGz, gzPath);
    const r = await archive.result;
    return { entries: r.entries };
  } catch (err) {
    await rm(tmpImg, { force: true });
    await rm(tmpGz, { force: true });
    throw imageError(err, `building ${basename(imgPath, '.img')}`);
  }
}
