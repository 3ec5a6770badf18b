/**
 * Applying one layer (a tar, plain, gzip or zstd) over a directory, with the
 * OCI image-spec's changeset semantics:
 *
 * - `dir/.wh.NAME` removes `dir/NAME` (a file or a whole tree) of the lower
 *   layers and is not itself extracted; `dir/.wh..wh..opq` empties `dir` of
 *   everything the lower layers put there (this layer's entries stay).
 * - An entry replaces whatever is at its path, except that a directory entry
 *   over a directory keeps the directory (and its contents) and updates it.
 * - Owners (as root), modes incl. setuid/setgid/sticky, mtimes, symlinks,
 *   hard links, device nodes and fifos (devices as root), xattrs from PAX
 *   `SCHILY.xattr.*` records.
 *
 * Nothing may land outside the root. Paths are resolved as inside a chroot
 * of the root, as container runtimes do (umoci's SecureJoin, containers/
 * storage): a leading `/` of an entry name or hard link target is dropped
 * (`/etc/b` is `etc/b`), a symlink met in a parent component is followed by
 * the layer applier itself with an absolute target taken from the image root
 * (`var/run -> /run`: `var/run/foo` lands in `<root>/run/foo`) and `..`
 * never climbing above it, so a link to a host path (`etc -> /etc`) leads to
 * that path inside the image, never to the host. Refused, naming the entry
 * (OCI_ERR_UNSAFE_ENTRY): names with `..` components or NUL bytes, hard
 * links to themselves or to directories; symlink loops are OCI_ERR_LAYER.
 * The final component is never followed: an existing symlink there is
 * replaced, files are created with O_EXCL|O_NOFOLLOW, hard links link the
 * symlink itself. Each parent is resolved once (lstat/readlink) and again
 * after any entry replaced it or something above it (no symlink swap
 * between entries).
 */
import { execFile } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { type FileHandle, chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, readlink, realpath, rm, stat, symlink, utimes } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { decompressAuto, isCpioError, sanitizeEntryName } from '@warewulf/cpio';
import type * as tarStream from 'tar-stream';
import { readTar } from './tar-read.js';
import { DigestCounter, verifyDigest, type Digest } from './digest.js';
import { OciError, abortError } from './errors.js';

const run = promisify(execFile);

export type LayerWarningCode =
  | 'OCI_WARN_NOT_ROOT'
  | 'OCI_WARN_DEVICE_SKIPPED'
  | 'OCI_WARN_XATTR_NOT_SET'
  | 'OCI_WARN_OWNER_NOT_SET'
  | 'OCI_WARN_ENTRY_SKIPPED';

export interface LayerWarning {
  code: LayerWarningCode;
  message: string;
  /** The layer entry concerned (archive name). */
  entry: string;
}

export interface ApplyLayerOptions {
  /** chown entries to the archived uid/gid (default: when running as root). */
  preserveOwner?: boolean;
  /** Digest of the uncompressed tar (the config's diff_id); verified when given. */
  diffId?: Digest | undefined;
  /** Words for messages, e.g. "layer 2/3 sha256:ab12...". */
  what?: string;
  signal?: AbortSignal | undefined;
  onWarning?: ((w: LayerWarning) => void) | undefined;
  /** Called after each entry with running totals. */
  onEntry?: ((entries: number, bytes: number) => void) | undefined;
}

export interface ApplyLayerResult {
  /** Entries applied (whiteouts included). */
  entries: number;
  /** File content bytes written. */
  bytes: number;
  whiteouts: number;
}

interface DeferredDir {
  full: string;
  mode: number;
  mtime: Date;
}

const WH_PREFIX = '.wh.';
/** Files up to this size are read whole and written in the background. */
const SMALL_FILE = 4 * 1024 * 1024;
/** Background file writes at once (the libuv pool has 4 threads; more keeps it fed). */
const IN_FLIGHT = 32;
const WH_OPAQUE = '.wh..wh..opq';
/** Symlinks followed while resolving one path (Linux's MAXSYMLINKS). */
const MAX_LINKS = 40;

type TarHeader = Omit<tarStream.Header, 'pax'> & { pax?: Record<string, string> | null };


/**
 * Apply `source` (a layer blob: tar, tar+gzip or tar+zstd, detected from its
 * first bytes) over `rootDir`, which must exist. Throws OCI_ERR_UNSAFE_ENTRY
 * (entry named), OCI_ERR_LAYER (corrupt data, an entry that cannot be
 * created), OCI_ERR_DIGEST_MISMATCH (diff_id), or the source's own error.
 */
