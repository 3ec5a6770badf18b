/**
 * `wwctl overlay diff NODE`: what a rebuild would change in a node's
 * images, file by file: the images rendered now (in memory, nothing
 * written) against the built ones read back with the cpio reader.
 */
import { createReadStream } from 'node:fs';
import { readArchive, type CpioEntryInput } from '@warewulf/cpio';
import { isErrnoCode } from '../../errors.js';
import { OverlayStore } from '../store.js';
import type { BuildContext } from './build.js';
import { OverlayCompiler } from './compiler.js';
import { overlayImagePath, renderImage, type OverlayKind } from './image.js';
import { templateBuildOf, templateEnv } from './node-builder.js';
import { buildSettingsOf } from './preview.js';

/** Up to this size a file's content is kept for a text diff. */
const MAX_TEXT = 1024 * 1024;

interface FileState {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  target?: string;
  content?: Buffer;
  size: number;
}

export interface ImageFileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** What differs: `content`, `mode 0644 -> 0600`, `owner 0:0 -> 1000:1000`, `type file -> symlink`, `target a -> b`. */
  what: string[];
  /** Text content before and after, when both are UTF-8 text of reasonable size. */
  before?: string;
  after?: string;
}

export interface ImageDiff {
  kind: OverlayKind;
  /** The built image (`.img.gz`), or undefined when the node has none yet. */
  built: string | undefined;
  changes: ImageFileChange[];
}

function textOf(b: Buffer | undefined): string | undefined {
  if (b === undefined) return undefined;
  const t = b.toString('utf8');
  return t.includes('\uFFFD') || t.includes('\0') ? undefined : t;
}

const TYPE_NAME: Record<string, string> = { file: 'file', directory: 'directory', symlink: 'symlink' };

function stateOfInput(e: CpioEntryInput): FileState {
  const content = e.type === 'file' ? (typeof e.data === 'string' ? Buffer.from(e.data) : e.data instanceof Uint8Array ? Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength) : Buffer.alloc(0)) : undefined;
  return {
    type: TYPE_NAME[e.type] ?? e.type, mode: (e.mode ?? 0o644) & 0o7777, uid: e.uid ?? 0, gid: e.gid ?? 0, size: content?.length ?? 0,
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(content ? { content } : {}),
  };
}

async function builtState(path: string): Promise<Map<string, FileState> | undefined> {
  const out = new Map<string, FileState>();
  try {
    for await (const e of readArchive(createReadStream(path))) {
      let content: Buffer | undefined;
      if (e.type === 'file' && e.size <= MAX_TEXT) {
        const chunks: Buffer[] = [];
        for await (const c of e.body) chunks.push(c);
        content = Buffer.concat(chunks);
      }
      out.set(e.name, {
        type: e.type, mode: e.perm, uid: e.uid, gid: e.gid, size: e.size,
        ...(e.linkTarget !== undefined ? { target: e.linkTarget } : {}),
        ...(content ? { content } : {}),
      });
    }
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw err;
  }
  return out;
}

function compare(a: FileState, b: FileState): string[] {
  const what: string[] = [];
  if (a.type !== b.type) return [`type ${a.type} -> ${b.type}`];
  if (a.mode !== b.mode) what.push(`mode ${a.mode.toString(8).padStart(4, '0')} -> ${b.mode.toString(8).padStart(4, '0')}`);
  if (a.uid !== b.uid || a.gid !== b.gid) what.push(`owner ${a.uid}:${a.gid} -> ${b.uid}:${b.gid}`);
  if (a.target !== b.target) what.push(`target ${a.target ?? ''} -> ${b.target ?? ''}`);
  if (a.type === 'file' && (a.size !== b.size || (a.content && b.content && !a.content.equals(b.content)))) what.push('content');
  return what;
}

/**
 * Per overlay kind, the files a rebuild of `node` would add, remove or
 * change. Throws WW_ERR_NODE_NOT_FOUND, or a template error naming the place.
 */
export async function diffNodeImages(ctx: BuildContext, node: string, kinds: readonly OverlayKind[] = ['system', 'runtime']): Promise<ImageDiff[]> {
  const n = ctx.db.require(node);
  const image = String(n.fields.get('ImageName')?.value ?? '');
  // the settings and data a build would use (preview.ts): the diff is against what a rebuild writes
  const settings = buildSettingsOf(ctx, image === '' ? [] : [image]);
  const compiler = new OverlayCompiler(OverlayStore.fromPaths(ctx.paths), templateEnv(settings, ctx.log), ctx.log);
  const build = templateBuildOf(settings, () => ctx.db.all());
  const out: ImageDiff[] = [];
  for (const kind of kinds) {
    const list = [...((n.fields.get(kind === 'system' ? 'SystemOverlay' : 'RuntimeOverlay')?.value as readonly string[] | undefined) ?? [])];
    const r = await renderImage(compiler, build, n, list);
    const now = new Map<string, FileState>();
    for (const e of [...r.entries, ...r.shared.entries]) now.set(e.path.replace(/^\/+/, ''), stateOfInput(e));
    const path = `${overlayImagePath(ctx.paths.provisionOverlaysDir, node, kind)}.gz`;
    const before = await builtState(path);
    const changes: ImageFileChange[] = [];
    const names = [...new Set([...(before?.keys() ?? []), ...now.keys()])].sort();
    for (const p of names) {
      const a = before?.get(p);
      const b = now.get(p);
      // directories the archive adds implicitly are not changes of their own
      if (a === undefined && b?.type === 'directory' && before !== undefined) continue;
      if (a === undefined && b !== undefined) changes.push({ path: p, change: 'added', what: [], ...(textOf(b.content) !== undefined ? { after: textOf(b.content) as string } : {}) });
      else if (a !== undefined && b === undefined) {
        if (a.type === 'directory') continue;
        changes.push({ path: p, change: 'removed', what: [] });
      } else if (a !== undefined && b !== undefined) {
        const what = compare(a, b);
        if (what.length === 0) continue;
        const c: ImageFileChange = { path: p, change: 'changed', what };
        const ta = textOf(a.content);
        const tb = textOf(b.content);
        if (what.includes('content') && ta !== undefined && tb !== undefined) {
          c.before = ta;
          c.after = tb;
        }
        changes.push(c);
      }
    }
    out.push({ kind, built: before === undefined ? undefined : path, changes });
  }
  return out;
}
