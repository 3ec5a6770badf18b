import { close, open, writeSync } from 'node:fs';
import * as os from 'node:os';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import { crc32Combine } from './crc32-combine.js';
import { CpioError } from './errors.js';

/**
 * pigz-style parallel gzip producing ONE standard gzip member: the input is cut into fixed-size
 * blocks; each block is raw-deflated independently (primed with the previous block's last 32 KiB
 * as dictionary, so the ratio stays close to serial gzip) and ended with a sync flush (byte
 * aligned, not final) except the last, which is finished. Concatenated in order, the blocks form
 * a single valid deflate stream; gzip header + combined CRC-32 + ISIZE wrap it. The bytes depend
 * only on the data, level and block size, never on thread count or timing.
 */
export const DEFAULT_BLOCK_SIZE = 128 * 1024;
const DICT_SIZE = 32 * 1024;

// The worker is inline source (CommonJS, eval) so it runs unchanged from dist/*.js and from
// src/*.ts under vitest, with no worker file to locate or copy.
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
// Each block leaves its output buffers as garbage in external memory, which V8 lets grow to
// ~50 MB per worker before collecting. A young-generation GC every 8 MiB of input costs
// nothing measurable and keeps the worker's RSS flat. (--expose-gc cannot be passed to a Worker.)
let collect = typeof globalThis.gc === 'function' ? globalThis.gc : null;
if (!collect) {
  try {
    require('node:v8').setFlagsFromString('--expose-gc');
    collect = require('node:vm').runInNewContext('gc');
  } catch {}
}
let sinceGc = 0;
parentPort.on('message', (job) => {
  if (collect && (sinceGc += job.input.byteLength) >= 8 * 1024 * 1024) {
    sinceGc = 0;
    collect({ type: 'minor' }); // a scavenge: the garbage is young, a full GC cost 15% CPU
  }
  try {
    const input = Buffer.from(job.input.buffer, job.input.byteOffset, job.input.byteLength);
    // the tee copy goes out first: pwrite at the block's own offset, so workers need no ordering
    for (let done = 0; job.teeFd !== null && done < input.length; ) {
      done += fs.writeSync(job.teeFd, input, done, input.length - done, job.teePos + done);
    }
    const opts = {
      level: job.level,
      chunkSize: 32 * 1024,
      finishFlush: job.last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    };
    if (job.dict) opts.dictionary = job.dict;
    const out = zlib.deflateRawSync(input, opts);
    // a fresh, exactly-sized ArrayBuffer that can be transferred without copying on the other side
    const own = new Uint8Array(out.length);
    own.set(out);
    const crc = zlib.crc32(input);
    // hand the input block back too (transferred, not copied) so the main thread can refill it
    parentPort.postMessage({ id: job.id, out: own, crc, input: job.input }, [own.buffer, job.input.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String((e && e.stack) || e) });
  }
});
`;

interface Job {
  id: number;
  input: Uint8Array;
  dict: Uint8Array | null;
  level: number;
  last: boolean;
  /** Also write the input at `teePos` of this file descriptor (the uncompressed copy), or null. */
  teeFd: number | null;
  teePos: number;
  /** Captured up front: `input` is detached once transferred to the worker. */
  len: number;
  resolve: (r: BlockResult) => void;
  reject: (e: Error) => void;
}

export interface BlockResult {
  out: Buffer;
  crc: number;
  len: number;
  /** The input block's memory, given back by the worker for reuse. */
  returned?: ArrayBuffer;
}

/** Same computation as the worker, for inputs that fit one block (no thread start-up cost). */
export function deflateBlock(input: Buffer, dict: Uint8Array | null, level: number, last: boolean): BlockResult {
  const opts: zlib.ZlibOptions = {
    level,
    chunkSize: 32 * 1024,
    finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
  };
  if (dict) opts.dictionary = dict;
  return { out: zlib.deflateRawSync(input, opts), crc: zlib.crc32(input), len: input.length };
}

class PooledWorker {
  readonly worker: Worker;
  job: Job | null = null;
  constructor(private readonly pool: WorkerPool) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref(); // idle workers must not keep the process alive
    this.worker.on('message', (msg: { id: number; out?: Uint8Array; crc?: number; input?: Uint8Array; error?: string }) => {
      const job = this.job;
      this.job = null;
      this.worker.unref();
      if (job) {
        if (msg.error !== undefined || !msg.out) {
          job.reject(new CpioError('CPIO_ERR_COMPRESSION', `gzip worker failed: ${msg.error ?? 'no output'}`));
        } else {
          const r: BlockResult = { out: Buffer.from(msg.out.buffer, msg.out.byteOffset, msg.out.byteLength), crc: msg.crc!, len: job.len };
          if (msg.input) r.returned = msg.input.buffer as ArrayBuffer;
          job.resolve(r);
        }
      }
      this.pool.dispatch();
    });
    const fail = (err: unknown): void => {
      const job = this.job;
      this.job = null;
      this.pool.remove(this);
      job?.reject(new CpioError('CPIO_ERR_COMPRESSION', `gzip worker died: ${String(err)}`, { cause: err }));
      this.pool.dispatch();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (this.job) fail(new Error(`exit code ${code}`));
      else this.pool.remove(this);
    });
  }
  run(job: Job): void {
    this.job = job;
    this.worker.ref(); // a pending job keeps the event loop alive until its result arrives
    // the input is transferred (not copied); the caller gave up ownership of it
    const transfer = [job.input.buffer as ArrayBuffer];
    // the dictionary is a copy made for this job alone: move it rather than clone it
    if (job.dict) transfer.push(job.dict.buffer as ArrayBuffer);
    this.worker.postMessage(
      { id: job.id, input: job.input, dict: job.dict, level: job.level, last: job.last, teeFd: job.teeFd, teePos: job.teePos },
      transfer,
    );
  }
}

/** Process-wide pool shared by concurrent streams (the daemon builds many overlays at once). */
class WorkerPool {
  private workers: PooledWorker[] = [];
  private queue: Job[] = [];
  private nextId = 1;

  ensure(n: number): void {
    while (this.workers.length < n) this.workers.push(new PooledWorker(this));
  }
  remove(w: PooledWorker): void {
    this.workers = this.workers.filter((x) => x !== w);
  }
  submit(input: Uint8Array, dict: Uint8Array | null, level: number, last: boolean, teeFd: number | null, teePos: number): Promise<BlockResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, dict, level, last, teeFd, teePos, len: input.byteLength, resolve, reject });
      this.dispatch();
    });
  }
  dispatch(): void {
    for (const w of this.workers) {
      if (this.queue.length === 0) return;
      if (w.job === null) w.run(this.queue.shift()!);
    }
  }
  /** Terminate all workers (tests, or a CLI that wants to exit promptly). */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}

const pool = new WorkerPool();
const MAX_THREADS = Math.max(1, os.availableParallelism());

/**
 * Start the shared gzip workers now (as many as gzipParallel would use with `threads`), so their
 * start-up (tens of ms each) overlaps other work such as a tree walk instead of delaying the first
 * block.
 */
export function startCompressionWorkers(threads?: number): void {
  pool.ensure(Math.max(1, Math.min(threads ?? MAX_THREADS, 64)));
}

/** Stop the shared compression workers. They are unref'ed, so this is optional. */
export function closeCompressionWorkers(): Promise<void> {
  return pool.close();
}

export interface GzipParallelOptions {
  level?: number;
  threads?: number;
  blockSize?: number;
  /** Called with the number of compressed bytes each time output is yielded. */
  onOutput?: (n: number) => void;
  /** Also write the uncompressed input to a new file (see {@link GzipTee}). */
  tee?: GzipTee;
}

/**
 * A second, uncompressed copy of the input, written by the compression workers while they
 * compress (each block at its own offset, so the copy costs the main thread nothing). The file
 * is created (it must not exist) when the first bytes arrive and closed before the last gzip
 * bytes are yielded, after every pending write; on failure a partial file is left for the caller
 * to remove.
 */
export interface GzipTee {
  path: string;
  /** Permission bits of the new file (default 0o644, less the umask). */
  mode?: number;
}

function gzipHeader(level: number): Buffer {
  // MTIME 0 and no name: deterministic output. XFL 2/4 as gzip sets them; OS 3 = Unix.
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level >= 9 ? 2 : level <= 1 ? 4 : 0, 3]);
}

/**
 * Compress `source` into one gzip member (see above); yields the header, the compressed blocks in
 * order and the trailer. Throws CPIO_ERR_COMPRESSION for a bad level or a failed worker, and the
 * file system's error when the tee cannot be written.
 */
export async function* gzipParallel(source: AsyncIterable<Uint8Array>, opts: GzipParallelOptions = {}): AsyncGenerator<Buffer> {
  const level = opts.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new CpioError('CPIO_ERR_COMPRESSION', `gzip level must be 0-9, got ${level}`);
  }
  const threads = Math.max(1, Math.min(opts.threads ?? MAX_THREADS, 64));
  const blockSize = Math.max(DICT_SIZE, opts.blockSize ?? DEFAULT_BLOCK_SIZE);
  // Enough blocks in flight to keep every worker busy while the main thread reads ahead; bounded
  // so memory is O(threads * blockSize) whatever the input size.
  const maxInflight = threads * 4 + 2;
  // Recycled block buffers: fresh 128 KiB allocations are mmap'ed and page-faulted by the kernel
  // every time, which showed up as seconds of system time on a large image.
  const free: ArrayBuffer[] = [];
  const newBlock = (): Buffer => {
    const ab = free.pop();
    return ab && ab.byteLength === blockSize ? Buffer.from(ab) : Buffer.allocUnsafeSlow(blockSize);
  };
  const inflight: Array<Promise<BlockResult>> = [];
  let crc = 0;
  let total = 0;
  let dict: Uint8Array | null = null;
  let block = newBlock();
  let fill = 0;
  let started = false;
  const emit = opts.onOutput ?? (() => undefined);
  let teeFd: number | null = null;
  let teePos = 0;

  const header = gzipHeader(level);
  emit(header.length);
  yield header;

  const take = (r: BlockResult): Buffer => {
    if (r.returned && free.length < maxInflight) free.push(r.returned);
    crc = total === 0 ? r.crc : crc32Combine(crc, r.crc, r.len);
    total += r.len;
    emit(r.out.length);
    return r.out;
  };
  const submit = (last: boolean): Promise<BlockResult> => {
    const input = block.subarray(0, fill);
    const nextDict = fill >= DICT_SIZE ? new Uint8Array(input.subarray(fill - DICT_SIZE)) : new Uint8Array(input);
    if (!started) {
      pool.ensure(threads);
      started = true;
    }
    const p = pool.submit(input, dict, level, last, teeFd, teePos);
    teePos += fill;
    p.catch(() => undefined); // rejections are rethrown in order below
    dict = nextDict;
    block = newBlock();
    fill = 0;
    return p;
  };

  try {
    if (opts.tee) teeFd = await openFd(opts.tee.path, 'wx', opts.tee.mode ?? 0o644);
    for await (const chunk of source) {
      let off = 0;
      while (off < chunk.length) {
        if (fill === blockSize) {
          // Full block with more data coming: it cannot be the last one.
          inflight.push(submit(false));
          while (inflight.length >= maxInflight) yield take(await inflight.shift()!);
        }
        const n = Math.min(blockSize - fill, chunk.length - off);
        block.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
      }
      // Hand out whatever finished without waiting, to keep latency and memory low.
      while (inflight.length > 0 && (await isSettled(inflight[0]!))) yield take(await inflight.shift()!);
    }
    if (!started) {
      // Whole input fits in one block: same bytes as a worker would produce, no threads needed.
      if (teeFd !== null) writeAllSync(teeFd, block.subarray(0, fill), 0);
      yield take(deflateBlock(block.subarray(0, fill), null, level, true));
    } else {
      inflight.push(submit(true));
      while (inflight.length > 0) yield take(await inflight.shift()!);
    }
    if (teeFd !== null) {
      const fd = teeFd;
      teeFd = null;
      await closeFd(fd);
    }
  } finally {
    // If the consumer stops early, let queued jobs finish in the background (results dropped);
    // but a tee's descriptor is closed only once no worker can write to it any more, or a
    // late write could land in whatever file reuses the number.
    if (teeFd !== null) {
      await Promise.allSettled(inflight);
      await closeFd(teeFd).catch(() => undefined);
    }
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(total % 0x1_0000_0000, 4);
  emit(8);
  yield trailer;
}

const openFd = promisify(open);
const closeFd = promisify(close);

/** Small writes only (one block at most): the workers write everything larger. */
function writeAllSync(fd: number, buf: Uint8Array, pos: number): void {
  for (let done = 0; done < buf.length; ) done += writeSync(fd, buf, done, buf.length - done, pos + done);
}

const PENDING = Symbol('pending');
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  const r = await Promise.race([p.then(() => true, () => true), Promise.resolve(PENDING)]);
  return r !== PENDING;
}
