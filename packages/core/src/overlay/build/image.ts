/**
 * One node's overlay image (§5.2): the overlays of a list merged in order
 * (later ones replace earlier ones' files), templates rendered for the node,
 * packed as a newc cpio (`__SYSTEM__.img`) and its gzip (`.img.gz`), both
 * written atomically into the node's directory of the provision tree.
 */
import { closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeArchiveSync, type CpioEntryInput, type WriteOptions } from '@warewulf/cpio';
import { encodeGoString } from '@warewulf/gotemplate';
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

/** Results of node-independent templates: rendered once, then reused (by every node of a build, and across builds). */
export interface SharedRenders {
  get(overlay: string, path: string, t: CompiledTemplate): Promise<RenderResult | undefined>;
  set(overlay: string, path: string, t: CompiledTemplate, r: RenderResult): Promise<void>;
}

/** A template of an overlay list, in merge order, with the metadata its output gets. */
export interface TemplateStep {
  readonly overlay: string;
  readonly path: string;
  readonly template: CompiledTemplate;
  readonly meta: { readonly mode: number; readonly uid: number; readonly gid: number; readonly mtime: number };
  /** A node-independent template's result (the same for every node of the build). */
  readonly shared?: RenderResult;
}

export interface RenderedImage {
  /**
   * What is the same for every node whose list is the same: the overlays'
   * directories, files and symlinks, and the files of node-independent
   * templates (hosts, exports). Archived and compressed once per build
   * (see packImage); `key` tells which shared parts are equal.
   */
  readonly shared: { readonly key: string; readonly entries: readonly CpioEntryInput[] };
  /** The node's own rendered files (and parent directories the shared part lacks). */
  readonly entries: readonly CpioEntryInput[];
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
  /** Where the results of node-independent templates are kept for the other nodes (and builds) (see CompiledOverlay.nodeIndependent). */
  sharedResults?: SharedRenders,
  /**
   * For ListRenderer's plan of a list: every template is handed to this in
   * merge order (a node-independent one with its result), and the node's own
   * templates are neither rendered nor placed: the image is the list's shared part.
   */
  onTemplate?: (t: TemplateStep) => void,
): Promise<RenderedImage> {
  const byPath = new Map<string, CpioEntryInput>();
  /** For entries that are the same for every node: an id (`overlay:path`) naming their content. */
  const sharedId = new Map<string, string>();
  const reads = new Set<string>();
  const warnings: string[] = [];
  let data: NodeData | undefined;
  const put = (e: CpioEntryInput, id: string | undefined) => {
    byPath.set(e.path, e);
    if (id === undefined) sharedId.delete(e.path);
    else sharedId.set(e.path, id);
  };
  for (const name of overlays) {
    const ov = await compiler.overlay(name);
    for (const e of ov.entries) {
      const meta = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: Math.floor(e.mtimeMs / 1000) };
      const id = `${name}:${e.path}`;
      if (e.type === 'directory') {
        put({ path: e.path, type: 'directory', ...meta }, id);
      } else if (e.type === 'symlink') {
        put({ path: e.path, type: 'symlink', target: e.target ?? '', ...meta }, id);
      } else if (e.type === 'file' && !e.path.endsWith('.ww')) {
        put({ path: e.path, type: 'file', data: ov.files.get(e.path) ?? Buffer.alloc(0), ...meta }, id);
      } else if (e.type === 'file') {
        const t = ov.templates.get(e.path) as CompiledTemplate;
        const independent = sharedResults !== undefined && ov.nodeIndependent.has(e.path);
        if (onTemplate !== undefined && !independent) {
          onTemplate({ overlay: name, path: e.path, template: t, meta: { ...meta, mtime } });
          continue;
        }
        let r = independent ? await sharedResults.get(name, e.path, t) : undefined;
        if (r === undefined) {
          data ??= build.dataFor(node);
          r = t.render(data);
          if (independent) await sharedResults.set(name, e.path, t, r);
        }
        onTemplate?.({ overlay: name, path: e.path, template: t, meta: { ...meta, mtime }, shared: r });
        for (const p of r.reads) reads.add(p);
        for (const w of r.warnings) warnings.push(`overlay ${name}: ${e.path}: ${w}`);
        r.slots.forEach((slot, i) => {
          // a rendered file is as recent as the build; it keeps the template's mode and owner (§5.6)
          const m = { ...meta, mtime };
          const entry: CpioEntryInput =
            slot.kind === 'symlink' ? { path: slot.path, type: 'symlink', target: slot.target ?? '', ...m } : { path: slot.path, type: 'file', data: encodeGoString(slot.content), ...m };
          put(entry, independent ? `${name}/${e.path}#${i}` : undefined);
        });
      }
    }
  }
  const own: CpioEntryInput[] = [];
  const shared: CpioEntryInput[] = [];
  for (const [p, e] of byPath) (sharedId.has(p) ? shared : own).push(e);
  // the shared part comes first in the archive: each part holds the parent directories its files need that
  // nothing before them made (a rendered file may be written where no overlay has a directory)
  const dirs = new Set(shared.filter((e) => e.type === 'directory').map((e) => e.path));
  const parentsOf = (entries: readonly CpioEntryInput[]): CpioEntryInput[] => {
    const out: CpioEntryInput[] = [];
    for (const e of entries) {
      for (let i = e.path.lastIndexOf('/'); i > 0; i = e.path.lastIndexOf('/', i - 1)) {
        const d = e.path.slice(0, i);
        if (dirs.has(d)) break;
        dirs.add(d);
        out.push({ path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 });
      }
    }
    return out;
  };
  const sharedParents = parentsOf(shared);
  const ownParents = parentsOf(own);
  const key = [...sharedId.values()].sort().join('\n');
  return { shared: { key, entries: [...sharedParents, ...shared] }, entries: [...ownParents, ...own], reads: [...reads].sort(), warnings };
}

