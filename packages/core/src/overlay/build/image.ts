/**
 * One node's overlay image (§5.2): the overlays of a list merged in order
 * (later ones replace earlier ones' files), templates rendered for the node,
 * packed as a newc cpio (`__SYSTEM__.img`) and its gzip (`.img.gz`), both
 * written atomically into the node's directory of the provision tree.
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeArchiveSync, type CpioEntryInput, type WriteOptions } from '@warewulf/cpio';
import type { MergedNode } from '../../node/merge.js';
import type { NodeData, TemplateBuild } from '../template-data.js';
import type { CompiledTemplate, RenderResult } from '../compile.js';
import type { OverlayCompiler } from './compiler.js';

export type OverlayKind = 'system' | 'runtime';

/** `__SYSTEM__` / `__RUNTIME__` (§5.2's naming with a context). */
export function imageBaseName(kind: OverlayKind): string {
  return `__${kind.toUpperCase()}__.img`;
}

/** `<provisionOverlaysDir>/<node>/__SYSTEM__.img` (the `.gz` beside it). */
export function overlayImagePath(provisionOverlaysDir: string, node: string, kind: OverlayKind): string {
  return join(provisionOverlaysDir, node, imageBaseName(kind));
}

export interface RenderedImage {
  /** The node's own entries (directories, files, symlinks and its own rendered files). */
  readonly entries: readonly CpioEntryInput[];
  /**
   * Files rendered by node-independent templates (hosts, exports...): the same
   * for every node of the build, archived and compressed once (see packImage).
   * `key` names them so images with the same shared files share one part.
   */
  readonly shared: { readonly key: string; readonly entries: readonly CpioEntryInput[] };
  /** Server and image files the templates read (host paths). */
  readonly reads: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Render a node's overlay list into archive entries. Throws a
 * TemplateFileError (naming overlay, file, line and column) on a template
 * error, WW_ERR_OVERLAY_NOT_FOUND for an unknown overlay,
 * WW_ERR_OVERLAY_FILE for a socket or device in an overlay.
 */
export async function renderImage(
  compiler: OverlayCompiler,
  build: TemplateBuild,
  node: MergedNode,
  overlays: readonly string[],
  mtime = 0,
  /** Results of node-independent templates, shared by the nodes of one build (see CompiledOverlay.nodeIndependent). */
  sharedResults?: Map<CompiledTemplate, RenderResult>,
): Promise<RenderedImage> {
  const byPath = new Map<string, CpioEntryInput>();
  /** Paths whose entry came from a node-independent template, with the id of that output. */
  const sharedIds = new Map<string, string>();
  const reads = new Set<string>();
  const warnings: string[] = [];
  let data: NodeData | undefined;
  const put = (e: CpioEntryInput, sharedId?: string) => {
    byPath.set(e.path, e);
    if (sharedId === undefined) sharedIds.delete(e.path);
    else sharedIds.set(e.path, sharedId);
  };
  for (const name of overlays) {
    const ov = await compiler.overlay(name);
    for (const e of ov.entries) {
      const meta = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: Math.floor(e.mtimeMs / 1000) };
      if (e.type === 'directory') {
        put({ path: e.path, type: 'directory', ...meta });
      } else if (e.type === 'symlink') {
        put({ path: e.path, type: 'symlink', target: e.target ?? '', ...meta });
      } else if (e.type === 'file' && !e.path.endsWith('.ww')) {
        put({ path: e.path, type: 'file', data: ov.files.get(e.path) ?? Buffer.alloc(0), ...meta });
      } else if (e.type === 'file') {
        const t = ov.templates.get(e.path) as CompiledTemplate;
        const independent = sharedResults !== undefined && ov.nodeIndependent.has(e.path);
        let r = independent ? sharedResults.get(t) : undefined;
        if (r === undefined) {
          data ??= build.dataFor(node);
          r = t.render(data);
          if (independent) sharedResults.set(t, r);
        }
        for (const p of r.reads) reads.add(p);
        for (const w of r.warnings) warnings.push(`overlay ${name}: ${e.path}: ${w}`);
        r.slots.forEach((slot, i) => {
          // a rendered file is as recent as the build; it keeps the template's mode and owner (§5.6)
          const m = { ...meta, mtime };
          const entry: CpioEntryInput =
            slot.kind === 'symlink' ? { path: slot.path, type: 'symlink', target: slot.target ?? '', ...m } : { path: slot.path, type: 'file', data: slot.content, ...m };
          put(entry, independent ? `${name}/${e.path}#${i}` : undefined);
        });
      }
    }
  }
  const own: CpioEntryInput[] = [];
  const shared: CpioEntryInput[] = [];
  for (const [p, e] of byPath) (sharedIds.has(p) ? shared : own).push(e);
  // the shared part has no directories of its own: the node's part holds the parents of its files
  const dirs = new Set(own.filter((e) => e.type === 'directory').map((e) => e.path));
  for (const e of shared) {
    for (let i = e.path.lastIndexOf('/'); i > 0; i = e.path.lastIndexOf('/', i - 1)) {
      const d = e.path.slice(0, i);
      if (dirs.has(d)) break;
      dirs.add(d);
      own.push({ path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime });
    }
  }
  const key = [...sharedIds.values()].sort().join('\n');
  return { entries: own, shared: { key, entries: shared }, reads: [...reads].sort(), warnings };
}

