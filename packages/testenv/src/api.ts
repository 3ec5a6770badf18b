/**
 * The REST API in a test: a provisioning tree with `api.enabled`, users in
 * auth.conf hashed by Apache's `htpasswd -B` (an independent bcrypt), and
 * requests that carry their credentials and come from loopback (inside the
 * default `allowed subnets`).
 */
import { execFileSync } from 'node:child_process';
import { makeProvisionRoot, type ProvisionRoot, type ProvisionRootOptions } from './provision.js';
import type { InjectOptions, InjectResponse, TestApp } from './daemon.js';

export const API_USER = 'admin';
export const API_PASSWORD = 'correct horse battery staple';

/** A bcrypt hash of `password` made by htpasswd (cost 4: tests need not be slow). */
export function bcryptHash(password: string): string {
  const line = execFileSync('htpasswd', ['-nbBC', '4', 'u', password], { encoding: 'utf8' }).trim();
  return line.slice(line.indexOf(':') + 1);
}

/** `Authorization: Basic ...` for these credentials. */
export function basicAuth(user = API_USER, password = API_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface ApiRootOptions extends ProvisionRootOptions {
  /** warewulf.conf `api:` keys (default: enabled, default subnets). */
  api?: { enabled?: boolean; tls?: boolean; allowedSubnets?: string[] };
  /** auth.conf users (default: API_USER with API_PASSWORD); null writes no auth.conf. */
  users?: { name: string; password: string }[] | null;
}

/** A provisioning root with the API on. */
export function makeApiRoot(o: ApiRootOptions = {}): ProvisionRoot {
  const api = o.api ?? {};
  const subnets = api.allowedSubnets ? `  allowed subnets:\n${api.allowedSubnets.map((s) => `    - ${s}\n`).join('')}` : '';
  const t = makeProvisionRoot({
    ...o,
    // warewulfExtra ends the warewulf: section; api: is a top-level section after it
    warewulfExtra: `${o.warewulfExtra ?? ''}api:\n  enabled: ${api.enabled ?? true}\n  tls: ${api.tls ?? false}\n${subnets}`,
  });
  const users = o.users === undefined ? [{ name: API_USER, password: API_PASSWORD }] : o.users;
  if (users !== null) {
    t.write('etc/warewulf/auth.conf', `users:\n${users.map((u) => `  - name: ${u.name}\n    password hash: ${bcryptHash(u.password)}\n`).join('')}`, 0o600);
  }
  return t;
}

/** An API request on a test app: credentials and a loopback peer unless given. */
export function apiRequest(a: Pick<TestApp, 'request'>, method: NonNullable<InjectOptions['method']>, url: string, o: Omit<InjectOptions, 'method'> & { auth?: string | null } = {}): Promise<InjectResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const auth = o.auth === undefined ? basicAuth() : o.auth;
  if (auth !== null) headers.authorization = auth;
  return a.request(url, { ...o, method, headers, peer: o.peer ?? '127.0.0.1:40000' });
}

export interface SseEvent {
  event: string;
  data: unknown;
}

export interface SseStream {
  status: number;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** The first event (from `from` on) of this name that `match` accepts; rejects after `timeoutMs`. */
  next(event: string, match?: (data: unknown) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Open a Server-Sent Events stream (GET) and parse its events as they arrive. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) as unknown });
        }
        for (const w of [...waiters]) w();
      });
      const ended = new Promise<void>((res2) => res.on('close', () => res2()));
      resolve({
        status: res.statusCode ?? 0,
        events,
        ended,
        close: () => req.destroy(),
        next(event, match = () => true, timeoutMs = 5000, from = 0) {
          return new Promise((res2, rej) => {
            const check = () => {
              const hit = events.slice(from).find((e) => e.event === event && match(e.data));
              if (!hit) return false;
              waiters.delete(check);
              clearTimeout(timer);
              res2(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`no ${event} event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