function cpioOf(entries: readonly CpioEntryInput[], opts: WriteOptions): Buffer {
  return encodeArchiveSync(entries, opts);
}

/** Inode numbers of the node's own part start here, above any shared part's. */
const OWN_FIRST_INODE = 1_000_000;

/**
 * The gzip-compressed newc archive of a rendered image: two gzip members
 * that read as one archive (`gzip -dc | cpio -it`, the kernel and wwclient
 * all see one stream). First the shared part (the overlays' files, the
 * node-independent templates' output; no trailer), made once per build and
 * reused by every node with the same list; then the node's own rendered
 * files with the trailer. At 10,000 nodes every image holds the same
 * 560 KB /etc/hosts and the same wwclient binary: they are compressed once,
 * not 20,000 times.
 */
export async function packImage(img: RenderedImage, sharedParts?: Map<string, Promise<Buffer>>, level = 6): Promise<Buffer[]> {
  if (img.shared.entries.length === 0) return [gzipSync(cpioOf(img.entries, {}), { level })];
  let part = sharedParts?.get(img.shared.key);
  if (part === undefined) {
    part = Promise.resolve(gzipSync(cpioOf(img.shared.entries, { parents: false, trailer: false }), { level }));
    sharedParts?.set(img.shared.key, part);
  }
  // a node's own part is a few KB: a small window and state make zlib's setup (per call) cheap
  const own = gzipSync(cpioOf(img.entries, { parents: false, firstInode: OWN_FIRST_INODE }), { level, windowBits: 13, memLevel: 6 });
  // two buffers, written with one writev: the shared part is never copied per node
  return [await part, own];
}

function writeAtomicSync(path: string, data: readonly Buffer[], dirMode: number): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  // no fsync: a node's images are regenerated from their inputs at any time (a crash leaves the old file or a stray temp)
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // the node's directory does not exist yet (its first build): made here rather than probed before every write
    mkdirSync(dirname(path), { recursive: true, mode: dirMode });
    fd = openSync(tmp, 'wx', 0o644);
  }
  try {
    const total = data.reduce((n, b) => n + b.length, 0);
    let done = writevSync(fd, data as Buffer[]);
    if (done < total) {
      // a short write (a full disk reports itself on the next call): the rest, from where it stopped
      const rest = Buffer.concat(data as Buffer[]).subarray(done);
      while (done < total) done += writeSync(fd, rest, done - (total - rest.length));
    }
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file is gone already
    }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/**
 * Write `<img>.gz`, replaced atomically; the node's directory is created
 * 0750. The uncompressed `<img>` upstream also keeps is not written (it
 * would be 20,000 copies of the same hosts file at 10,000 nodes):
 * warewulfd decompresses for a client that asks for the plain archive.
 *
 * Synchronous on purpose: an image is a few system calls on the page cache,
 * and a build runs in worker threads (or, for a few images, between two
 * synchronous renders): awaiting the libuv pool five times per image cost
 * more than the writes themselves (most of a loaded machine's build time).
 */
export function writeImage(path: string, gz: readonly Buffer[]): { gzBytes: number } {
  writeAtomicSync(`${path}.gz`, gz, 0o750);
  return { gzBytes: gz.reduce((n, b) => n + b.length, 0) };
}
