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
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import send from '@fastify/send';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WwError } from '@warewulf/core';
import { BULK_STAGES, type Artefact, type Stage } from '@warewulf/core/provision';
import type { DaemonEnv } from './env.js';

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
 * would be 20,000 more copies of the same hosts file): decompressed while it
 * streams, with an ETag and Last-Modified of its own so that wwclient's
 * unchanged poll is still a 304. Range is not offered on this form.
 * Throws WW_ERR_NOT_FOUND when there is no `.gz` either.
 */
export async function serveDecompressed(env: DaemonEnv, req: FastifyRequest, reply: FastifyReply, a: Artefact, t: ServeTarget): Promise<void> {
  const gz = join(a.dir, `${a.name}.gz`);
  let st;
  try {
    st = await stat(gz);
  } catch {
    throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${a.dir}/${a.name}`);
  }
  if (!st.isFile()) throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${a.dir}/${a.name}`);
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}-plain"`;
  const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
  reply.header('ETag', etag).header('Last-Modified', lastModified).header('Content-Type', 'application/octet-stream');
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const fresh = inm !== undefined ? inm.split(',').some((e) => e.trim() === etag || e.trim() === '*') : ims !== undefined && Date.parse(ims) >= Date.parse(lastModified);
  if (fresh) {
    env.status.update(t.node, t.stage, a.name, t.peer);
    return void reply.code(304).send();
  }
  req.log.info({ file: gz, node: t.node }, `send ${gz} (decompressed) -> ${t.node}`);
  if (t.record !== false) env.status.update(t.node, t.stage, a.name, t.peer);
  if (req.raw.method === 'HEAD') return void reply.code(200).send();
  const counter = env.metrics.bytes.labels({ stage: t.stage });
  const body = createReadStream(gz).pipe(createGunzip());
  body.on('data', (chunk: Buffer) => counter.inc(chunk.length));
  await reply.code(200).send(body);
}
