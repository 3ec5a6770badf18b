/**
 * One file of an overlay (§1.7, §4.10): read it (confined to the overlay:
 * a symlink that leads outside is refused, so a remote client can never
 * read the server's files through one), render it for a node (§5.7),
 * write it, delete it. Writes go to the site copy (a distribution overlay
 * is cloned first, §5.1) and never through a symlinked directory.
 */
import { lstat, mkdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Logger } from '../log.js';
import type { NodeDb } from '../node/nodedb.js';
import type { Paths } from '../config/paths.js';
import type { WarewulfConf } from '../config/types.js';
import { decodeGoString } from '@warewulf/gotemplate';
import { defaultKernelVersions } from '../image/kernels.js';
import { renderPreview } from './build/preview.js';
import { realpathInRoot } from './safe-path.js';
import { showRenderText } from './show.js';
import { overlayRelPath, type OverlayInfo, type OverlayStore } from './store.js';

export interface OverlayFileView {
  overlay: string;
  /** Relative to the overlay root (`etc/hosts.ww`). */
  path: string;
  contents: string;
  /** Permission bits in octal (`0644`). */
  perms: string;
  uid: number;
  gid: number;
}

/** What rendering a template for a node needs (§5.3). */
export interface RenderContext {
  conf: WarewulfConf;
  paths: Paths;
  db: NodeDb;
  hostname: string;
  log?: Logger;
  /** An image's default kernel version (§6.3); default: looked up in the image of the node rendered for. */
  kernelVersion?: (image: string) => string | undefined;
}

const missing = (file: string, name: string) => new WwError('WW_ERR_NOT_FOUND', `file ${file} does not exist in overlay ${name}`);

/** The host path of FILE, resolved inside the overlay root (symlinks followed, never out of it). */
function resolveIn(o: OverlayInfo, file: string): string | undefined {
  const rel = overlayRelPath(file);
  try {
    const inRoot = realpathInRoot(o.root, rel);
    return inRoot === '/' ? o.root : join(o.root, inRoot);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

/**
 * Read FILE of overlay NAME; with `render`, FILE (or FILE.ww) is rendered as
 * a template for node `render.node` (an unknown node renders for the
 * server, as `overlay show --render`). Throws WW_ERR_OVERLAY_NOT_FOUND,
 * WW_ERR_NOT_FOUND (no such file, or a directory), WW_ERR_PATH_ESCAPE,
 * WW_ERR_TEMPLATE.
 */
export async function readOverlayFile(store: OverlayStore, name: string, file: string, render?: RenderContext & { node: string }): Promise<OverlayFileView> {
  const o = await store.find(name);
  let rel = overlayRelPath(file);
  let host = resolveIn(o, rel);
  if (render !== undefined && host === undefined && !rel.endsWith('.ww')) {
    // a template may be named without its .ww (§5.7)
    host = resolveIn(o, `${rel}.ww`);
    if (host !== undefined) rel += '.ww';
  }
  const st = host === undefined ? undefined : await stat(host);
  if (host === undefined || st === undefined || !st.isFile()) throw missing(file, name);
  let contents: string;
  if (render === undefined) contents = await readFile(host, 'utf8');
  else {
    // rendered as `overlay build` would render it (§5.3: a node without kernel.version gets its image's default kernel)
    const image = String(render.db.get(render.node)?.fields.get('ImageName')?.value ?? '');
    const kernelVersion = render.kernelVersion ?? (await defaultKernelVersions(render.paths, image === '' ? [] : [image]));
    const ctx = { conf: render.conf, paths: render.paths, hostname: render.hostname, db: render.db, kernelVersion, ...(render.log ? { log: render.log } : {}) };
    contents = showRenderText(renderPreview(ctx, { overlay: name, path: rel, source: host }, decodeGoString(await readFile(host)), render.node), { quiet: true });
  }
  return { overlay: name, path: rel, contents, perms: `0${(st.mode & 0o7777).toString(8).padStart(3, '0')}`, uid: st.uid, gid: st.gid };
}

/**
 * Write FILE of overlay NAME (created with mode 0644 and its parent
 * directories 0755; an existing file keeps its mode). With `exclusive`, an
 * existing file is WW_ERR_BAD_REQUEST (`If-None-Match: *`).
 */
export async function writeOverlayFile(store: OverlayStore, name: string, file: string, content: string, opts: { exclusive?: boolean } = {}): Promise<OverlayFileView> {
  await store.find(name);
  const o = await store.ensureSite(name);
  const path = await store.pathForWrite(o, file);
  if (path === o.root) throw new WwError('WW_ERR_USAGE', 'give a file inside the overlay');
  const st = await lstat(path).catch((err: unknown) => {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw err;
  });
  if (st !== undefined && opts.exclusive) throw new WwError('WW_ERR_BAD_REQUEST', `file ${file} already exists in overlay ${name} (If-None-Match: *)`);
  if (st?.isDirectory()) throw new WwError('WW_ERR_USAGE', `${file} is a directory in overlay ${name}`);
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await writeFileAtomic(path, content, st?.isFile() ? st.mode & 0o7777 : 0o644);
  return readOverlayFile(store, name, file);
}

/**
 * Delete FILE of overlay NAME (`overlay delete NAME FILE`): a directory only
 * when empty unless `force`; with `parents`, the directories it leaves empty
 * go too. Throws WW_ERR_NOT_FOUND when there is no such file.
 */
export async function deleteOverlayFile(store: OverlayStore, name: string, file: string, opts: { force?: boolean; parents?: boolean } = {}): Promise<void> {
  const before = await store.find(name);
  try {
    await lstat(store.pathOf(before, file));
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) throw missing(file, name);
    throw err;
  }
  const o = await store.ensureSite(name);
  const path = await store.pathForWrite(o, file);
  if (path === o.root) throw new WwError('WW_ERR_USAGE', 'give a file inside the overlay, or no file to delete the overlay');
  const st = await lstat(path);
  if (st.isDirectory() && !opts.force) {
    await rmdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTEMPTY') throw new WwError('WW_ERR_USAGE', `directory ${file} is not empty; use --force`);
      throw err;
    });
  } else {
    await rm(path, { recursive: true, force: false });
  }
  if (opts.parents) {
    for (let d = dirname(path); d.startsWith(`${o.root}/`); d = dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        break; // not empty: stop there
      }
    }
  }
}
