import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressStream } from './compress.js';
import { emitArchive } from './emit.js';
import { startCompressionWorkers } from './gzip-parallel.js';
import type { EmitCounters } from './emit.js';
import { planEntries } from './plan.js';
import type { PlannedEntry } from './plan.js';
import { walkTree } from './walk.js';
import type { CpioEntryInput, CpioWarning, PackResult, PackTreeOptions, ProgressEvent, WriteOptions } from './types.js';

/** Progress callbacks at most this often (plus a final one); per-file calls would swamp a CLI. */
const PROGRESS_INTERVAL_MS = 100;

/** A Readable of archive bytes that also resolves a summary when fully consumed. */
export interface ArchiveStream extends Readable {
  /** Resolves after the last byte has been produced; rejects like the stream. */
  readonly result: Promise<PackResult>;
}

type Planner = (warn: (w: CpioWarning) => void) => Promise<{ root: string; entries: PlannedEntry[] }>;

/** `prestart`: start the gzip workers before planning (a tree walk), when gzip is asked for. */
function makeArchiveStream(plan: Planner, opts: WriteOptions, prestart = false): ArchiveStream {
  const warn = (w: CpioWarning): void => opts.onWarning?.(w);
  let resolveResult!: (r: PackResult) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<PackResult>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  result.catch(() => undefined);

  async function* generate(): AsyncGenerator<Buffer> {
    try {
      opts.signal?.throwIfAborted();
      if (prestart && opts.compression === 'gzip') startCompressionWorkers(opts.threads);
      const { root, entries } = await plan(warn);
      const counters: EmitCounters = { entries: 0, bytes: 0, archiveBytes: 0 };
      const totalBytes = entries.reduce((s, e) => s + (e.data ? e.size : 0), 0);
      let bytesOut = 0;
      let last = 0;
      const progress = (done: boolean): void => {
        if (!opts.onProgress) return;
        const now = Date.now();
        if (!done && now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        const ev: ProgressEvent = {
          entries: counters.entries, totalEntries: entries.length, bytes: counters.bytes, totalBytes, bytesOut, done,
        };
        opts.onProgress(ev);
      };
      const raw = emitArchive(entries, counters, warn, () => progress(false), opts.signal, opts.compression === 'gzip', root, opts.trailer !== false, opts.syncFs === true);
      const out = compressStream(raw, {
        ...opts,
        onOutput: (n) => {
          bytesOut += n;
        },
      });
      for await (const chunk of out) {
        yield chunk;
        progress(false);
      }
      progress(true);
      resolveResult({ entries: counters.entries, dataBytes: counters.bytes, archiveBytes: counters.archiveBytes, bytesOut });
    } catch (err) {
      rejectResult(err);
      throw err;
    }
  }
  const stream = Readable.from(generate(), { objectMode: false, highWaterMark: 1024 * 1024 }) as ArchiveStream;
  Object.defineProperty(stream, 'result', { value: result });
  return stream;
}

/**
 * Stream a directory tree as a newc cpio archive (optionally compressed). Nothing happens until
 * the stream is read; the walk then collects metadata for the whole tree (needed to place hard
 * link data on the last member and to report totals), and file contents are read as the consumer
 * pulls. The root directory itself is not an entry; names are relative ("etc/hosts").
 */
export function packTree(dir: string, opts: PackTreeOptions = {}): ArchiveStream {
  // a tree is usually big enough to need the workers: start them while it is walked
  return makeArchiveStream((warn) => walkTree(dir, opts, warn), opts, true);
}

/**
 * Write an archive from a list of entries (e.g. overlay files rendered in memory). Missing parent
 * directories are added (0755); entries are sorted into the same order `packTree` uses.
 */
export function writeArchive(
  entries: Iterable<CpioEntryInput> | AsyncIterable<CpioEntryInput>,
  opts: WriteOptions = {},
): ArchiveStream {
  return makeArchiveStream(async (warn) => ({ root: '', entries: await planEntries(entries, opts, warn) }), opts);
}

/**
 * Write `stream` to `outPath` atomically: a temp file in the same directory, fsync, rename.
 * On error the temp file is removed and `outPath` is left untouched.
 */
export async function writeStreamToFile(stream: ArchiveStream, outPath: string, mode = 0o644): Promise<PackResult> {
  const dir = path.dirname(path.resolve(outPath));
  const tmp = path.join(dir, `.${path.basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await pipeline(stream, createWriteStream(tmp, { mode, flags: 'wx' }));
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, outPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return stream.result;
}

export function packTreeToFile(dir: string, outPath: string, opts: PackTreeOptions = {}): Promise<PackResult> {
  return writeStreamToFile(packTree(dir, opts), outPath);
}

export function writeArchiveToFile(
  entries: Iterable<CpioEntryInput> | AsyncIterable<CpioEntryInput>,
  outPath: string,
  opts: WriteOptions = {},
): Promise<PackResult> {
  return writeStreamToFile(writeArchive(entries, opts), outPath);
}
