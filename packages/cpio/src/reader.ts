import type { Readable } from 'node:stream';
import { decompressAuto } from './compress.js';
import type { DetectedCompression } from './compress.js';
import { CpioError } from './errors.js';
import { HEADER_SIZE, TRAILER_NAME, decodeHeader, pad4, typeFromMode } from './newc-header.js';
import type { CpioEntryInfo } from './types.js';

/** Symlink targets longer than this are treated as corruption (PATH_MAX is 4096). */
const MAX_LINK_TARGET = 64 * 1024;
const MAX_NAME = 64 * 1024;

/** Pull-based byte cursor over an async iterable; holds at most the current source chunk. */
class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private done = false;
  offset = 0;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    if (r.value.length) {
      this.chunks.push(r.value);
      this.have += r.value.length;
    }
    return true;
  }

  /** Exactly n bytes, or fewer only at end of input. */
  async read(n: number): Promise<Buffer> {
    while (this.have < n && (await this.pull()));
    return this.take(Math.min(n, this.have));
  }

  /** Up to n bytes, at least 1 unless at end; never waits for more than one source chunk. */
  async readSome(n: number): Promise<Buffer> {
    if (this.have === 0) await this.pull();
    while (this.have === 0 && !this.done) await this.pull();
    return this.take(Math.min(n, this.have));
  }

  async peekByte(): Promise<number | undefined> {
    while (this.have === 0 && (await this.pull()));
    return this.chunks[0]?.[0];
  }

  private take(n: number): Buffer {
    this.offset += n;
    this.have -= n;
    const first = this.chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - o);
      c.copy(out, o, 0, k);
      o += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

/** An entry being read: metadata plus its data, which must be consumed before the next entry (or is skipped). */
export interface CpioReadEntry extends CpioEntryInfo {
  /** The entry's data (empty for all but regular files with size > 0). Readable once. */
  body: AsyncIterable<Buffer>;
}

/** A stream, any (async) iterable of byte chunks, or the whole archive as one buffer (tests, small overlays). */
export type ArchiveSource = Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

async function* toAsync(source: ArchiveSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export interface ReadOptions {
  /** Called once with what the input turned out to be. */
  onCompression?: (c: DetectedCompression) => void;
}

/**
 * Parse a (compressed or plain) newc archive as a stream of entries. Concatenated archives are
 * read one after the other, like the kernel does (zero padding between them is skipped), and each
 * entry says which archive it came from.
 */
export async function* readArchive(source: ArchiveSource, opts: ReadOptions = {}): AsyncGenerator<CpioReadEntry> {
  const bytes = decompressAuto(toAsync(source), opts.onCompression);
  const r = new ByteReader(bytes[Symbol.asyncIterator]());
  let archive = 0;
  let sawTrailer = false;
  for (;;) {
    if (sawTrailer) {
      // between concatenated archives: skip NUL padding; stop at the end of input
      let b = await r.peekByte();
      while (b === 0) {
        await r.read(1);
        b = await r.peekByte();
      }
      if (b === undefined) return;
      archive++;
      sawTrailer = false;
    }
    const start = r.offset;
    const hb = await r.read(HEADER_SIZE);
    if (hb.length === 0 && archive === 0 && start === 0) {
      throw new CpioError('CPIO_ERR_TRUNCATED', 'empty input: no cpio archive');
    }
    if (hb.length < HEADER_SIZE) throw new CpioError('CPIO_ERR_TRUNCATED', `archive truncated at byte ${start} (no trailer)`);
    const h = decodeHeader(hb);
    if (h.nameSize < 1 || h.nameSize > MAX_NAME) throw new CpioError('CPIO_ERR_CORRUPT', `bad name size ${h.nameSize} at byte ${start}`);
    const nameBuf = await r.read(h.nameSize + pad4(HEADER_SIZE + h.nameSize));
    if (nameBuf.length < h.nameSize) throw new CpioError('CPIO_ERR_TRUNCATED', `archive truncated in a name at byte ${start}`);
    const end = nameBuf.indexOf(0);
    const name = nameBuf.toString('utf8', 0, end >= 0 && end < h.nameSize ? end : h.nameSize - 1);
    if (name === TRAILER_NAME) {
      sawTrailer = true;
      continue;
    }
    const type = typeFromMode(h.mode);
    const info: CpioEntryInfo = {
      name, type, mode: h.mode, perm: h.mode & 0o7777, uid: h.uid, gid: h.gid, nlink: h.nlink, mtime: h.mtime,
      size: h.fileSize, ino: h.ino, devMajor: h.devMajor, devMinor: h.devMinor, rdevMajor: h.rdevMajor,
      rdevMinor: h.rdevMinor, archive,
    };
    let remaining = h.fileSize;
    const dataPad = pad4(h.fileSize);
    if (type === 'symlink') {
      if (h.fileSize > MAX_LINK_TARGET) throw new CpioError('CPIO_ERR_CORRUPT', `symlink ${name}: target of ${h.fileSize} bytes`, { path: name });
      const t = await r.read(h.fileSize);
      if (t.length < h.fileSize) throw new CpioError('CPIO_ERR_TRUNCATED', `archive truncated in ${name}`, { path: name });
      info.linkTarget = t.toString('utf8');
      remaining = 0;
    }
    let consumed = false;
    const body = (async function* (): AsyncGenerator<Buffer> {
      if (consumed) throw new CpioError('CPIO_ERR_INVALID_ENTRY', `body of ${name} already read`, { path: name });
      consumed = true;
      while (remaining > 0) {
        const c = await r.readSome(Math.min(remaining, 1024 * 1024));
        if (c.length === 0) throw new CpioError('CPIO_ERR_TRUNCATED', `archive truncated in ${name}`, { path: name });
        remaining -= c.length;
        yield c;
      }
    })();
    yield { ...info, body };
    // Skip whatever the consumer did not read, then the data padding.
    while (remaining > 0) {
      const c = await r.readSome(Math.min(remaining, 1024 * 1024));
      if (c.length === 0) throw new CpioError('CPIO_ERR_TRUNCATED', `archive truncated in ${name}`, { path: name });
      remaining -= c.length;
    }
    if (dataPad) {
      const p = await r.read(dataPad);
      if (p.length < dataPad) throw new CpioError('CPIO_ERR_TRUNCATED', `archive truncated after ${name}`, { path: name });
    }
  }
}

/** List an archive's entries (metadata only; data is skipped). Auto-detects gzip/zstd/none. */
export async function listArchive(source: ArchiveSource, opts: ReadOptions = {}): Promise<CpioEntryInfo[]> {
  const out: CpioEntryInfo[] = [];
  for await (const e of readArchive(source, opts)) {
    const { body: _body, ...info } = e;
    out.push(info);
  }
  return out;
}