export async function applyLayer(
  rootDir: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: ApplyLayerOptions = {},
): Promise<ApplyLayerResult> {
  const applier = new LayerApplier(await realpath(rootDir), opts);
  const diff = opts.diffId ? new DigestCounter() : undefined;
  const input = Symbol.asyncIterator in source ? source : (async function* () {
    yield* source;
  })();
  let tar: AsyncIterable<Uint8Array> = decompress(input);
  if (diff) tar = diff.tap(tar);
  try {
    for await (const entry of readTar(tar)) await applier.entry(entry.header as TarHeader, entry);
  } catch (err) {
    await applier.settle().catch(() => undefined);
    throw layerError(err, opts.what);
  }
  await applier.finish();
  if (diff && opts.diffId) verifyDigest(`${opts.what ?? 'layer'} (uncompressed, diff_id)`, opts.diffId, diff.digest());
  return applier.result;
}

/**
 * gzip through zlib with 1 MiB output chunks (the default 16 KiB makes every
 * later stage, and each file write, sixty times busier); zstd and plain tar
 * through cpio's decompressAuto.
 */
async function* decompress(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
    const feeding = pipeline(Readable.from(rest, { objectMode: false }), gunzip);
    feeding.catch(() => undefined);
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) yield c;
    } catch (err) {
      // the source's own failure (a digest that did not verify) wins over what zlib made of it
      const fromSource = await feeding.then(() => undefined, (e: unknown) => e);
      if (fromSource !== undefined && !(fromSource as { code?: string }).code?.startsWith('Z_')) throw fromSource;
      throw new OciError('OCI_ERR_LAYER', `gzip data is corrupt: ${(err as Error).message}`, { cause: err });
    }
    await feeding;
    return;
  }
  yield* decompressAuto(rest);
}

function layerError(err: unknown, what: string | undefined): unknown {
  if (err instanceof OciError) return err;
  if (isCpioError(err)) return new OciError('OCI_ERR_LAYER', `${what ?? 'layer'}: ${err.message}`, { cause: err });
  const msg = (err as Error)?.message ?? String(err);
  if (/tar|header|Unexpected end|invalid/i.test(msg) && !(err as NodeJS.ErrnoException).code) {
    return new OciError('OCI_ERR_LAYER', `${what ?? 'layer'}: not a valid tar stream: ${msg}`, { cause: err });
  }
  return err;
}

class LayerApplier {
  readonly result: ApplyLayerResult = { entries: 0, bytes: 0, whiteouts: 0 };
  private readonly isRoot = process.getuid?.() === 0;
  private readonly preserveOwner: boolean;
  /**
   * Directory paths as the layer names them (symlinks not followed) -> where
   * they are inside the root: a relative path of real directories, no symlink
   * in it ('' is the root).
   */
  private readonly resolved = new Map<string, string>([['', '']]);
  /**
   * Resolved paths whose resolution went through a symlink: they depend on
   * more than their own prefix, so any replacement anywhere drops them.
   */
  private readonly linked = new Set<string>();
  /** Paths this layer created: whiteouts and opaque markers spare them. */
  private readonly seen = new Set<string>();
  private readonly dirs: DeferredDir[] = [];
  /**
   * Lower-layer directories this layer changes without carrying an entry for
   * them (a whiteout, a file written through `lib -> usr/lib`): their mtimes
   * are put back at the end, so the result does not depend on when it was made.
   */
  private readonly touched = new Map<string, Date>();
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;
  private warnedRoot = false;

  constructor(
    private readonly root: string,
    private readonly opts: ApplyLayerOptions,
  ) {
    this.preserveOwner = opts.preserveOwner ?? this.isRoot;
  }

  private warn(code: LayerWarningCode, message: string, entry: string): void {
    this.opts.onWarning?.({ code, message, entry });
  }

  private notRoot(entry: string): void {
    if (this.isRoot || this.warnedRoot) return;
    this.warnedRoot = true;
    this.warn('OCI_WARN_NOT_ROOT', 'not running as root: file owners are not preserved and device nodes are skipped (import as root for a bootable image)', entry);
  }

  private unsafe(name: string, why: string): OciError {
    return new OciError('OCI_ERR_UNSAFE_ENTRY', `${this.opts.what ?? 'layer'}: entry ${JSON.stringify(name)} refused: ${why}`, { entry: name });
  }

