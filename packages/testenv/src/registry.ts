/**
 * A real OCI registry for tests (Debian's docker-registry, distribution 2.8)
 * on 127.0.0.1, optionally with basic auth (bcrypt htpasswd) and TLS
 * (self-signed), plus skopeo to push and convert images. The recipe is
 * ../shared/e2e/registry.sh, done from Node so the test owns the process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { BlobStore } from '@warewulf/oci';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { createServer as createHttpServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';

export interface RegistryOptions {
  /** HTTP basic auth (htpasswd), or with `token` the credentials the token service wants. */
  user?: string;
  password?: string;
  /**
   * Bearer tokens (the Docker token protocol): a token service in this
   * process signs RS256 JWTs with a self-signed key that the registry trusts
   * (`auth: token` with `rootcertbundle`). With `user`, the service wants
   * those credentials (basic auth); without, it gives anyone a token.
   */
  token?: boolean;
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (`caFile` trusts it). */
  tls?: boolean;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  /** Storage root: `data/docker/registry/v2/blobs/sha256/<2>/<hex>/data` holds each blob. */
  dir: string;
  /** The self-signed certificate (TLS only). */
  caFile: string | undefined;
  /** skopeo copy SRC docker://host/REPO:TAG (SRC e.g. `oci-archive:/x.tar`, `oci:/dir`); `all` copies every platform. */
  push(src: string, repoTag: string, opts?: { all?: boolean; format?: 'oci' | 'v2s2' }): Promise<void>;
  /** Where the registry stores a blob (to tamper with it). */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

function shAsync(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr.trim()}`))));
  });
}

function probe(port: number, tls: boolean): Promise<number> {
  return new Promise((resolve) => {
    const done = (code: number) => resolve(code);
    const req = tls
      ? request({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false }, (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        })
      : get({ host: '127.0.0.1', port, path: '/v2/' }, (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        });
    req.on('error', () => done(0));
    if (tls) req.end();
  });
}

/** Start a registry; resolves when `/v2/` answers (200, or 401 with auth). */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'ww-registry-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  let caFile: string | undefined;
  if (opts.tls) {
    mkdirSync(join(dir, 'certs'));
    caFile = join(dir, 'certs', 'cert.pem');
    sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'certs', 'key.pem'), '-out', caFile]);
    lines.push('  tls:', `    certificate: ${caFile}`, `    key: ${join(dir, 'certs', 'key.pem')}`);
  }
  let tokenServer: Server | undefined;
  if (opts.token) {
    tokenServer = await startTokenService(dir, opts);
    const addr = tokenServer.address() as AddressInfo;
    lines.push('auth:', '  token:', `    realm: http://127.0.0.1:${addr.port}/token`, '    service: test-registry', '    issuer: test-issuer', `    rootcertbundle: ${join(dir, 'token', 'cert.pem')}`);
  } else if (opts.user !== undefined) {
    writeFileSync(join(dir, 'htpasswd'), sh('htpasswd', ['-Bbn', opts.user, opts.password ?? '']));
    lines.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    const code = await probe(port, opts.tls === true);
    if (code === 200 || code === 401) break;
    if (child.exitCode !== null || i > 200) {
      child.kill();
      tokenServer?.close();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not come up on 127.0.0.1:${port}: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const host = `127.0.0.1:${port}`;
  const creds = opts.user !== undefined ? [`--dest-creds=${opts.user}:${opts.password ?? ''}`] : [];
  return {
    host,
    port,
    dir,
    caFile,
    push(src, repoTag, o = {}) {
      // async: the token service answers from this process's event loop
      return shAsync('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...creds, ...(o.all ? ['--all'] : []), ...(o.format ? ['--format', o.format] : []), src, `docker://${host}/${repoTag}`]);
    },
    blobPath(digest) {
      const hex = digest.replace(/^sha256:/, '');
      return join(dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** The token service: `GET /token?service=&scope=repository:NAME:ACTIONS` -> `{ token }` (RS256 JWT with an x5c chain). */
async function startTokenService(dir: string, opts: RegistryOptions): Promise<Server> {
  mkdirSync(join(dir, 'token'));
  const keyFile = join(dir, 'token', 'key.pem');
  const certFile = join(dir, 'token', 'cert.pem');
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-token-issuer', '-keyout', keyFile, '-out', certFile]);
  const key = createPrivateKey(readFileSync(keyFile));
  const x5c = [new X509Certificate(readFileSync(certFile)).raw.toString('base64')];
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (opts.user !== undefined) {
      const want = `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"wrong credentials"}');
        return;
      }
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c }));
    const claims = b64url(JSON.stringify({
      iss: 'test-issuer', sub: opts.user ?? 'anonymous', aud: url.searchParams.get('service') ?? 'test-registry',
      exp: now + 600, nbf: now - 60, iat: now, jti: randomBytes(8).toString('hex'), access,
    }));
    const sig = sign('sha256', Buffer.from(`${header}.${claims}`), key);
    const token = `${header}.${claims}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

/** skopeo copy (`oci-archive:X` -> `docker-archive:Y:tag`; from a test registry: `--src-tls-verify=false` in `flags`). */
export function skopeoCopy(src: string, dest: string, ...flags: string[]): void {
  sh('skopeo', ['copy', '-q', ...flags, src, dest]);
}

/** The blob cache of a test root (`<root>/var/cache/warewulf/oci`). */
export function blobCache(root: string): BlobStore {
  return new BlobStore(join(root, 'var', 'cache', 'warewulf', 'oci'));
}

/** A blob file's content (to check what the registry holds). */
export function readBlob(reg: TestRegistry, digest: string): Buffer {
  return readFileSync(reg.blobPath(digest));
}
