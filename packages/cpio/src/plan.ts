import type { Readable } from 'node:stream';
import { CpioError } from './errors.js';
import { MAX_FILE_SIZE, MAX_NAME_BYTES, S_IFDIR, S_IFMT, S_IFREG, TYPE_BITS } from './newc-header.js';
import type { CpioEntryInput, CpioWarning, WriteOptions } from './types.js';
import { normalizeArchiveName } from './safe-path.js';

/** Where an entry's bytes come from; only opened while the entry is being written. */
export type DataSource =
  | { kind: 'path'; path: string }
  /** A file of the walked tree at `<treeRoot>/<name>`: one shared object, no per-entry path string. */
  | { kind: 'tree' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'stream'; open: () => Readable | AsyncIterable<Uint8Array> };

/** An entry ready to be serialised: ino/nlink already assigned, data only on the carrying member. */
export const TREE_DATA: DataSource = Object.freeze({ kind: 'tree' });

/** Kept small on purpose: the whole tree's plan is in memory (one object per entry). */
export interface PlannedEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
  nlink: number;
  ino: number;
  data: DataSource | null;
}

/** Pre-numbering form produced by the walker and by `writeArchive`'s input normaliser. */
export interface RawEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
  /** Regular files sharing a key are hard links of each other. */
  linkKey: string | null;
  data: DataSource | null;
}

/**
 * Byte-wise order of UTF-8 names with "/" sorting before every other byte: this is a pre-order
 * (a directory comes right before its contents) and equals sorting each directory's children by
 * name, so the walker and `writeArchive` produce the same order for the same tree.
 */
export function compareNames(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a[i]!;
    let y = b[i]!;
    if (x === y) continue;
    if (x === 0x2f) x = -1;
    if (y === 0x2f) y = -1;
    return x - y;
  }
  return a.length - b.length;
}

export function toEpochSeconds(v: number | Date): number {
  return v instanceof Date ? Math.floor(v.getTime() / 1000) : Math.floor(v);
}

export function clampMtime(sec: number, name: string, warn: (w: CpioWarning) => void): number {
  if (sec >= 0 && sec <= 0xffff_ffff) return sec;
  warn({ code: 'CPIO_WARN_MTIME_CLAMPED', message: `mtime ${sec} does not fit newc's 32 bits; clamped`, path: name });
  return sec < 0 ? 0 : 0xffff_ffff;
}

export function checkName(name: string): void {
  const n = Buffer.byteLength(name, 'utf8');
  if (n > MAX_NAME_BYTES) {
    throw new CpioError('CPIO_ERR_NAME_TOO_LONG', `name of ${n} bytes exceeds ${MAX_NAME_BYTES}: ${name}`, { path: name });
  }
}

export function checkSize(size: number, name: string): void {
  if (size > MAX_FILE_SIZE) {
    throw new CpioError(
      'CPIO_ERR_FILE_TOO_LARGE',
      `${name}: ${size} bytes is over newc's 4 GiB - 1 file size limit; exclude it or ship it another way`,
      { path: name },
    );
  }
}

/**
 * Number inodes from 1 in archive order (never the source's 64-bit numbers, so nothing can be
 * truncated into a false link), give every member of a hard-link group the same ino and nlink =
 * members in this archive, and put the data on the LAST member only (what GNU cpio writes and what
 * the kernel's initramfs unpacker expects: earlier members are created empty and linked).
 */