  /**
   * Sanitise an entry name, or a hard link's target (`entry` then names the
   * link): a leading `/` is dropped (names are relative to the image root);
   * `..` components and NUL bytes are refused.
   */
  private rel(value: string, entry?: string): string {
    try {
      return sanitizeEntryName(value.replace(/^\/+/, ''));
    } catch (err) {
      if (!isCpioError(err)) throw err;
      if (entry === undefined) throw this.unsafe(value, err.message.replace(/^entry name /, 'name '));
      throw this.unsafe(entry, `hard link target ${JSON.stringify(value)}: ${err.message.replace(/^entry name /, 'name ')}`);
    }
  }

  private full(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, rel);
  }

  /** Forget resolutions at or below `rel` (a resolved path that was replaced or removed), and all that followed a symlink. */
  private forget(rel: string): void {
    const prefix = `${rel}/`;
    for (const [k, v] of this.resolved) if (k !== '' && (v === rel || v.startsWith(prefix))) this.resolved.delete(k);
    for (const k of this.linked) this.resolved.delete(k);
    this.linked.clear();
  }

  /**
   * Where directory `dir` (a sanitised name, '' for the root) is inside the
   * root, following symlinks as inside a chroot: see walk(). Missing
   * directories are created (0755), or with `create: false` the answer is
   * undefined. Throws OCI_ERR_LAYER naming `name` when a component is not a
   * directory or symlinks loop.
   */
  private async dir(dir: string, name: string, create: boolean): Promise<string | undefined> {
    const known = this.resolved.get(dir);
    if (known !== undefined) return known;
    const i = dir.lastIndexOf('/');
    const parentName = i < 0 ? '' : dir.slice(0, i);
    const parent = await this.dir(parentName, name, create);
    if (parent === undefined) return undefined;
    const r = await this.walk(parent, [dir.slice(i + 1)], name, create);
    if (r === undefined) return undefined;
    this.resolved.set(dir, r.path);
    if (r.viaLink || this.linked.has(parentName)) this.linked.add(dir);
    return r.path;
  }

  /**
   * Resolve `parts` (components, as from a name or a symlink's target) from
   * the resolved directory `from` to a directory inside the root: a symlink
   * is read and its target resolved in its place, from the root when
   * absolute; `..` goes up one resolved directory and stays at the root at
   * the top. Nothing is followed by the kernel, so no path leaves the root.
   */
  private async walk(from: string, parts: string[], name: string, create: boolean): Promise<{ path: string; viaLink: boolean } | undefined> {
    const cur = from === '' ? [] : from.split('/');
    const todo = [...parts].reverse(); // a stack: the next component last
    let links = 0;
    while (todo.length > 0) {
      const part = todo.pop()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        cur.pop();
        continue;
      }
      const next = [...cur, part].join('/');
      let st;
      try {
        st = await lstat(this.full(next));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!create) return undefined;
        await mkdir(this.full(next), { mode: 0o755 });
        cur.push(part);
        continue;
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_LINKS) throw this.layerError(name, `too many levels of symbolic links at ${next}`);
        const target = await readlink(this.full(next));
        if (target.startsWith('/')) cur.length = 0;
        todo.push(...target.split('/').reverse());
        continue;
      }
      if (!st.isDirectory()) throw this.layerError(name, `parent ${next} is not a directory`);
      cur.push(part);
    }
    return { path: cur.join('/'), viaLink: links > 0 };
  }

  /** Where entry `rel` (sanitised) goes: its directory resolved (created with `create`), its own name kept. */
  private async place(rel: string, name: string, create: boolean): Promise<string | undefined> {
    const i = rel.lastIndexOf('/');
    const d = await this.dir(i < 0 ? '' : rel.slice(0, i), name, create);
    if (d === undefined) return undefined;
    const base = rel.slice(i + 1);
    return d === '' ? base : `${d}/${base}`;
  }

  private layerError(name: string, why: string): OciError {
    return new OciError('OCI_ERR_LAYER', `${this.opts.what ?? 'layer'}: entry ${JSON.stringify(name)}: ${why}`, { entry: name });
  }

  /** Remember the mtime of the directory holding `rel` before this layer changes it. */
  private async touch(rel: string): Promise<void> {
    const i = rel.lastIndexOf('/');
    const dir = this.full(i < 0 ? '' : rel.slice(0, i));
    if (this.touched.has(dir)) return;
    const st = await stat(dir).catch(() => undefined);
    if (st) this.touched.set(dir, st.mtime);
  }

  /** Remove `rel` whatever it is (a tree is removed without following symlinks). */
  private async remove(rel: string): Promise<void> {
    await this.settle();
    await this.touch(rel);
    await rm(this.full(rel), { recursive: true, force: true });
    this.forget(rel);
  }

  /** `.wh..wh..opq` in `dirRel`: drop what lower layers put there, keep this layer's entries. */
  private async opaque(dirRel: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.full(dirRel));
    } catch {
      return;
    }
    for (const n of names) {
      const child = dirRel === '' ? n : `${dirRel}/${n}`;
      if (!this.seen.has(child)) await this.remove(child);
      else if ((await lstat(this.full(child))).isDirectory()) await this.opaque(child);
    }
  }

  async entry(h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    if (this.opts.signal?.aborted) throw abortError(this.opts.signal);
    const name = h.name;
    const named = this.rel(name);
    if (named === '') return; // "./": the root keeps its own metadata
    const base = path.posix.basename(named);

    if (base === WH_OPAQUE) {
      const dir = await this.place(named, name, false);
      if (dir !== undefined) await this.opaque(path.posix.dirname(dir) === '.' ? '' : path.posix.dirname(dir));
      this.result.whiteouts++;
      this.count();
      return;
    }
    if (base.startsWith(WH_PREFIX)) {
      if (base === WH_PREFIX) throw this.unsafe(name, 'whiteout without a name');
      const marker = await this.place(named, name, false);
      if (marker !== undefined) {
        const i = marker.lastIndexOf('/');
        const target = `${marker.slice(0, i + 1)}${base.slice(WH_PREFIX.length)}`;
        if (!this.seen.has(target)) await this.remove(target);
      }
      this.result.whiteouts++;
      this.count();
      return;
    }

    const rel = (await this.place(named, name, true))!;
    await this.touch(rel);
    const full = this.full(rel);
    let existing;
    try {
      existing = await lstat(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    const uid = h.uid ?? 0;
    const gid = h.gid ?? 0;
    const mtime = h.mtime ?? new Date(0);

    if (h.type === 'directory') {
      if (!existing?.isDirectory()) {
        if (existing) await this.remove(rel);
        await mkdir(full, { mode: 0o700 });
      }
      await this.owner(full, uid, gid, name);
      // mode and mtime last: the directory still receives entries
      this.dirs.push({ full, mode: this.isRoot ? mode : mode | 0o700, mtime });
      await this.xattrs(full, h, name, false);
      this.done(rel);
      return;
    }

    if (h.type === 'link') {
      const missing = () => this.layerError(name, `hard link target ${JSON.stringify(h.linkname)} does not exist`);
      const targetRel = await this.place(this.rel(h.linkname ?? '', name), name, false);
      if (targetRel === undefined) throw missing();
      if (targetRel === '' || targetRel === rel) throw this.unsafe(name, `hard link to ${JSON.stringify(h.linkname)}`);
      const target = this.full(targetRel);
      const tst = await lstat(target).catch(() => undefined);
      if (!tst) throw missing();
      if (tst.isDirectory()) throw this.unsafe(name, `hard link to directory ${JSON.stringify(h.linkname)}`);
      if (existing) await this.remove(rel);
      await this.settle();
      await link(target, full); // linkat(2) without AT_SYMLINK_FOLLOW: a symlink target is linked, not followed
      this.done(rel);
      return;
    }

    if (existing) await this.remove(rel);
    switch (h.type) {
      case 'file':
      case 'contiguous-file': {
        const fh = await open(full, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        const size = h.size ?? 0;
        if (size > SMALL_FILE) {
          try {
            for await (const chunk of body) {
              await fh.write(chunk);
              this.result.bytes += chunk.length;
            }
          } catch (err) {
            await fh.close();
            throw err;
          }
          await this.finishFile(fh, full, h, name, uid, gid, mode, mtime, undefined);
        } else {
          // small files: read the body now (the tar stream moves on), write and set metadata in the background
          const parts: Buffer[] = [];
          for await (const chunk of body) parts.push(chunk);
          const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          this.result.bytes += data.length;
          await this.background(this.finishFile(fh, full, h, name, uid, gid, mode, mtime, data));
        }
        break;
      }
      case 'symlink':
        await symlink(h.linkname ?? '', full);
        await this.owner(full, uid, gid, name);
        await lutimes(full, mtime, mtime);
        await this.xattrs(full, h, name, true);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        if (h.type !== 'fifo' && !this.isRoot) {
          this.notRoot(name);
          this.warn('OCI_WARN_DEVICE_SKIPPED', `device node not created (needs root)`, name);
          this.count();
          return;
        }
        // Node has no mknod(2); coreutils' mknod/mkfifo are on every Linux system
        const m = mode.toString(8);
        if (h.type === 'fifo') await run('mkfifo', ['-m', m, '--', full]);
        else await run('mknod', ['-m', m, '--', full, h.type === 'character-device' ? 'c' : 'b', String(h.devmajor ?? 0), String(h.devminor ?? 0)]);
        await this.owner(full, uid, gid, name);
        await chmod(full, mode);
        await utimes(full, mtime, mtime);
        await this.xattrs(full, h, name, false);
        break;
      }
      default:
        this.warn('OCI_WARN_ENTRY_SKIPPED', `unsupported tar entry type ${String(h.type)}`, name);
        this.count();
        return;
    }
    this.done(rel);
  }

  /** Write (when given) and set owner, mode, times and xattrs of an open new file, then close it. */
  private async finishFile(
    fh: FileHandle, full: string, h: TarHeader, name: string, uid: number, gid: number, mode: number, mtime: Date, data: Buffer | undefined,
  ): Promise<void> {
    try {
      if (data && data.length > 0) await fh.write(data);
      if (this.preserveOwner) {
        try {
          await fh.chown(uid, gid);
        } catch (err) {
          this.warn('OCI_WARN_OWNER_NOT_SET', `chown ${uid}:${gid} failed: ${(err as Error).message}`, name);
        }
      } else this.notRoot(name);
      await fh.chmod(mode); // after chown, which clears setuid/setgid
      await fh.utimes(mtime, mtime);
    } finally {
      await fh.close();
    }
    await this.xattrs(full, h, name, false);
  }

  /**
   * Run file writes concurrently (the thread pool does the I/O while the
   * next entries are parsed), at most IN_FLIGHT at a time. The file exists
   * already (created in order), so only its contents and metadata are late;
   * anything that removes, links or ends the layer waits for them (settle()).
   */
  private async background(task: Promise<void>): Promise<void> {
    const p = task.then(
      () => {
        this.pending.delete(p);
      },
      (err: unknown) => {
        this.pending.delete(p);
        this.failure ??= err;
      },
    );
    this.pending.add(p);
    if (this.failure !== undefined) await this.settle();
    if (this.pending.size >= IN_FLIGHT) await Promise.race(this.pending);
  }

  /** Wait for background writes; rethrow the first failure. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  private done(rel: string): void {
    this.seen.add(rel);
    this.count();
  }

  private count(): void {
    this.result.entries++;
    this.opts.onEntry?.(this.result.entries, this.result.bytes);
  }

  private async owner(full: string, uid: number, gid: number, name: string): Promise<void> {
    if (!this.preserveOwner) {
      this.notRoot(name);
      return;
    }
    try {
      await lchown(full, uid, gid);
    } catch (err) {
      this.warn('OCI_WARN_OWNER_NOT_SET', `chown ${uid}:${gid} failed: ${(err as Error).message}`, name);
    }
  }

  /**
   * PAX `SCHILY.xattr.NAME` records (what Docker, buildah and GNU tar write).
   * Node has no setxattr(2), so `setfattr` (Debian package attr) does it;
   * values arrive as UTF-8 text from the tar parser, so a binary value that
   * did not survive decoding is reported instead of being set wrong.
   */
  private async xattrs(full: string, h: TarHeader, name: string, isLink: boolean): Promise<void> {
    if (!h.pax) return;
    for (const [key, value] of Object.entries(h.pax)) {
      if (!key.startsWith('SCHILY.xattr.')) continue;
      const attr = key.slice('SCHILY.xattr.'.length);
      if (value.includes('\uFFFD')) {
        this.warn('OCI_WARN_XATTR_NOT_SET', `xattr ${attr} has a binary value that the tar reader cannot keep; not set`, name);
        continue;
      }
      try {
        await run('setfattr', [...(isLink ? ['-h'] : []), '-n', attr, '-v', `0x${Buffer.from(value, 'utf8').toString('hex')}`, '--', full]);
      } catch (err) {
        this.warn('OCI_WARN_XATTR_NOT_SET', `xattr ${attr} not set: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`, name);
      }
    }
  }

  /** Directory modes and mtimes, deepest first (setting a parent's mtime before a child's would be undone). */
  async finish(): Promise<void> {
    await this.settle();
    for (const d of this.dirs) this.touched.delete(d.full);
    for (const [full, mtime] of this.touched) {
      const st = await stat(full).catch(() => undefined);
      if (st?.isDirectory()) await utimes(full, st.atime, mtime);
    }
    this.dirs.sort((a, b) => b.full.length - a.full.length);
    for (const d of this.dirs) {
      await chmod(d.full, d.mode);
      await utimes(d.full, d.mtime, d.mtime);
    }
  }
}
