/**
 * The image store: `<wwchrootdir>/<name>/rootfs` plus the built files in
 * `<provision>/images/`. Changes are atomic: new trees are made under a
 * staging directory `<wwchrootdir>/.<op>-<name>-<pid>-<rand>` and renamed
 * into place when complete; a failed or interrupted operation leaves no
 * image behind, and staging directories of dead processes are removed by the
 * next operation.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Paths } from '../config/paths.js';
import { WwError, isErrnoCode } from '../errors.js';
import { applyEdit } from '../node/edit.js';
import { FIELD_BY_NAME } from '../node/fields.js';
import { flattenEntity } from '../node/flat.js';
import { DEFAULT_PROFILE } from '../node/merge.js';
import { updateNodesConf } from '../node/store.js';
import { newMapping } from '../yaml-value.js';
import { pidAlive } from '../fs/lock.js';
import { checkImageName, imageExists, imagePaths, isValidImageName, type ImagePaths } from './names.js';

export { imageExists };

const run = promisify(execFile);

/** Valid image names whose rootfs is a directory, sorted (Go's ReadDir order, §6). */
export async function listImages(paths: Paths): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(paths.wwchrootdir);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return [];
    throw new WwError('WW_ERR_IO', `could not read ${paths.wwchrootdir}: ${(err as Error).message}`, { cause: err });
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    if (isValidImageName(n) && (await imageExists(paths, n))) out.push(n);
  }
  return out;
}


/** Paths of an existing image; WW_ERR_IMAGE_NOT_FOUND (`image does not exist: X`) otherwise. */
export async function requireImage(paths: Paths, name: string): Promise<ImagePaths> {
  const ip = imagePaths(paths, name);
  if (!(await imageExists(paths, name))) throw new WwError('WW_ERR_IMAGE_NOT_FOUND', `image does not exist: ${name}`);
  return ip;
}

/** Refuse while `image exec/shell` holds the image (its run directory exists). */
export async function checkNotBusy(ip: ImagePaths): Promise<void> {
  try {
    await lstat(ip.runDir);
  } catch {
    return;
  }
  throw new WwError('WW_ERR_IMAGE_BUSY', `image ${ip.name} is in use by an image exec/shell (${ip.runDir} exists)`, {
    hint: `if no such command runs, remove ${ip.runDir}`,
  });
}

const STAGING_RE = /^\.(import|copy|trash)-.*-(\d+)-[0-9a-f]+$/;

/** Remove staging and trash directories left by processes that died (killed imports). */
export async function removeLeftovers(paths: Paths): Promise<string[]> {
  const removed: string[] = [];
  for (const n of await readdir(paths.wwchrootdir).catch(() => [] as string[])) {
    const m = STAGING_RE.exec(n);
    if (m && !pidAlive(Number(m[2]))) {
      await rm(join(paths.wwchrootdir, n), { recursive: true, force: true });
      removed.push(n);
    }
  }
  return removed;
}