export function assignInodes(raw: readonly RawEntry[], firstInode = 1): PlannedEntry[] {
  const groups = new Map<string, number[]>();
  raw.forEach((e, i) => {
    if (e.linkKey !== null) {
      const g = groups.get(e.linkKey);
      if (g) g.push(i);
      else groups.set(e.linkKey, [i]);
    }
  });
  // Directory nlink: 2 + subdirectories in the archive (kernel ignores it; GNU cpio shows it).
  const dirIndex = new Map<string, number>();
  const subdirs = new Uint32Array(raw.length);
  raw.forEach((e, i) => {
    if ((e.mode & S_IFMT) === S_IFDIR) {
      dirIndex.set(e.name, i);
      const slash = e.name.lastIndexOf('/');
      if (slash > 0) {
        const p = dirIndex.get(e.name.slice(0, slash));
        if (p !== undefined) subdirs[p]!++;
      }
    }
  });
  const out: PlannedEntry[] = new Array(raw.length);
  const groupIno = new Map<string, number>();
  let next = firstInode;
  raw.forEach((e, i) => {
    let ino: number;
    let nlink = 1;
    let data = e.data;
    let size = e.size;
    if (e.linkKey !== null) {
      const members = groups.get(e.linkKey)!;
      nlink = members.length;
      const known = groupIno.get(e.linkKey);
      if (known === undefined) {
        ino = next++;
        groupIno.set(e.linkKey, ino);
      } else {
        ino = known;
      }
      if (members[members.length - 1] !== i) {
        data = null;
        size = 0;
      } else if (data === null) {
        // data may have been attached to another member by the input normaliser
        for (const m of members) {
          const d = raw[m]!.data;
          if (d !== null) {
            data = d;
            size = raw[m]!.size;
            break;
          }
        }
      }
    } else {
      ino = next++;
      if ((e.mode & S_IFMT) === S_IFDIR) nlink = 2 + subdirs[i]!;
    }
    out[i] = {
      name: e.name, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, size,
      rdevMajor: e.rdevMajor, rdevMinor: e.rdevMinor, nlink, ino, data,
    };
  });
  return out;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

/**
 * Normalise `writeArchive` input: validate, apply overrides, add missing parent directories
 * (mode 0755) so every reader can create the files, sort into archive order, resolve hard links.
 */
export async function planEntries(
  input: Iterable<CpioEntryInput> | AsyncIterable<CpioEntryInput>,
  opts: WriteOptions,
  warn: (w: CpioWarning) => void,
): Promise<PlannedEntry[]> {
  const { stat } = await import('node:fs/promises');
  const list: CpioEntryInput[] = [];
  for await (const e of input as AsyncIterable<CpioEntryInput>) {
    // files named by path get their size here, so planning itself needs no I/O
    list.push(e.type === 'file' && e.sourcePath !== undefined && e.size === undefined ? { ...e, size: (await stat(e.sourcePath)).size } : e);
  }
  return planEntriesSync(list, opts, warn);
}

/**
 * planEntries for a list in memory whose files on disk (`sourcePath`) carry
 * their `size`: no I/O, so small archives (overlay images) are planned
 * without a trip through the event loop per entry.
 */
export function planEntriesSync(input: readonly CpioEntryInput[], opts: WriteOptions, warn: (w: CpioWarning) => void): PlannedEntry[] {
  const fixedMtime = opts.mtime === undefined ? undefined : toEpochSeconds(opts.mtime);
  const byName = new Map<string, RawEntry>();
  const hardlinks: Array<{ name: string; target: string }> = [];
  const hardlinkNames = new Set<string>();

  for (const e of input) {
    const name = normalizeArchiveName(e.path);
    checkName(name);
    if (byName.has(name) || hardlinkNames.has(name)) {
      throw new CpioError('CPIO_ERR_INVALID_ENTRY', `duplicate entry: ${name}`, { path: name });
    }
    if (e.type === 'hardlink') {
      if (!e.target) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `hardlink ${name} needs a target`, { path: name });
      hardlinks.push({ name, target: normalizeArchiveName(e.target) });
      hardlinkNames.add(name);
      continue;
    }
    const typeBits = TYPE_BITS[e.type];
    if (typeBits === undefined) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `unknown entry type ${String(e.type)}`, { path: name });
    const defPerm = e.type === 'directory' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644;
    const perm = (e.mode ?? defPerm) & 0o7777;
    let data: DataSource | null = null;
    let size = 0;
    if (e.type === 'file') {
      if (e.sourcePath !== undefined) {
        if (e.size === undefined) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `${name}: a file given by path needs its size here`, { path: name });
        size = e.size;
        data = { kind: 'path', path: e.sourcePath };
      } else if (e.data === undefined) {
        size = 0;
      } else if (typeof e.data === 'string' || e.data instanceof Uint8Array) {
        const bytes = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
        size = bytes.length;
        data = { kind: 'bytes', bytes };
      } else {
        if (e.size === undefined) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `${name}: stream data needs size`, { path: name });
        size = e.size;
        const d = e.data;
        let used = false;
        data = {
          kind: 'stream',
          open: () => {
            if (typeof d === 'function') return d();
            if (used) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `${name}: stream data can be read once`, { path: name });
            used = true;
            if (isAsyncIterable(d)) return d;
            throw new CpioError('CPIO_ERR_INVALID_ENTRY', `${name}: unsupported data type`, { path: name });
          },
        };
      }
      checkSize(size, name);
      if (size === 0) data = null;
    } else if (e.type === 'symlink') {
      if (!e.target) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `symlink ${name} needs a target`, { path: name });
      const bytes = Buffer.from(e.target, 'utf8');
      size = bytes.length;
      data = { kind: 'bytes', bytes };
    }
    const isDev = e.type === 'char' || e.type === 'block';
    const mtime = clampMtime(fixedMtime ?? (e.mtime === undefined ? 0 : toEpochSeconds(e.mtime)), name, warn);
    byName.set(name, {
      name, mode: typeBits | perm, uid: opts.uid ?? e.uid ?? 0, gid: opts.gid ?? e.gid ?? 0, mtime, size,
      rdevMajor: isDev ? e.rdevMajor ?? 0 : 0, rdevMinor: isDev ? e.rdevMinor ?? 0 : 0, linkKey: null, data,
    });
  }

  // Hard links: each name becomes a regular-file entry sharing the target's metadata and link key.
  for (const h of hardlinks) {
    let t = byName.get(h.target);
    const seen = new Set<string>();
    while (!t) {
      // allow a chain hardlink -> hardlink -> file
      const hop = hardlinks.find((x) => x.name === h.target);
      if (!hop || seen.has(hop.target)) break;
      seen.add(hop.target);
      t = byName.get(hop.target);
      h.target = hop.target;
    }
    if (!t || (t.mode & S_IFMT) !== S_IFREG) {
      throw new CpioError('CPIO_ERR_INVALID_ENTRY', `hardlink ${h.name}: target ${h.target} is not a regular file in the list`, { path: h.name });
    }
    t.linkKey = `l:${t.name}`;
    checkName(h.name);
    byName.set(h.name, { ...t, name: h.name, data: null, linkKey: t.linkKey });
  }

  // Implicit parents, so that the kernel and `cpio -i` (without -d) can create every file.
  const dirMtime = clampMtime(fixedMtime ?? 0, '', warn);
  for (const name of opts.parents === false ? [] : [...byName.keys()]) {
    let slash = name.lastIndexOf('/');
    while (slash > 0) {
      const parent = name.slice(0, slash);
      const existing = byName.get(parent);
      if (existing) {
        if ((existing.mode & S_IFMT) !== S_IFDIR) {
          throw new CpioError('CPIO_ERR_INVALID_ENTRY', `${name}: parent ${parent} is not a directory`, { path: name });
        }
        break;
      }
      byName.set(parent, {
        name: parent, mode: S_IFDIR | 0o755, uid: opts.uid ?? 0, gid: opts.gid ?? 0,
        mtime: dirMtime, size: 0, rdevMajor: 0, rdevMinor: 0, linkKey: null, data: null,
      });
      slash = parent.lastIndexOf('/');
    }
  }
  const raw = [...byName.values()]
    .map((e) => ({ e, b: Buffer.from(e.name, 'utf8') }))
    .sort((x, y) => compareNames(x.b, y.b))
    .map((x) => x.e);
  return assignInodes(raw, opts.firstInode ?? 1);
}
