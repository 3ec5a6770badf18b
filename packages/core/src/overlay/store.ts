/**
 * The overlay store (§5.1): site overlays (`paths.wwoverlaydir`) shadow
 * distribution overlays (`<datadir>/warewulf/overlays`, falling back to the
 * ones shipped in the repository). An overlay's files live in
 * `<dir>/rootfs` (today's layout) or directly in `<dir>` (4.3's). Any change
 * to a distribution overlay first clones it to the site directory, so the
 * shipped files are never edited and an upgrade never overwrites a site's.
 */
import { constants } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import type { Paths } from '../config/paths.js';
import { SHIPPED_OVERLAYS_DIR } from '../shipped.js';

/** Upstream's rule for overlay names (§5.1); `.` and `..` are never names. */
const NAME_RE = /^[a-zA-Z0-9\-._:]+$/;

export function checkOverlayName(name: string): void {
  if (!NAME_RE.test(name) || name === '.' || name === '..') {
    throw new WwError('WW_ERR_INVALID_NAME', `invalid overlay name ${JSON.stringify(name)}: use letters, digits, "-", ".", "_" and ":"`);
  }
}

export interface OverlayInfo {
  readonly name: string;
  /** A site overlay (else a distribution one). */
  readonly site: boolean;
  /** The overlay's directory. */
  readonly dir: string;
  /** Where its files are: `<dir>/rootfs`, or `<dir>` for the 4.3 layout. */
  readonly root: string;
}

export interface OverlayEntry {
  /** Relative to the overlay root, `/`-separated (`etc/hosts.ww`). */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
  /** Permission bits (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return false;
    throw err;
  }
}

/** `<dir>/rootfs` when it is a directory, else `<dir>` (4.3 layout). */
export async function overlayRootOf(dir: string): Promise<string> {
  return (await isDir(join(dir, 'rootfs'))) ? join(dir, 'rootfs') : dir;
}

/**
 * A path inside an overlay, `/`-separated and relative (a leading `/` is
 * allowed, as admins write `/etc/hosts`). Throws WW_ERR_PATH_ESCAPE for `..`
 * or anything that would leave the overlay.
 */
export function overlayRelPath(file: string): string {
  const norm = posix.normalize(`/${file}`).slice(1);
  if (file.includes('\0') || norm.split('/').includes('..')) {
    throw new WwError('WW_ERR_PATH_ESCAPE', `path ${JSON.stringify(file)} leaves the overlay`);
  }
  return norm.replace(/\/$/, '');
}

export class OverlayStore {
  /**
   * @param siteDir site overlays (`paths.wwoverlaydir`)
   * @param distDirs distribution overlay directories, first match wins (installed, then shipped)
   */
  constructor(
    readonly siteDir: string,
    readonly distDirs: readonly string[],
  ) {}

  /** The store of a configuration: site overlays, then `<datadir>/warewulf/overlays`, then the shipped ones. */
  static fromPaths(paths: Pick<Paths, 'wwoverlaydir' | 'distOverlayDir'>): OverlayStore {
    return new OverlayStore(paths.wwoverlaydir, [paths.distOverlayDir, SHIPPED_OVERLAYS_DIR]);
  }

  private async siteInfo(name: string): Promise<OverlayInfo | undefined> {
    const dir = join(this.siteDir, name);
    return (await isDir(dir)) ? { name, site: true, dir, root: await overlayRootOf(dir) } : undefined;
  }

  private async distInfo(name: string): Promise<OverlayInfo | undefined> {
    for (const d of this.distDirs) {
      const dir = join(d, name);
      if (await isDir(dir)) return { name, site: false, dir, root: await overlayRootOf(dir) };
    }
    return undefined;
  }

  /** The overlay of this name (site first); undefined when there is none. Throws on a bad name. */
  async get(name: string): Promise<OverlayInfo | undefined> {
    checkOverlayName(name);
    return (await this.siteInfo(name)) ?? (await this.distInfo(name));
  }

  /** As get(); WW_ERR_OVERLAY_NOT_FOUND (`overlay does not exist: NAME`) when there is none. */
  async find(name: string): Promise<OverlayInfo> {
    const o = await this.get(name);
    if (o === undefined) throw new WwError('WW_ERR_OVERLAY_NOT_FOUND', `overlay does not exist: ${name}`);
    return o;
  }

  /** The distribution overlay a site overlay shadows, if any. */
  async shadowed(name: string): Promise<OverlayInfo | undefined> {
    return this.distInfo(name);
  }

