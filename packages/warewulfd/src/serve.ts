/**
 * Streaming one file to a node with standard static-file semantics through
 * @fastify/send (§4.5): Range, HEAD, Last-Modified/If-Modified-Since and a
 * weak ETag/If-None-Match, so an unchanged runtime overlay poll is a 304.
 * The file is named by its directory and basename only (send's `root`), so
 * nothing reaches outside that directory; `compress=gz` picks `<file>.gz`.
 * Kernel/image/initramfs streams take a slot of the boot-storm bound first,
 * and their bodies come from memory (plugins/file-cache: the first request
 * reads the file in, the ones arriving meanwhile wait for that one read).
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import fresh from 'fresh';
import parseRange from 'range-parser';
import { createGunzip, gunzip } from 'node:zlib';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WwError } from '@warewulf/core';
import { BULK_STAGES, type Artefact, type Stage } from '@warewulf/core/provision';
import type { DaemonEnv } from './env.js';

const gunzipAsync = promisify(gunzip);

/** Bigger reads than fs's 64 KiB default: fewer syscalls and socket writes per MB on a boot storm. */
const READ_CHUNK = 256 * 1024;

export interface ServeTarget {
  /** A provisioning stage, or `files`. */
  stage: Stage | 'files';
  /** Node id for the status table and log. */
  node: string;
  peer: string;
  /** Record the request in the status table (default true; /files does not). */
  record?: boolean;
}

/**
 * Send `artefact` (already resolved, compression applied). Throws
 * WW_ERR_NOT_FOUND for a missing file or a directory. Answers 503 with
 * Retry-After itself when no stream slot comes free in time.
 */
