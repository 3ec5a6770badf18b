import { closeSync, constants as fsc, openSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { encodeHeader, encodeTrailer, pad4 } from './newc-header.js';
import type { PlannedEntry } from './plan.js';
import type { CpioWarning } from './types.js';

/** Files up to this size are read ahead whole, in parallel, so many small files don't serialise on syscalls. */
const SMALL_FILE = 256 * 1024;
const PREFETCH_COUNT = 64;
const PREFETCH_BYTES = 8 * 1024 * 1024;
/** Read size for large files; bounded so memory stays flat whatever the file size. */
const READ_CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(4);
// O_NOFOLLOW: the path was lstat'ed as a regular file; if it was swapped for a symlink since, fail
// instead of archiving whatever the link points at.
const OPEN_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW;

export interface EmitCounters {
  entries: number;
  bytes: number;
  archiveBytes: number;
}

/**
 * Serialise planned entries as newc bytes. Yields header buffers and data chunks as they are
 * read; the consumer's pace (backpressure) drives the reads. Only the bounded read-ahead of small
 * files and one chunk of a large file are ever in memory.
 */
export async function* emitArchive(
  entries: readonly PlannedEntry[],
  counters: EmitCounters,
  warn: (w: CpioWarning) => void,
  onEntry: () => void,
  signal?: AbortSignal,
  /**
   * The consumer copies each chunk before asking for the next (parallel gzip does), so large-file
   * reads can reuse one buffer instead of allocating (and page-faulting) a fresh one per read.
   */
  reuseChunks = false,
  /** Directory that `{ kind: 'tree' }` entries are relative to. */
  treeRoot = '',
  /** End with `TRAILER!!!` (false: a part that a later part ends). */
  trailer = true,
  /** Read files with synchronous calls (WriteOptions.syncFs): no read-ahead, no thread pool. */
  syncFs = false,
): AsyncGenerator<Buffer> {
  const fsPath = (e: PlannedEntry): string =>
    e.data?.kind === 'path' ? e.data.path : `${treeRoot}/${e.name}`;
  let shared: Buffer | null = null;
  const prefetched = new Map<number, Promise<Buffer>>();
  let nextPrefetch = 0;
  let prefetchBytes = 0;

  const fillPrefetch = (current: number): void => {
    while (!syncFs && nextPrefetch < entries.length && nextPrefetch < current + PREFETCH_COUNT && prefetchBytes < PREFETCH_BYTES) {
      const e = entries[nextPrefetch]!;
      if ((e.data?.kind === 'path' || e.data?.kind === 'tree') && e.size <= SMALL_FILE) {
        const p = readFile(fsPath(e), { flag: OPEN_FLAGS });
        p.catch(() => undefined); // surfaced when awaited in order
        prefetched.set(nextPrefetch, p);
        prefetchBytes += e.size;
      }
      nextPrefetch++;
    }
  };

  for (let i = 0; i < entries.length; i++) {
    signal?.throwIfAborted();
    const e = entries[i]!;
    fillPrefetch(i);
    const header = encodeHeader(
      {
        ino: e.ino, mode: e.mode, uid: e.uid, gid: e.gid, nlink: e.nlink, mtime: e.mtime, fileSize: e.size,
        devMajor: 0, devMinor: 0, rdevMajor: e.rdevMajor, rdevMinor: e.rdevMinor,
      },
      Buffer.from(e.name, 'utf8'),
    );
    counters.archiveBytes += header.length;
    yield header;
    if (e.size > 0 && e.data) {
      let written = 0;
      const pre = prefetched.get(i);
      if (pre) {
        prefetched.delete(i);
        prefetchBytes -= e.size;
        const buf = await pre;
        if (buf.length > e.size) {
          warn({ code: 'CPIO_WARN_FILE_CHANGED', message: `${e.name}: grew to ${buf.length} bytes while archiving; truncated to ${e.size}`, path: e.name });
        }
        const use = buf.length > e.size ? buf.subarray(0, e.size) : buf;
        if (use.length > 0) yield use;
        written = use.length;
        counters.bytes += written;
      } else if (e.data.kind === 'bytes') {
        const b = Buffer.from(e.data.bytes.buffer, e.data.bytes.byteOffset, Math.min(e.size, e.data.bytes.byteLength));
        yield b;
        written = b.length;
        counters.bytes += written;
      } else if (syncFs && (e.data.kind === 'path' || e.data.kind === 'tree')) {
        const fd = openSync(fsPath(e), OPEN_FLAGS);
        try {
          while (written < e.size) {
            const want = Math.min(READ_CHUNK, e.size - written);
            const buf = reuseChunks ? (shared ??= Buffer.allocUnsafeSlow(READ_CHUNK)) : Buffer.allocUnsafe(Math.min(READ_CHUNK, want + 1));
            // one byte more than needed where the buffer has room: a file that grew since the walk is noticed for free
            const bytesRead = readSync(fd, buf, 0, want < buf.length ? want + 1 : want, written);
            if (bytesRead === 0) break;
            if (bytesRead > want) {
              warn({ code: 'CPIO_WARN_FILE_CHANGED', message: `${e.name}: grew to more than ${e.size} bytes while archiving; truncated to ${e.size}`, path: e.name });
            }
            const n = Math.min(bytesRead, want);
            written += n;
            counters.bytes += n;
            yield buf.subarray(0, n);
            signal?.throwIfAborted();
          }
        } finally {
          closeSync(fd);
        }
      } else if (e.data.kind === 'path' || e.data.kind === 'tree') {
        const fh = await open(fsPath(e), OPEN_FLAGS);
        try {
          while (written < e.size) {
            const want = Math.min(READ_CHUNK, e.size - written);
            const buf = reuseChunks ? (shared ??= Buffer.allocUnsafeSlow(READ_CHUNK)) : Buffer.allocUnsafe(want);
            const { bytesRead } = await fh.read(buf, 0, want, written);
            if (bytesRead === 0) break;
            written += bytesRead;
            counters.bytes += bytesRead;
            yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
            signal?.throwIfAborted();
          }
        } finally {
          await fh.close();
        }
      } else {
        for await (const chunk of e.data.open()) {
          const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          const room = e.size - written;
          if (room <= 0) break;
          const use = c.length > room ? c.subarray(0, room) : c;
          written += use.length;
          counters.bytes += use.length;
          yield use;
        }
      }
      if (written !== e.size) {
        // The header is already out: keep the archive well-formed (like GNU cpio does) and say so.
        warn({
          code: 'CPIO_WARN_FILE_CHANGED',
          message: `${e.name}: expected ${e.size} bytes, got ${written}${written < e.size ? '; padded with zeros' : ''}`,
          path: e.name,
        });
        let missing = e.size - written;
        while (missing > 0) {
          const z = Buffer.alloc(Math.min(missing, READ_CHUNK));
          missing -= z.length;
          yield z;
        }
      }
      counters.archiveBytes += e.size;
      const pad = pad4(e.size);
      if (pad) {
        counters.archiveBytes += pad;
        yield ZEROS.subarray(0, pad);
      }
    }
    counters.entries++;
    onEntry();
  }
  if (!trailer) return;
  const end = encodeTrailer();
  counters.archiveBytes += end.length;
  yield end;
}
