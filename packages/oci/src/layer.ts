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
 * Nothing may land outside the root, and the import fails naming the entry
 * (OCI_ERR_UNSAFE_ENTRY) when an entry tries: absolute names, `..`
 * components, NUL bytes, a parent component that is a symlink resolving
 * outside the root (an absolute symlink followed by a write through it), a
 * hard link whose target is absolute, has `..`, or sits behind such a parent.
 * The final component is never followed: an existing symlink there is
 * replaced, and files are created with O_EXCL|O_NOFOLLOW. Each parent is
 * checked with lstat/realpath once and re-checked after any entry replaced
 * it or something above it (no symlink swap between entries).
 */
import { execFile } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { type FileHandle, chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, realpath, rm, stat, symlink, utimes } from 'node:fs/promises';
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
  /** Relative directory paths known to be directories inside the root (or symlinks resolving to one). */
  private readonly verified = new Set<string>(['']);
  /**
   * Verified paths whose resolution went through a symlink: they depend on
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

  private inside(p: string): boolean {
    return p === this.root || p.startsWith(this.root === path.sep ? this.root : this.root + path.sep);
  }

  /** Sanitise an entry name, or a hard link's target (`entry` then names the link). */
  private rel(value: string, entry?: string): string {
    try {
      return sanitizeEntryName(value);
    } catch (err) {
      if (!isCpioError(err)) throw err;
      if (entry === undefined) throw this.unsafe(value, err.message.replace(/^entry name /, 'name '));
      throw this.unsafe(entry, `hard link target ${JSON.stringify(value)}: ${err.message.replace(/^entry name /, 'name ')}`);
    }
  }

  private full(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, rel);
  }

  /** Forget verification of `rel` and everything below it (it was replaced or removed). */
  private forget(rel: string): void {
    this.verified.delete(rel);
    const prefix = `${rel}/`;
    for (const k of this.verified) if (k.startsWith(prefix)) this.verified.delete(k);
    for (const k of this.linked) this.verified.delete(k);
    this.linked.clear();
  }

  /**
   * Make sure every parent of `rel` is a directory inside the root, creating
   * missing ones (0755). With `create: false` returns false when one is missing.
   */
  private async parents(rel: string, name: string, create = true): Promise<boolean> {
    const parts = rel.split('/');
    let cur = '';
    let viaLink = false;
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '' ? parts[i]! : `${cur}/${parts[i]}`;
      if (this.verified.has(cur)) {
        viaLink ||= this.linked.has(cur);
        continue;
      }
      const full = this.full(cur);
      let st;
      try {
        st = await lstat(full);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (!create) return false;
        await mkdir(full, { mode: 0o755 });
        this.verified.add(cur);
        if (viaLink) this.linked.add(cur);
        continue;
      }
      if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(full);
        } catch {
          throw this.unsafe(name, `parent ${cur} is a symlink that does not resolve`);
        }
        if (!this.inside(real)) throw this.unsafe(name, `parent ${cur} is a symlink leading outside the image`);
        if (!(await lstat(real)).isDirectory()) throw this.unsafe(name, `parent ${cur} is a symlink to a non-directory`);
        viaLink = true;
      } else if (!st.isDirectory()) {
        throw new OciError('OCI_ERR_LAYER', `${this.opts.what ?? 'layer'}: entry ${JSON.stringify(name)}: parent ${cur} is not a directory`, { entry: name });
      }
      this.verified.add(cur);
      if (viaLink) this.linked.add(cur);
    }
    return true;
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
    const rel = this.rel(name);
    if (rel === '') return; // "./": the root keeps its own metadata
    const base = path.posix.basename(rel);
    const dir = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);

    if (base === WH_OPAQUE) {
      if (await this.parents(rel, name, false)) await this.opaque(dir);
      this.result.whiteouts++;
      this.count();
      return;
    }
    if (base.startsWith(WH_PREFIX)) {
      const target = dir === '' ? base.slice(WH_PREFIX.length) : `${dir}/${base.slice(WH_PREFIX.length)}`;
      if (base === WH_PREFIX) throw this.unsafe(name, 'whiteout without a name');
      if (!this.seen.has(target) && (await this.parents(target, name, false))) await this.remove(target);
      this.result.whiteouts++;
      this.count();
      return;
    }

    await this.parents(rel, name);
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
      const targetRel = this.rel(h.linkname ?? '', name);
      if (targetRel === '' || targetRel === rel) throw this.unsafe(name, `hard link to ${JSON.stringify(h.linkname)}`);
      await this.parents(targetRel, name, false).then((ok) => {
        if (!ok) throw new OciError('OCI_ERR_LAYER', `${this.opts.what ?? 'layer'}: hard link ${JSON.stringify(name)}: target ${JSON.stringify(h.linkname)} does not exist`, { entry: name });
      });
      const target = this.full(targetRel);
      const tst = await lstat(target).catch(() => undefined);
      if (!tst) throw new OciError('OCI_ERR_LAYER', `${this.opts.what ?? 'layer'}: hard link ${JSON.stringify(name)}: target ${JSON.stringify(h.linkname)} does not exist`, { entry: name });
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