  /** Every overlay: distribution names (sorted), then site-only names (sorted); hidden directories skipped (§1.7). */
  async list(): Promise<OverlayInfo[]> {
    const names = async (dir: string) => {
      try {
        return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.') && NAME_RE.test(e.name)).map((e) => e.name);
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) return [];
        throw err;
      }
    };
    const dist = new Set<string>();
    for (const d of this.distDirs) for (const n of await names(d)) dist.add(n);
    const site = (await names(this.siteDir)).filter((n) => !dist.has(n)).sort();
    const out: OverlayInfo[] = [];
    for (const n of [...[...dist].sort(), ...site]) out.push((await this.get(n)) as OverlayInfo);
    return out;
  }

  /**
   * The site copy of an overlay, made first when only a distribution one
   * exists (every mutation goes through here, §5.1). Modes and owners are
   * kept (`cp -a`), and the copy lands under a temporary name first.
   */
  async ensureSite(name: string): Promise<OverlayInfo> {
    const o = await this.find(name);
    if (o.site) return o;
    const dest = join(this.siteDir, name);
    const tmp = join(this.siteDir, `.${name}.clone-${process.pid}`);
    await mkdir(this.siteDir, { recursive: true });
    await rm(tmp, { recursive: true, force: true });
    await cp(o.dir, tmp, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, mode: constants.COPYFILE_FICLONE });
    await copyOwners(o.dir, tmp);
    await rename(tmp, dest);
    return { name, site: true, dir: dest, root: await overlayRootOf(dest) };
  }

  /** `overlay create NAME`: `<site>/<NAME>/rootfs` (0755). */
  async create(name: string): Promise<OverlayInfo> {
    checkOverlayName(name);
    if (await this.siteInfo(name)) throw new WwError('WW_ERR_OVERLAY_EXISTS', `overlay already exists: ${name}`);
    const dir = join(this.siteDir, name);
    await mkdir(join(dir, 'rootfs'), { recursive: true, mode: 0o755 });
    await chmod(join(dir, 'rootfs'), 0o755);
    return { name, site: true, dir, root: join(dir, 'rootfs') };
  }

  /** `overlay delete NAME` (no FILE): site overlays only; without force it must be empty. */
  async delete(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const o = await this.find(name);
    if (!o.site) throw new WwError('WW_ERR_OVERLAY_PROTECTED', `cannot delete a distribution overlay: ${name}`);
    if (opts.force) {
      await rm(o.dir, { recursive: true, force: true });
      return;
    }
    try {
      if (o.root !== o.dir) await rmdir(o.root);
      await rmdir(o.dir);
    } catch (err) {
      if (isErrnoCode(err, 'ENOTEMPTY') || isErrnoCode(err, 'EEXIST')) {
        throw new WwError('WW_ERR_USAGE', `overlay ${name} is not empty; use --force to delete it with its files`);
      }
      throw err;
    }
  }

  /** The host path of FILE inside the overlay (never outside it). */
  pathOf(o: OverlayInfo, file: string): string {
    const rel = overlayRelPath(file);
    return rel === '' ? o.root : join(o.root, rel);
  }

  /**
   * Every entry below the overlay root, in lexical order, directories
   * before their contents. Symlinks are not followed.
   */
  async walk(o: OverlayInfo): Promise<OverlayEntry[]> {
    const out: OverlayEntry[] = [];
    const visit = async (rel: string): Promise<void> => {
      const names = (await readdir(rel === '' ? o.root : join(o.root, rel))).sort();
      for (const n of names) {
        const p = rel === '' ? n : `${rel}/${n}`;
        const st = await lstat(join(o.root, p));
        const type = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
        out.push({ path: p, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
        if (type === 'directory') await visit(p);
      }
    };
    await visit('');
    return out;
  }
}

/** `cp` keeps modes but not owners: copy uid/gid entry by entry (as root; others keep their own). */
async function copyOwners(src: string, dest: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const st = await lstat(src);
  await chown(dest, st.uid, st.gid).catch(() => undefined);
  if (st.isDirectory()) for (const n of await readdir(src)) await copyOwners(join(src, n), join(dest, n));
}

/** Make sure FILE's parent directory exists in the overlay (`--parents`), or say how to get it. */
export async function ensureParent(path: string, parents: boolean, shown: string): Promise<void> {
  const dir = dirname(path);
  if (await isDir(dir)) return;
  if (!parents) throw new WwError('WW_ERR_USAGE', `${posix.dirname(shown)} does not exist. Use '--parents' option to create automatically`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
}
