/**
 * `wwctl clean` (§1.10): remove what the server can rebuild and no longer
 * needs: the OCI blob cache (`<cachedir>/warewulf`) and the built overlay
 * images of nodes that are gone (every directory under
 * `<provision>/overlays/` whose name is not a current node).
 *
 * The overlay builder keeps its own state in the same directory, in
 * dot-names (`.ww-overlay-index.json`, `.ww-overlay-stamp.json`,
 * `.ww-shared/`); no node name starts with a dot, so dot-names are never
 * touched. The index may keep records of removed nodes: the builder
 * trusts a record only while the node's directory exists, so a node added
 * again under the same name is rebuilt.
 *
 * Nothing here follows a symbolic link: a link in the overlays directory
 * is left alone (it is not a directory of ours), and removal of a directory
 * never descends through links inside it.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import type { Logger } from '../log.js';

export interface CleanOptions {
  /** `<cachedir>/warewulf` (Paths.ociCacheDir). */
  readonly ociCacheDir: string;
  /** `<provision>/overlays` (Paths.provisionOverlaysDir). */
  readonly provisionOverlaysDir: string;
  /** The nodes of nodes.conf now. */
  readonly nodes: ReadonlySet<string>;
  readonly log: Logger;
}

export interface CleanResult {
  /** Whether the OCI cache existed (and was removed). */
  readonly ociCache: boolean;
  /** Node names whose overlay directories were removed, sorted. */
  readonly overlayDirs: readonly string[];
  /** Entries of the overlays directory left alone because they are symbolic links. */
  readonly skippedLinks: readonly string[];
}

function ioError(path: string, err: unknown): WwError {
  return new WwError('WW_ERR_IO', `${path}: ${(err as Error).message}`, { cause: err });
}

/** Remove the OCI cache. A symlinked cache dir loses the link, never the target's content. */
async function cleanOciCache(o: CleanOptions): Promise<boolean> {
  try {
    await lstat(o.ociCacheDir);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return false;
    throw ioError(o.ociCacheDir, err);
  }
  o.log.verbose(`removing the OCI cache: ${o.ociCacheDir}`);
  await rm(o.ociCacheDir, { recursive: true, force: true }).catch((err: unknown) => { throw ioError(o.ociCacheDir, err); });
  return true;
}

/**
 * Clean the OCI cache and the overlay directories of removed nodes (§1.10).
 * Throws WW_ERR_IO naming the path that could not be read or removed.
 */
export async function cleanProvision(o: CleanOptions): Promise<CleanResult> {
  const ociCache = await cleanOciCache(o);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(o.provisionOverlaysDir, { withFileTypes: true });
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return { ociCache, overlayDirs: [], skippedLinks: [] };
    throw ioError(o.provisionOverlaysDir, err);
  }
  const overlayDirs: string[] = [];
  const skippedLinks: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.') || o.nodes.has(e.name)) continue; // the builder's state, or a live node
    if (e.isSymbolicLink()) {
      skippedLinks.push(e.name);
      o.log.verbose(`leaving symbolic link alone: ${join(o.provisionOverlaysDir, e.name)}`);
      continue;
    }
    if (!e.isDirectory()) continue;
    const dir = join(o.provisionOverlaysDir, e.name);
    o.log.verbose(`removing overlays of deleted node: ${e.name}`);
    // rm(recursive) lstat()s each entry: links inside are removed as links, never followed
    await rm(dir, { recursive: true, force: true }).catch((err: unknown) => { throw ioError(dir, err); });
    overlayDirs.push(e.name);
  }
  return { ociCache, overlayDirs, skippedLinks };
}