function cpioOf(entries: readonly CpioEntryInput[], opts: WriteOptions): Buffer {
  return encodeArchiveSync(entries, opts);
}

/** Inode numbers of shared parts start here, above any node part's. */
const SHARED_FIRST_INODE = 1_000_000;

/**
 * The gzip-compressed newc archive of a rendered image. It is two gzip
 * members that read as one archive (`gzip -dc | cpio -it`, the kernel and
 * wwclient all see one stream): the node's own entries without a trailer,
 * then the shared files with the trailer. The shared member is made once
 * per build (`sharedParts`, by key) and reused for every node: at 10,000
 * nodes every image holds the same 560 KB /etc/hosts, and it is compressed
 * once instead of 20,000 times.
 */
export async function packImage(img: RenderedImage, sharedParts?: Map<string, Promise<Buffer>>, level = 6): Promise<Buffer[]> {
  if (img.shared.entries.length === 0) return [gzipSync(cpioOf(img.entries, {}), { level })];
  let part = sharedParts?.get(img.shared.key);
  if (part === undefined) {
    part = Promise.resolve(gzipSync(cpioOf(img.shared.entries, { parents: false, firstInode: SHARED_FIRST_INODE }), { level }));
    sharedParts?.set(img.shared.key, part);
  }
  // a node's own part is a few KB: a small window and state make zlib's setup (per call) cheap
  const own = gzipSync(cpioOf(img.entries, { trailer: false }), { level, windowBits: 13, memLevel: 6 });
  // two buffers, written with one writev: the shared part is never copied per node
  return [own, await part];
}

async function writeAtomic(path: string, data: readonly Buffer[]): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  // no fsync: a node's images are regenerated from their inputs at any time (a crash leaves the old file or a stray temp)
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writev([...data]);
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
}

/**
 * Write `<img>.gz`, replaced atomically; the node's directory is created
 * 0750. The uncompressed `<img>` upstream also keeps is not written (it
 * would be 20,000 copies of the same hosts file at 10,000 nodes):
 * warewulfd decompresses for a client that asks for the plain archive.
 */
export async function writeImage(path: string, gz: readonly Buffer[], dirs?: Set<string>): Promise<{ gzBytes: number }> {
  const dir = dirname(path);
  if (!dirs?.has(dir)) {
    // the provision tree exists (the build made it): one plain mkdir per node, not a recursive walk
    await mkdir(dir, { mode: 0o750 }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') await mkdir(dir, { recursive: true, mode: 0o750 });
      else if (err.code !== 'EEXIST') throw err;
    });
    dirs?.add(dir);
  }
  await writeAtomic(`${path}.gz`, gz);
  return { gzBytes: gz.reduce((n, b) => n + b.length, 0) };
}
