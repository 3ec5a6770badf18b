/**
 * The overlay store (§5.1): site overlays (`paths.wwoverlaydir`) shadow
 * distribution overlays (`<datadir>/warewulf/overlays`, falling back to the
 * ones shipped in the repository). An overlay's files live in
 * `<dir>/rootfs` (today's layout) or directly in `<dir>` (4.3's). Any change
 * to a distribution overlay first clones it to the site directory, so the
 * shipped files are never edited and an upgrade never overwrites a site's.
 */
import { constants } from 'node:fs';
import { chmod, cp, lchown, lstat, mkdir, readFile, readdir, readlink, rename, rm, rmdir, stat } from 'node:fs/promises';
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
  /** A symlink's target. */
  readonly target?: string;
  /** For 'other': what it is (a socket, a fifo, a character device, a block device). */
  readonly kind?: string;
}

function otherKind(st: import('node:fs').Stats): string {
  if (st.isSocket()) return 'socket';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

/**
 * Modes git cannot carry for the shipped overlays (`overlays/modes.txt`:
 * `PATH MODE` from overlays/), and their owner: shipped files are root's
 * whoever checked them out.
 */
async function shippedModes(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = await readFile(join(SHIPPED_OVERLAYS_DIR, 'modes.txt'), 'utf8');
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  for (const line of text.split('\n')) {
    const m = /^\s*([^#\s]\S*)\s+([0-7]{3,4})\s*$/.exec(line);
    if (m) out.set(m[1] as string, parseInt(m[2] as string, 8));
  }
  return out;
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
  // a `..` anywhere is refused rather than clamped: what it meant is not what it would do
  if (file.includes('\0') || file.split('/').includes('..')) {
    throw new WwError('WW_ERR_PATH_ESCAPE', `path ${JSON.stringify(file)} leaves the overlay`);
  }
  return norm.replace(/\/$/, '');
}

export class OverlayStore {
  private modes: Promise<Map<string, number>> | undefined;

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
    // cp keeps modes, not owners; and the shipped copy's real modes and owner come from walk()
    const root = join(tmp, o.root.slice(o.dir.length));
    const asRoot = process.getuid?.() === 0;
    for (const e of await this.walk(o)) {
      const p = join(root, e.path);
      if (e.type !== 'symlink') await chmod(p, e.mode);
      if (asRoot) await lchown(p, e.uid, e.gid);
    }
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
   * The host path of FILE for a change: inside the overlay, and reached
   * without going through a symlink (an overlay's `etc -> /etc` must not let
   * `overlay import` or `edit` write the server's files). The last
   * component may itself be a symlink (it is replaced, not followed).
   * Throws WW_ERR_PATH_ESCAPE.
   */
  async pathForWrite(o: OverlayInfo, file: string): Promise<string> {
    const rel = overlayRelPath(file);
    const parts = rel === '' ? [] : rel.split('/');
    let cur = o.root;
    for (const part of parts.slice(0, -1)) {
      cur = join(cur, part);
      try {
        if ((await lstat(cur)).isSymbolicLink()) {
          throw new WwError('WW_ERR_PATH_ESCAPE', `${file}: ${cur.slice(o.root.length + 1)} is a symlink in overlay ${o.name}; refusing to write through it`);
        }
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) break; // the rest does not exist yet: nothing to follow
        throw err;
      }
    }
    return rel === '' ? o.root : join(o.root, rel);
  }

  /**
   * Every entry below the overlay root, in lexical order, directories
   * before their contents. Symlinks are not followed.
   */
  async walk(o: OverlayInfo): Promise<OverlayEntry[]> {
    const out: OverlayEntry[] = [];
    // the repository's copy of a distribution overlay: root's files, with the modes git could not keep
    const shipped = !o.site && o.dir.startsWith(`${SHIPPED_OVERLAYS_DIR}/`);
    const modes = shipped ? (this.modes ??= shippedModes()) : undefined;
    const prefix = shipped ? `${o.root.slice(SHIPPED_OVERLAYS_DIR.length + 1)}/` : '';
    const visit = async (rel: string): Promise<void> => {
      const names = (await readdir(rel === '' ? o.root : join(o.root, rel))).sort();
      for (const n of names) {
        const p = rel === '' ? n : `${rel}/${n}`;
        const full = join(o.root, p);
        const st = await lstat(full);
        const type = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
        let mode = st.mode & 0o7777;
        if (modes) mode = (await modes).get(prefix + p) ?? mode;
        const e: OverlayEntry = {
          path: p, type, mode, uid: shipped ? 0 : st.uid, gid: shipped ? 0 : st.gid, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino,
          ...(type === 'symlink' ? { target: await readlink(full) } : {}),
          ...(type === 'other' ? { kind: otherKind(st) } : {}),
        };
        out.push(e);
        if (type === 'directory') await visit(p);
      }
    };
    await visit('');
    return out;
  }
}

/** Make sure FILE's parent directory exists in the overlay (`--parents`), or say how to get it. */
export async function ensureParent(path: string, parents: boolean, shown: string): Promise<void> {
  const dir = dirname(path);
  if (await isDir(dir)) return;
  if (!parents) throw new WwError('WW_ERR_USAGE', `${posix.dirname(shown)} does not exist. Use '--parents' option to create automatically`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
}