/** A new staging directory `<wwchrootdir>/.<op>-<name>-<pid>-<rand>` (0700 while being filled). */
export async function makeStaging(paths: Paths, op: 'import' | 'copy', name: string): Promise<string> {
  await mkdir(paths.wwchrootdir, { recursive: true });
  await removeLeftovers(paths);
  const dir = join(paths.wwchrootdir, `.${op}-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/**
 * Put a complete staging directory in place of image `name` (an existing one
 * is moved aside and removed after). Built files of a replaced image are
 * removed: they no longer match.
 */
export async function commitStaging(paths: Paths, staging: string, name: string): Promise<void> {
  const ip = imagePaths(paths, name);
  await chmod(staging, 0o755);
  let trash: string | undefined;
  try {
    await lstat(ip.dir);
    trash = join(paths.wwchrootdir, `.trash-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(ip.dir, trash);
    await rm(ip.img, { force: true });
    await rm(ip.imgGz, { force: true });
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  await rename(staging, ip.dir);
  if (trash) await rm(trash, { recursive: true, force: true });
}

/**
 * Copy a tree preserving owners, modes, times, hard links, symlinks, device
 * nodes and xattrs: GNU `cp -a` (reflinks where the filesystem has them).
 * `dest` must not exist.
 */
export async function copyTree(src: string, dest: string, signal?: AbortSignal): Promise<void> {
  try {
    await run('cp', ['-a', '--reflink=auto', '--no-target-directory', '--', src, dest], { signal, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new WwError('WW_ERR_ABORTED', 'interrupted', { cause: err });
    const msg = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').slice(0, 5).join('; ');
    throw new WwError('WW_ERR_IO', `could not copy ${src} to ${dest}: ${msg}`, { cause: err });
  }
}

/** Remove the chroot directory and the built files of an image (no use check: see deleteImages in wwctl). */
export async function deleteImage(paths: Paths, name: string): Promise<void> {
  const ip = await requireImage(paths, name);
  await checkNotBusy(ip);
  const trash = join(paths.wwchrootdir, `.trash-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await rename(ip.dir, trash);
  await rm(ip.img, { force: true });
  await rm(ip.imgGz, { force: true });
  await rm(trash, { recursive: true, force: true });
}

/** `image copy SRC DST` (§1.5): a copy of the rootfs under a new name; refuses if DST exists. */
export async function copyImage(paths: Paths, src: string, dst: string, signal?: AbortSignal): Promise<void> {
  const from = await requireImage(paths, src);
  checkImageName(dst);
  if (await imageExists(paths, dst)) throw new WwError('WW_ERR_IMAGE_EXISTS', `image already exists: ${dst}`);
  const staging = await makeStaging(paths, 'copy', dst);
  try {
    await copyTree(from.rootfs, join(staging, 'rootfs'), signal);
    if (await imageExists(paths, dst)) throw new WwError('WW_ERR_IMAGE_EXISTS', `image already exists: ${dst}`);
    await commitStaging(paths, staging, dst);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

export interface RenameResult {
  /** Nodes and profiles whose `image name` was rewritten. */
  nodes: string[];
  profiles: string[];
}

/**
 * `image rename SRC DST` (§1.5): the chroot directory renamed, the old built
 * files removed, and every node and profile naming SRC rewritten to DST in
 * nodes.conf under its lock (legacy `container name` keys become today's).
 */
export async function renameImage(paths: Paths, src: string, dst: string): Promise<RenameResult> {
  const from = await requireImage(paths, src);
  const to = imagePaths(paths, dst);
  await checkNotBusy(from);
  if (await imageExists(paths, dst)) throw new WwError('WW_ERR_IMAGE_EXISTS', `image already exists: ${dst}`);
  try {
    await lstat(to.dir);
    throw new WwError('WW_ERR_IMAGE_EXISTS', `${to.dir} already exists`);
  } catch (err) {
    if (err instanceof WwError) throw err;
  }
  await rename(from.dir, to.dir);
  await rm(from.img, { force: true });
  await rm(from.imgGz, { force: true });
  const { result } = await updateNodesConf(
    paths.nodesConf,
    (doc) => {
      const changed: RenameResult = { nodes: [], profiles: [] };
      for (const [kind, section] of [['node', doc.nodes], ['profile', doc.profiles]] as const) {
        for (const [id, raw] of Object.entries(section)) {
          const e = flattenEntity(raw, kind === 'node').get('ImageName');
          if (e && e.value === src) {
            applyEdit(raw, { op: 'set', ref: e.ref, value: dst });
            (kind === 'node' ? changed.nodes : changed.profiles).push(id);
          }
        }
      }
      return { result: changed, write: changed.nodes.length + changed.profiles.length > 0 };
    },
    { cacheDir: paths.nodesCacheDir },
  );
  return result;
}

/**
 * 4.3's `--setdefault` (container import/build): profile `default` boots
 * image `name` (written as today's `image name`, under the nodes.conf lock).
 */
export async function setDefaultProfileImage(paths: Paths, name: string): Promise<void> {
  checkImageName(name);
  const spec = FIELD_BY_NAME.get('ImageName');
  if (!spec) throw new Error('field table has no ImageName');
  await updateNodesConf(
    paths.nodesConf,
    (doc) => {
      const profile = (doc.profiles[DEFAULT_PROFILE] ??= newMapping());
      applyEdit(profile, { op: 'set', ref: { spec, keys: [] }, value: name });
      return { result: undefined, write: true };
    },
    { cacheDir: paths.nodesCacheDir },
  );
}