export async function serveFile(env: DaemonEnv, req: FastifyRequest, reply: FastifyReply, a: Artefact, t: ServeTarget): Promise<void> {
  let release: (() => void) | undefined;
  const bulk = (BULK_STAGES as ReadonlySet<string>).has(t.stage);
  if (bulk) {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    release = await env.streams.acquire(gone.signal);
    reply.raw.off('close', onClose);
    if (release === undefined) {
      if (gone.signal.aborted) return void reply.hijack();
      env.metrics.busy.inc();
      const wait = env.retryAfter + Math.floor(Math.random() * 5);
      req.log.warn({ node: t.node, stage: t.stage }, `BUSY: no stream slot for ${t.node} (${t.stage}); retry after ${wait} s`);
      reply.code(503).header('Retry-After', String(wait)).type('text/plain; charset=utf-8');
      return void reply.send('Service Unavailable\n');
    }
    reply.raw.once('close', release);
  }
  try {
    // send decides status and headers as for a HEAD (it reads only the method and the
    // headers of the request, and opens no file then); the body is made here: from
    // memory when the file is hot, so a cached kernel or image costs no open(2)/close(2)
    const head: IncomingMessage = Object.create(req.raw, { method: { value: 'HEAD' } });
    const r = await send(head, `/${encodeURIComponent(a.name)}`, {
      root: a.dir,
      dotfiles: 'allow',
      index: false,
      etag: true,
      lastModified: true,
      acceptRanges: true,
      cacheControl: false,
    });
    if (r.type === 'directory' || r.statusCode === 404) throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${a.dir}/${a.name}`);
    if (r.type === 'error') {
      // a precondition or range the file cannot meet: send's own answer (412, 416) is the right one
      if (r.statusCode === 412 || r.statusCode === 416) {
        release?.();
        reply.code(r.statusCode).headers(r.headers);
        return void (await reply.send(r.stream));
      }
      throw new WwError(r.statusCode >= 500 ? 'WW_ERR_IO' : 'WW_ERR_BAD_REQUEST', r.metadata.error.message);
    }
    req.log.info({ file: r.metadata.path, node: t.node }, `send ${r.metadata.path} -> ${t.node}`);
    if (t.record !== false) env.status.update(t.node, t.stage, a.name, t.peer);
    const body = req.raw.method === 'HEAD' || (r.statusCode !== 200 && r.statusCode !== 206) ? r.stream : await fileBody(env, bulk, r);
    const counter = env.metrics.bytes.labels({ stage: t.stage });
    reply.code(r.statusCode).headers(r.headers);
    if (Buffer.isBuffer(body)) {
      // from memory: one write that libuv carries to the end without coming back to JS per chunk
      // (a view of the cached file, no copy); the bytes are counted once they are all handed over
      reply.raw.once('finish', () => counter.inc(body.length));
      return void (await reply.send(body));
    }
    body.on('data', (chunk: Buffer) => counter.inc(chunk.length));
    await reply.send(body);
  } catch (err) {
    release?.();
    throw err;
  }
}

/**
 * The body of a 200 or 206 that send answered as for a HEAD: the bytes its
 * Content-Length (and Content-Range) name. A bulk file comes from memory
 * (read into the cache first if needed, checked against send's stat);
 * anything else, or a file the cache does not take, is read from disk in
 * chunks of up to 256 KiB (no bigger than the file: overlays are a few KiB).
 */
async function fileBody(env: DaemonEnv, bulk: boolean, r: send.FileSendResult): Promise<Readable | Buffer> {
  const { path, stat: st } = r.metadata;
  let start = 0;
  let end = Number(r.headers['Content-Length']) - 1;
  const range = r.statusCode === 206 ? /^bytes (\d+)-(\d+)\//.exec(String(r.headers['Content-Range'] ?? '')) : null;
  if (range) {
    start = Number(range[1]);
    end = Number(range[2]);
  }
  if (end < start) return Readable.from([]);
  const buf = bulk ? await env.files.get(path, st) : undefined;
  if (buf !== undefined) return buf.subarray(start, end + 1);
  return createReadStream(path, { start, end, highWaterMark: Math.min(READ_CHUNK, end - start + 1) });
}

/** A rendered template: plain text with its length; a `compress` parameter on a template is a 404 (§4.5). */
export function sendText(env: DaemonEnv, reply: FastifyReply, body: string, sent: string, t: ServeTarget): void {
  env.status.update(t.node, t.stage, sent, t.peer);
  env.metrics.bytes.inc({ stage: t.stage }, Buffer.byteLength(body));
  reply.code(200).type('text/plain; charset=utf-8').send(body);
}

/**
 * A node's overlay as the plain archive when only `<file>.gz` is kept (the
 * builder writes the compressed image only: at 10,000 nodes the plain copies
 * would be 20,000 more copies of the same hosts file), with the static-file
 * semantics of §4.5 all the same: Content-Length, HEAD, Range (206/416), and
 * an ETag and Last-Modified of its own so that wwclient's unchanged poll is a
 * 304 without inflating anything. The length is only known by inflating (the
 * gzip trailer will not do: the builder writes several members, and ISIZE is
 * the last one's), so a request for the body or its length inflates the
 * archive into memory (overlays are small; nothing is kept after the
 * response). One bigger than the file cache's `maxFile` streams as a 200
 * without length or Range instead. Throws WW_ERR_NOT_FOUND when there is no
 * `.gz` either, WW_ERR_IO when it does not inflate.
 */
export async function serveDecompressed(env: DaemonEnv, req: FastifyRequest, reply: FastifyReply, a: Artefact, t: ServeTarget): Promise<void> {
  const gz = join(a.dir, `${a.name}.gz`);
  let fh: FileHandle;
  try {
    fh = await open(gz);
  } catch {
    throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${a.dir}/${a.name}`);
  }
  // one open file for the stat and the bytes: a rebuild renaming a new image in meanwhile cannot mix them
  let handedOver = false;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${a.dir}/${a.name}`);
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}-plain"`;
    const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
    reply.header('ETag', etag).header('Last-Modified', lastModified).header('Content-Type', 'application/octet-stream');
    const cond = conditional(req.headers, etag, lastModified);
    if (cond === 412) return void reply.code(412).type('text/plain; charset=utf-8').send('Precondition Failed\n');
    if (cond === 304) {
      if (t.record !== false) env.status.update(t.node, t.stage, a.name, t.peer);
      return void reply.code(304).send();
    }
    const plain = await inflateFile(fh, gz, env.files.maxFile);
    req.log.info({ file: gz, node: t.node }, `send ${gz} (decompressed) -> ${t.node}`);
    if (t.record !== false) env.status.update(t.node, t.stage, a.name, t.peer);
    const counter = env.metrics.bytes.labels({ stage: t.stage });
    if (plain === undefined) {
      req.log.warn({ file: gz, node: t.node }, `${gz} inflates to more than ${env.files.maxFile} bytes: sent without Content-Length or Range`);
      if (req.raw.method === 'HEAD') return void reply.code(200).send();
      const body = fh.createReadStream({ start: 0, highWaterMark: READ_CHUNK }).pipe(createGunzip());
      handedOver = true;
      body.on('data', (chunk: Buffer) => counter.inc(chunk.length));
      return void (await reply.code(200).send(body));
    }
    reply.header('Accept-Ranges', 'bytes');
    const range = byteRange(req.headers, plain.length, etag, lastModified);
    if (range === 'unsatisfiable') {
      reply.code(416).header('Content-Range', `bytes */${plain.length}`).type('text/plain; charset=utf-8');
      return void reply.send('Range Not Satisfiable\n');
    }
    const body = range ? plain.subarray(range.start, range.end + 1) : plain;
    reply.code(range ? 206 : 200).header('Content-Length', String(body.length));
    if (range) reply.header('Content-Range', `bytes ${range.start}-${range.end}/${plain.length}`);
    if (req.raw.method === 'HEAD') return void (await reply.send(Readable.from([])));
    reply.raw.once('finish', () => counter.inc(body.length));
    await reply.send(body);
  } finally {
    if (!handedOver) await fh.close();
  }
}

