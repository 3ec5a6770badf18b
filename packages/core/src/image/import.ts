/**
 * `image import SOURCE [NAME]` (§1.5, §6.1): from a registry, an
 * oci-archive or docker-archive, or a chroot directory, into
 * `<wwchrootdir>/<name>/rootfs`, atomically (a staging directory renamed into
 * place when complete; nothing is left on failure or interruption). Then the
 * host's resolv.conf is copied in, and on request syncuser and a build.
 */
import { copyFile, lstat, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BlobStore,
  defaultImageName,
  parseImageReference,
  parsePlatform,
  pullImage,
  readImageArchive,
  unpackImage,
  type Credentials,
  type ProgressEvent,
  type ResolvedImage,
} from '@warewulf/oci';
import type { Env, Paths } from '../config/paths.js';
import { WwError, isErrnoCode } from '../errors.js';
import type { Logger } from '../log.js';
import { buildImage, type BuildResult } from './build.js';
import { imageError } from './errors.js';
import { defaultKernel, findKernels } from './kernels.js';
import { checkImageName, imagePaths } from './names.js';
import { measureTree, writeState } from './state.js';
import { checkNotBusy, commitStaging, copyTree, imageExists, makeStaging } from './store.js';
import { syncUser, type SyncUserResult } from './syncuser.js';

export interface ImportOptions {
  /** Image name; default: the last path element of SOURCE (logged as `Setting image name: X`). */
  name?: string | undefined;
  /** Replace an existing image of that name. */
  force?: boolean | undefined;
  /** Unpack over the existing image. */
  update?: boolean | undefined;
  /** Run syncuser (write) after the import. */
  syncuser?: boolean | undefined;
  /** Build after the import (forced). */
  build?: boolean | undefined;
  /** `--nohttps` (else env WAREWULF_OCI_NOHTTPS). */
  nohttps?: boolean | undefined;
  /** `--username`/`--password` (else env WAREWULF_OCI_USERNAME/WAREWULF_OCI_PASSWORD; both or neither). */
  username?: string | undefined;
  password?: string | undefined;
  /** `--platform` (else env WAREWULF_OCI_PLATFORM; default the host's). */
  platform?: string | undefined;
  /** For the WAREWULF_OCI_* variables. */
  env: Env;
  /** Relative paths are taken from here (default process.cwd()). */
  cwd?: string | undefined;
  log: Logger;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
}

export interface ImportResult {
  name: string;
  kind: 'registry' | 'archive' | 'directory';
  /** Upstream's image id (sha256 of the manifest), for OCI sources. */
  id: string | undefined;
  /** Wall times in ms: getting blobs into the cache, and unpacking them (or copying a directory). */
  transferMs: number;
  applyMs: number;
  kernel: string | undefined;
  syncuser: SyncUserResult | undefined;
  build: BuildResult | undefined;
}

/** WAREWULF_OCI_NOHTTPS and friends: Go's strconv.ParseBool words. */
function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new WwError('WW_ERR_INVALID_VALUE', `WAREWULF_OCI_NOHTTPS: not a boolean: ${JSON.stringify(v)}`);
}

/** Credentials from flags, else the environment (§6.1): both or neither. */
export function ociCredentials(opts: Pick<ImportOptions, 'username' | 'password' | 'env'>): Credentials | undefined {
  if (opts.username !== undefined || opts.password !== undefined) {
    if (!opts.username || opts.password === undefined) {
      throw new WwError('WW_ERR_USAGE', 'oci username and password must be specified together');
    }
    return { username: opts.username, password: opts.password };
  }
  const u = opts.env['WAREWULF_OCI_USERNAME'];
  const p = opts.env['WAREWULF_OCI_PASSWORD'];
  if ((u ?? '') === '' && (p ?? '') === '') return undefined;
  if ((u ?? '') === '' || p === undefined) throw new WwError('WW_ERR_USAGE', 'oci username and password env vars must be specified together');
  return { username: u!, password: p };
}

/** The blob cache under `<cachedir>/warewulf/oci`. */
export function blobStore(paths: Paths): BlobStore {
  return new BlobStore(join(paths.ociCacheDir, 'oci'));
}

/**
 * Import SOURCE. Throws WwError: WW_ERR_INVALID_NAME, WW_ERR_IMAGE_EXISTS
 * (`image name exists, specify --force, --update, or choose a different
 * name: X`), WW_ERR_IMAGE_SOURCE (`invalid dir or uri: SOURCE`, bad
 * references, archives, manifests, platforms), WW_ERR_IMAGE_AUTH,
 * WW_ERR_IMAGE_NETWORK, WW_ERR_IMAGE_DIGEST, WW_ERR_PATH_ESCAPE (a layer
 * entry escaping the root, named), WW_ERR_IMAGE_LAYER, WW_ERR_ABORTED.
 */
