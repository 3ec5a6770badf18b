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