/**
 * The plain bytes of the gzip file open as `fh` (every member, as gzip -d
 * gives them), inflated off the main thread; undefined when they would be
 * more than `max` bytes. Throws WW_ERR_IO naming `path` when it does not inflate.
 */
async function inflateFile(fh: FileHandle, path: string, max: number): Promise<Buffer | undefined> {
  const packed = await fh.readFile();
  try {
    return await gunzipAsync(packed, { maxOutputLength: max });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw new WwError('WW_ERR_IO', `cannot decompress ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Comma-separated entity tags of an If-Match header, matched weakly as @fastify/send does. */
function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((e) => {
    const m = e.trim();
    return m === '*' || m === etag || `W/${m}` === etag;
  });
}

/**
 * The answer the conditional headers call for, by @fastify/send's rules (so
 * the plain and the stored forms behave alike): 412 for a failed If-Match or
 * If-Unmodified-Since, 304 when `fresh` (the library send's rules come from)
 * finds the client's copy current, else undefined (send the body).
 */
function conditional(h: IncomingHttpHeaders, etag: string, lastModified: string): 304 | 412 | undefined {
  if (h['if-match'] !== undefined && !etagListMatches(h['if-match'], etag)) return 412;
  const ius = Date.parse(h['if-unmodified-since'] ?? '');
  if (!Number.isNaN(ius) && Date.parse(lastModified) > ius) return 412;
  return fresh(h, { etag, 'last-modified': lastModified }) ? 304 : undefined;
}

/**
 * The one byte range asked for in `length` bytes (range-parser, RFC 9110
 * §14): undefined for the whole (no Range, not `bytes=`, a stale If-Range,
 * or several ranges, which may be answered whole), 'unsatisfiable' for a 416.
 */
function byteRange(h: IncomingHttpHeaders, length: number, etag: string, lastModified: string): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (h.range === undefined) return undefined;
  const raw = h['if-range'];
  const ifRange = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  if (ifRange !== '') {
    const current = ifRange.includes('"') ? ifRange.includes(etag) : Date.parse(lastModified) <= Date.parse(ifRange);
    if (!current) return undefined;
  }
  const ranges = parseRange(length, h.range, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  const [r] = ranges;
  return r === undefined ? undefined : { start: r.start, end: r.end };
}
