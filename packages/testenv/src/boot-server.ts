/**
 * A stand-in for warewulfd in boot tests, until the real daemon is wired in:
 * static files for iPXE (script, kernel, image, system overlay) and
 * `/runtime/<wwid>` with the rules wwclient depends on (§4.4): in secure
 * mode only privileged source ports (< 1024) get the overlay (401
 * otherwise), and an ETag so an unchanged overlay costs a 304. Every request
 * is recorded with the peer's address and port, which is what the tests
 * assert on. Runs in-process (`startBootServer`) or as a child process inside
 * a network namespace (`boot-server-cli.ts`).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, relative, resolve } from 'node:path';

export interface BootServerOptions {
  /** Files served by path: GET /a/b reads `<dir>/a/b`; `/runtime/<wwid>` reads `<dir>/runtime/<wwid>`. */
  dir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** warewulf.secure: runtime overlays only to source ports < 1024. */
  secure: boolean;
  /** Called for each request after it was answered. */
  onRequest?: (r: BootRequest) => void;
}

export interface BootRequest {
  /** Milliseconds since the epoch. */
  time: number;
  method: string;
  /** Decoded path without the query. */
  path: string;
  query: Record<string, string>;
  remoteAddress: string;
  remotePort: number;
  status: number;
  ifNoneMatch: string;
  bytes: number;
}

export interface BootServer {
  port: number;
  requests: BootRequest[];
  close(): Promise<void>;
}

/** Normalise a wwid as warewulfd does: `-` becomes `:`, lower case (§4.3). */
export function normaliseWwid(wwid: string): string {
  return wwid.replace(/-/g, ':').toLowerCase();
}

function etagOf(data: Buffer): string {
  return `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;
}

/** The file for a request path, or undefined when the path leaves `dir`. */
function fileFor(dir: string, path: string): string | undefined {
  const rel = path.replace(/^\/+/, '');
  if (rel.includes('\0')) return undefined;
  const full = resolve(dir, rel);
  const r = relative(dir, full);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? undefined : full;
}

async function answer(opts: BootServerOptions, req: IncomingMessage, res: ServerResponse): Promise<{ status: number; bytes: number }> {
  const url = new URL(req.url ?? '/', 'http://x');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'bad path\n');
  }
  const runtime = /^\/(?:runtime|overlay-runtime)\/([^/]+)$/.exec(path);
  if (runtime) {
    if (opts.secure && (req.socket.remotePort ?? 0) >= 1024) return send(res, 401, 'Non-privileged port\n');
    path = `/runtime/${normaliseWwid(runtime[1] as string)}`;
  }
  const file = fileFor(opts.dir, path);
  if (!file) return send(res, 404, 'not found\n');
  let data: Buffer;
  try {
    if (!(await stat(file)).isFile()) return send(res, 404, 'not found\n');
    data = await readFile(file);
  } catch {
    return send(res, 404, 'not found\n');
  }
  const etag = etagOf(data);
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return { status: 304, bytes: 0 };
  }
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length, ETag: etag });
  res.end(req.method === 'HEAD' ? undefined : data);
  return { status: 200, bytes: data.length };
}

function send(res: ServerResponse, status: number, text: string): { status: number; bytes: number } {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return { status, bytes: 0 };
}

/** Start the server; resolves once it listens. */
export function startBootServer(opts: BootServerOptions): Promise<BootServer> {
  const requests: BootRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    answer(opts, req, res)
      .catch(() => send(res, 500, 'error\n'))
      .then(({ status, bytes }) => {
        let path = url.pathname;
        try {
          path = decodeURIComponent(path);
        } catch {
          /* logged as received */
        }
        const r: BootRequest = {
          time: Date.now(),
          method: req.method ?? '',
          path,
          query: Object.fromEntries(url.searchParams),
          remoteAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          remotePort: req.socket.remotePort ?? 0,
          status,
          ifNoneMatch: String(req.headers['if-none-match'] ?? ''),
          bytes,
        };
        requests.push(r);
        opts.onRequest?.(r);
      });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolvePromise({
        port: (server.address() as AddressInfo).port,
        requests,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Where the runtime overlay of `wwid` is read from, under the server's dir. */
export function runtimePath(dir: string, wwid: string): string {
  return join(dir, 'runtime', normaliseWwid(wwid));
}
