/**
 * Plain HTTP clients for real-TCP tests of the daemon: a GET that can bind
 * a chosen local port (a privileged one needs root; e2e README D), and a raw
 * request line sent as is (no client-side path normalisation).
 */
import { request } from 'node:http';
import { connect } from 'node:net';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** GET `url`; `localPort` binds the client's source port. No agent, one connection. */
export function httpGet(url: string, o: { localPort?: number; headers?: Record<string, string>; method?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: o.method ?? 'GET',
        agent: false,
        headers: { connection: 'close', ...(o.headers ?? {}) },
        ...(o.localPort !== undefined ? { localAddress: u.hostname, localPort: o.localPort } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let nextPrivileged = 600 + (process.pid % 300);

/**
 * GET from a privileged source port (< 1024; root only). A port still in
 * TIME_WAIT towards the same server is skipped (EADDRINUSE/EADDRNOTAVAIL).
 */
export async function privilegedGet(url: string, headers: Record<string, string> = {}): Promise<HttpResult & { localPort: number }> {
  for (let tries = 0; tries < 50; tries++) {
    const localPort = nextPrivileged;
    nextPrivileged = nextPrivileged >= 1023 ? 600 : nextPrivileged + 1;
    try {
      return { ...(await httpGet(url, { localPort, headers })), localPort };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw err;
    }
  }
  throw new Error('no free privileged source port');
}

/** Send `GET <target> HTTP/1.1` exactly as given and return the status and body. */
export function rawGet(host: string, port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed socket may be dropped by the server before an async answer
    const s = connect({ host, port }, () => s.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}