export async function importImage(paths: Paths, source: string, opts: ImportOptions): Promise<ImportResult> {
  const log = opts.log;
  let name = opts.name;
  if (name === undefined || name === '') {
    name = defaultImageName(source);
    log.info(`Setting image name: ${name}`);
  }
  checkImageName(name);
  const ip = imagePaths(paths, name);
  const exists = await imageExists(paths, name);
  let update = opts.update === true;
  if (opts.force && update) {
    log.warn('both --force and --update given: --update is ignored');
    update = false;
  }
  if (exists && !opts.force && !update) {
    throw new WwError('WW_ERR_IMAGE_EXISTS', `image name exists, specify --force, --update, or choose a different name: ${name}`);
  }
  if (exists) await checkNotBusy(ip);

  const staging = await makeStaging(paths, 'import', name);
  const rootfs = join(staging, 'rootfs');
  const result: ImportResult = { name, kind: 'archive', id: undefined, transferMs: 0, applyMs: 0, kernel: undefined, syncuser: undefined, build: undefined };
  try {
    if (update && exists) await copyTree(ip.rootfs, rootfs, opts.signal);
    else await mkdir(rootfs, { mode: 0o755 });

    const ref = (() => {
      try {
        return parseImageReference(source, opts.cwd);
      } catch (err) {
        throw imageError(err);
      }
    })();
    let isDir = false;
    if (ref.kind === 'path') {
      const st = await stat(ref.path).catch(() => undefined);
      if (!st) throw new WwError('WW_ERR_IMAGE_SOURCE', `invalid dir or uri: ${source}`);
      isDir = st.isDirectory();
    }
    if (isDir && ref.kind === 'path') {
      result.kind = 'directory';
      await lstat(join(ref.path, 'bin', 'sh')).catch(() => {
        throw new WwError('WW_ERR_IMAGE_SOURCE', `Source directory has no /bin/sh: ${ref.path}`);
      });
      const t0 = Date.now();
      if (update && exists) await copyTree(`${ref.path}/.`, rootfs, opts.signal);
      else {
        await rm(rootfs, { recursive: true, force: true });
        await copyTree(ref.path, rootfs, opts.signal);
      }
      result.applyMs = Date.now() - t0;
    } else {
      const store = blobStore(paths);
      const platform = parsePlatform(opts.platform ?? opts.env['WAREWULF_OCI_PLATFORM']);
      const t0 = Date.now();
      let image: ResolvedImage;
      try {
        if (ref.kind === 'registry') {
          result.kind = 'registry';
          image = await pullImage(ref, store, {
            platform,
            credentials: ociCredentials(opts),
            insecure: opts.nohttps ?? envBool(opts.env['WAREWULF_OCI_NOHTTPS']) ?? false,
            signal: opts.signal,
            onProgress: opts.onProgress,
            debug: (m) => log.debug(m),
          });
        } else {
          image = await readImageArchive(ref.path, store, {
            platform,
            ref: ref.kind === 'path' ? undefined : ref.ref,
            kind: ref.kind === 'path' ? undefined : ref.kind,
            signal: opts.signal,
            onProgress: opts.onProgress,
          });
        }
        result.id = image.id;
        result.transferMs = Date.now() - t0;
        const t1 = Date.now();
        const warned = new Set<string>();
        await unpackImage(image, store, rootfs, {
          signal: opts.signal,
          onProgress: opts.onProgress,
          onWarning: (w) => {
            // one line per kind of problem, the first entry named: an image without root gives thousands
            if (warned.has(w.code)) return log.debug(`${w.entry}: ${w.message}`);
            warned.add(w.code);
            log.warn(`${w.entry}: ${w.message}`);
          },
        });
        result.applyMs = Date.now() - t1;
      } catch (err) {
        throw imageError(err, `importing ${source}`);
      }
    }
    await copyResolvConf(paths, rootfs, log);
    const m = await measureTree(rootfs);
    if (opts.signal?.aborted) throw new WwError('WW_ERR_ABORTED', `importing ${source}: interrupted`);
    const now = new Date().toISOString();
    await writeState(join(staging, 'warewulf-ts.state.json'), {
      rootfs: { ...m, measuredAt: now },
      import: { source, ...(result.id ? { id: result.id } : {}), importedAt: now },
    });
    await commitStaging(paths, staging, name);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }

  const k = defaultKernel(await findKernels(ip.rootfs));
  result.kernel = k?.path;
  if (k) log.verbose(`Found kernel ${k.path} (version ${k.version ?? 'unknown'}) in image ${name}`);
  else log.verbose(`No kernel found in image ${name}`);
  if (opts.syncuser) result.syncuser = await syncUser(paths, name, { write: true, log });
  if (opts.build) result.build = await buildImage(paths, name, { force: true, log, ...(opts.signal ? { signal: opts.signal } : {}) });
  return result;
}

/**
 * The host's resolv.conf (`<sysconfdir>/resolv.conf`) into the image's
 * /etc, so DNS works in `image exec`. A symlink there (systemd-resolved's
 * stub) is the image's own choice and is left alone; failures are warnings.
 */
async function copyResolvConf(paths: Paths, rootfs: string, log: Logger): Promise<void> {
  const src = join(paths.sysconfdir, 'resolv.conf');
  const etc = join(rootfs, 'etc');
  const dest = join(etc, 'resolv.conf');
  try {
    const etcSt = await lstat(etc).catch(() => undefined);
    if (!etcSt?.isDirectory()) {
      log.verbose('image has no /etc directory: resolv.conf not copied');
      return;
    }
    const cur = await lstat(dest).catch(() => undefined);
    if (cur?.isSymbolicLink()) {
      log.verbose(`image's /etc/resolv.conf is a symlink: kept`);
      return;
    }
    const have = await readFile(src).catch((err: unknown) => {
      // a relocated tree (WAREWULF_ROOT) without its own resolv.conf is normal: no warning on every import
      if (isErrnoCode(err, 'ENOENT')) return undefined;
      throw err;
    });
    if (have === undefined) {
      log.verbose(`no ${src}: resolv.conf not copied into the image`);
      return;
    }
    await rm(dest, { force: true });
    await copyFile(src, dest);
  } catch (err) {
    log.warn(`could not copy ${src} into the image: ${(err as Error).message}`);
  }
}
