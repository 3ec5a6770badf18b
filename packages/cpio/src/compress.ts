import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { CpioError } from './errors.js';
import { gzipParallel } from './gzip-parallel.js';
import type { Compression, CompressionOptions } from './types.js';

/**
 * zstd: Node >= 22.15 / 23.8 has zlib.createZstdCompress; Node 20 does not. Then we fall back to
 * the `zstd` binary (Debian package zstd) through pipes, and if that is missing too we fail with
 * CPIO_ERR_ZSTD_UNAVAILABLE rather than silently writing another format.
 */
type ZstdFactory = (opts?: { params?: Record<number, number> }) => NodeJS.ReadWriteStream;
const zz = zlib as unknown as {
  createZstdCompress?: ZstdFactory;
  createZstdDecompress?: ZstdFactory;
  constants: Record<string, number>;
};

let zstdBinary: boolean | undefined;
function hasZstdBinary(): boolean {
  if (zstdBinary === undefined) {
    const r = spawnSync('zstd', ['--version'], { stdio: 'ignore' });
    zstdBinary = r.status === 0;
  }
  return zstdBinary;
}

/** How zstd would be done here: 'native' (node:zlib), 'binary' (zstd CLI) or null (unavailable). */
export function zstdSupport(): 'native' | 'binary' | null {
  if (typeof zz.createZstdCompress === 'function' && typeof zz.createZstdDecompress === 'function') return 'native';
  return hasZstdBinary() ? 'binary' : null;
}

function zstdUnavailable(): CpioError {
  return new CpioError(
    'CPIO_ERR_ZSTD_UNAVAILABLE',
    `zstd needs Node.js >= 22.15 (zlib zstd) or the zstd command; this is Node ${process.version} without zstd in PATH`,
  );
}

/** Run bytes through a child process filter with backpressure both ways. */
async function* throughProcess(source: AsyncIterable<Uint8Array>, cmd: string, args: string[]): AsyncGenerator<Buffer> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  const feeding = pipeline(Readable.from(source, { objectMode: false }), child.stdin);
  feeding.catch(() => undefined);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    await feeding;
    const code = await exited;
    if (code !== 0) throw new CpioError('CPIO_ERR_COMPRESSION', `${cmd} exited with ${code}: ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function* throughTransform(source: AsyncIterable<Uint8Array>, t: NodeJS.ReadWriteStream): AsyncGenerator<Buffer> {
  const feeding = pipeline(Readable.from(source, { objectMode: false }), t as unknown as NodeJS.WritableStream);
  feeding.catch(() => undefined);
  for await (const chunk of t as unknown as AsyncIterable<Buffer>) yield chunk;
  await feeding;
}

/** Compress a byte stream as configured. Output of gzip/none is deterministic. */
export function compressStream(
  source: AsyncIterable<Uint8Array>,
  opts: CompressionOptions & { onOutput?: (n: number) => void },
): AsyncIterable<Buffer> {
  const compression: Compression = opts.compression ?? 'none';
  if (opts.tee && compression !== 'gzip') {
    throw new CpioError('CPIO_ERR_COMPRESSION', `an uncompressed copy (tee) needs gzip compression, not ${compression}`);
  }
  const count = async function* (it: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    for await (const c of it) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      opts.onOutput?.(b.length);
      yield b;
    }
  };
  switch (compression) {
    case 'none':
      return count(source);
    case 'gzip': {
      const o: Parameters<typeof gzipParallel>[1] = {};
      if (opts.level !== undefined) o.level = opts.level;
      if (opts.threads !== undefined) o.threads = opts.threads;
      if (opts.blockSize !== undefined) o.blockSize = opts.blockSize;
      if (opts.onOutput) o.onOutput = opts.onOutput;
      if (opts.tee) o.tee = opts.tee;
      return gzipParallel(source, o);
    }
    case 'zstd': {
      const level = opts.level ?? 3;
      if (!Number.isInteger(level) || level < 1 || level > 19) {
        throw new CpioError('CPIO_ERR_COMPRESSION', `zstd level must be 1-19, got ${level}`);
      }
      const threads = opts.threads ?? os.availableParallelism();
      const support = zstdSupport();
      if (support === 'native') {
        const c = zz.constants;
        const params: Record<number, number> = { [c.ZSTD_c_compressionLevel!]: level };
        if (c.ZSTD_c_nbWorkers !== undefined && threads > 1) params[c.ZSTD_c_nbWorkers] = threads;
        return count(throughTransform(source, zz.createZstdCompress!({ params })));
      }
      if (support === 'binary') {
        return count(throughProcess(source, 'zstd', ['-q', '-c', `-${level}`, `-T${threads}`, '--no-progress']));
      }
      throw zstdUnavailable();
    }
    default:
      throw new CpioError('CPIO_ERR_COMPRESSION', `unknown compression ${String(compression)}`);
  }
}

export type DetectedCompression = 'gzip' | 'zstd' | 'none';

/**
 * Peek at the first bytes and decompress accordingly: gzip (1f 8b, multi-member allowed), zstd
 * (28 b5 2f fd) or plain newc ("0707").
 */
export async function* decompressAuto(
  source: AsyncIterable<Uint8Array>,
  onDetect?: (c: DetectedCompression) => void,
): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  while (headLen < 4) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    head.push(b);
    headLen += b.length;
  }
  const first = Buffer.concat(head);
  const rest = (async function* (): AsyncGenerator<Buffer> {
    if (first.length) yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    }
  })();
  let kind: DetectedCompression = 'none';
  if (first[0] === 0x1f && first[1] === 0x8b) kind = 'gzip';
  else if (first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd) kind = 'zstd';
  onDetect?.(kind);
  if (kind === 'none') {
    yield* rest;
    return;
  }
  try {
    if (kind === 'gzip') {
      yield* throughTransform(rest, zlib.createGunzip());
    } else {
      const support = zstdSupport();
      if (support === 'native') yield* throughTransform(rest, zz.createZstdDecompress!());
      else if (support === 'binary') yield* throughProcess(rest, 'zstd', ['-q', '-d', '-c']);
      else throw zstdUnavailable();
    }
  } catch (err) {
    if (err instanceof CpioError) throw err;
    // zlib's Z_DATA_ERROR & co. become a typed error; the cause keeps the details
    throw new CpioError('CPIO_ERR_CORRUPT', `${kind} data is corrupt: ${(err as Error).message}`, { cause: err });
  }
}
