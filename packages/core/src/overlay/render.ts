/**
 * Rendering one overlay for one node and packing the result as the
 * compressed newc cpio a node boots (`__SYSTEM__.img.gz`). A first cut of
 * the overlay builder: `.ww` files are Go templates rendered with the node's
 * template data, other files and symlinks are carried as they are. The
 * Warewulf template functions (`file`, `softlink`, `abort`, `Include` ...)
 * come with the overlay work.
 */
import { lstat, mkdir, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeArchiveToFile, type CpioEntryInput, type PackResult } from '@warewulf/cpio';
import { basename } from 'node:path';
import { decodeGoString, encodeGoString } from '@warewulf/gotemplate';
import { WwError, isErrnoCode } from '../errors.js';
import { compileTemplate, type TemplateEnv } from './compile.js';
import type { NodeData } from './template-data.js';

export interface RenderedEntry {
  /** Relative to the overlay root, `/`-separated (`etc/issue`). */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  /**
   * Rendered text (templates; bytes that are not UTF-8 as decodeGoString escapes them,
   * packOverlay writes them back as they were) or the source file to copy (plain files).
   */
  data?: string;
  sourcePath?: string;
  target?: string;
}

/** An overlay's files live in `<dir>/rootfs` (today's layout) or directly in `<dir>` (4.3's, §0.1). */
export async function overlayRoot(dir: string): Promise<string> {
  try {
    if ((await stat(join(dir, 'rootfs'))).isDirectory()) return join(dir, 'rootfs');
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  try {
    if ((await stat(dir)).isDirectory()) return dir;
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  throw new WwError('WW_ERR_IO', `overlay not found: ${dir}`);
}

/**
 * Render every file of an overlay for one node's data (a simple serial
 * walk; the dependency-tracked builder is the overlay builder's). Template
 * errors are TemplateFileErrors naming overlay, file, line and column.
 */
export async function renderOverlay(dir: string, data: NodeData, opts: { env?: TemplateEnv; overlay?: string } = {}): Promise<RenderedEntry[]> {
  const env: TemplateEnv = opts.env ?? { confDir: '/etc/warewulf' };
  const overlay = opts.overlay ?? basename(dir);
  const root = await overlayRoot(dir);
  const out: RenderedEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const full = join(root, relPath);
      const st = await lstat(full);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      if (st.isSymbolicLink()) {
        out.push({ path: relPath, type: 'symlink', target: await readlink(full), ...base });
      } else if (st.isDirectory()) {
        out.push({ path: relPath, type: 'directory', ...base });
        await walk(relPath);
      } else if (st.isFile() && name.endsWith('.ww')) {
        const t = compileTemplate({ overlay, path: relPath, source: full }, decodeGoString(await readFile(full)), env);
        for (const slot of t.render(data).slots) {
          if (slot.kind === 'symlink') out.push({ path: slot.path, type: 'symlink', target: slot.target ?? '', ...base });
          else out.push({ path: slot.path, type: 'file', data: slot.content, ...base });
        }
      } else if (st.isFile()) {
        out.push({ path: relPath, type: 'file', sourcePath: full, ...base });
      }
    }
  };
  await walk('');
  return out;
}

/** Pack rendered entries as a gzip-compressed newc cpio, written atomically. */
export async function packOverlay(entries: readonly RenderedEntry[], outPath: string): Promise<PackResult> {
  const inputs: CpioEntryInput[] = entries.map((e) => {
    const common = { path: e.path, mode: e.mode, uid: e.uid, gid: e.gid };
    if (e.type === 'symlink') return { ...common, type: 'symlink', target: e.target ?? '' };
    if (e.type === 'directory') return { ...common, type: 'directory' };
    return e.sourcePath !== undefined ? { ...common, type: 'file', sourcePath: e.sourcePath } : { ...common, type: 'file', data: encodeGoString(e.data ?? '') };
  });
  await mkdir(dirname(outPath), { recursive: true });
  return writeArchiveToFile(inputs, outPath, { compression: 'gzip' });
}
