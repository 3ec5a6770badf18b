/**
 * A client of the OCI distribution API (`/v2/`), the part of pulling that
 * has no well-kept Node library: manifests and blobs by digest, anonymous,
 * HTTP basic and bearer-token authentication (the Docker token protocol),
 * redirects to blob storage (credentials never follow to another origin),
 * TLS verification on by default.
 *
 * `insecure` (wwctl `--nohttps`, as containers/image's "insecure skip TLS
 * verify"): certificates are not verified, and a registry that does not speak
 * TLS at all is reached over plain HTTP.
 *
 * Credentials and tokens never appear in errors or logs: messages are built
 * from the registry host, the repository and status codes, and pass through a
 * redactor for anything a lower layer might echo.
 */
import type { Agent, Dispatcher } from 'undici';

// undici is loaded on the first request: it is ~0.2 s of CPU to load, and the CLI reaches this
// module for every image command (e.g. `image build`), most of which never talk to a registry.
let undiciModule: Promise<typeof import('undici')> | undefined;
const undici = (): Promise<typeof import('undici')> => (undiciModule ??= import('undici'));
type RequestOpts = Omit<NonNullable<Parameters<typeof import('undici')['request']>[1]>, 'dispatcher'>;
import { parseDigest, digestOf, type Digest } from './digest.js';
import { OciError, abortError } from './errors.js';
import { MANIFEST_ACCEPT } from './manifest.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface RegistryOptions {
  credentials?: Credentials | undefined;
  /** Skip TLS verification and allow plain HTTP (`--nohttps`). */
  insecure?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Debug lines (URLs without credentials, statuses). */
  debug?: ((msg: string) => void) | undefined;
}

export interface FetchedManifest {
  data: Buffer;
  /** Content-Type of the answer. */
  contentType: string | undefined;
  /** sha256 of the bytes, verified against the reference digest or Docker-Content-Digest. */
  digest: Digest;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://auth",service="reg",scope="repository:x:pull"` -> scheme + params. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase(), params };
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export class RegistryClient {
  private agent: Promise<Agent> | undefined;
  private base: Promise<string> | undefined;
  /** Authorization header per scope (`Basic ...` or `Bearer ...`). */
  private readonly auth = new Map<string, string>();
  private readonly secrets: string[] = [];

  /** `registry` is `host[:port]` from the reference. */
  constructor(
    readonly registry: string,
    private readonly opts: RegistryOptions = {},
  ) {
    const c = opts.credentials;
    if (c) {
      if (c.password) this.secrets.push(c.password);
      this.secrets.push(Buffer.from(`${c.username}:${c.password}`).toString('base64'));
    }
  }

  async close(): Promise<void> {
    if (this.agent) await (await this.agent).close();
  }

  /** undici's `request` through this client's connection pool (made on first use). */
  private async request(url: string | URL, opts: RequestOpts): Promise<Dispatcher.ResponseData> {
    const u = await undici();
    this.agent ??= Promise.resolve(new u.Agent({ connect: { rejectUnauthorized: !this.opts.insecure }, connections: 8 }));
    return u.request(url, { ...opts, dispatcher: await this.agent });
  }

  /** Replace anything secret in a message (passwords, tokens, Basic blobs). */
  redact(msg: string): string {
    let out = msg;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out.replace(/(Bearer|Basic)\s+[A-Za-z0-9+/=._~-]{8,}/g, '$1 ***');
  }

  private err(code: ConstructorParameters<typeof OciError>[0], msg: string, cause?: unknown): OciError {
    return new OciError(code, this.redact(msg), cause === undefined ? {} : { cause: new Error(this.redact(String((cause as Error)?.message ?? cause))) });
  }

  private networkError(url: URL, err: unknown): OciError {
    if (this.opts.signal?.aborted) return abortError(this.opts.signal);
    const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    const detail = (err as Error).message ?? String(err);
    if (code !== undefined && TLS_CODES.has(code)) {
      return this.err('OCI_ERR_TLS', `TLS with ${url.host} failed (${code}: ${detail}); trust its CA through NODE_EXTRA_CA_CERTS, or use --nohttps to skip verification`, err);
    }
    return this.err('OCI_ERR_NETWORK', `cannot reach registry ${url.host}: ${code ? `${code}: ` : ''}${detail}`, err);
  }

  /** `https://host` or, for an insecure registry that does not speak TLS, `http://host`. */
  private baseUrl(): Promise<string> {
    this.base ??= (async () => {
      const https = `https://${this.registry}`;
      if (!this.opts.insecure) return https;
      try {
        const res = await this.request(`${https}/v2/`, { method: 'GET', signal: this.opts.signal, maxRedirections: 0 });
        await res.body.dump();
        return https;
      } catch (err) {
        if (this.opts.signal?.aborted) throw abortError(this.opts.signal);
        this.opts.debug?.(`https://${this.registry}/v2/ failed (${(err as { code?: string }).code ?? (err as Error).message}); trying plain HTTP (--nohttps)`);
        return `http://${this.registry}`;
      }
    })();
    return this.base;
  }

  /**
   * GET `path` in `repository`'s scope: authenticates on 401 (once), follows
   * redirects (Authorization only to the same origin). The caller consumes or
   * dumps the body.
   */
  private async get(repository: string, path: string, accept?: string): Promise<Dispatcher.ResponseData> {
    const scope = `repository:${repository}:pull`;
    let url = new URL(`${await this.baseUrl()}${path}`);
    const origin = url.origin;
    let authTried = false;
    for (let hops = 0; ; ) {
      const headers: Record<string, string> = { 'user-agent': 'warewulf-ts' };
      if (accept) headers.accept = accept;
      const auth = this.auth.get(scope);
      if (auth && url.origin === origin) headers.authorization = auth;
      this.opts.debug?.(`GET ${url.href}`);
      let res: Dispatcher.ResponseData;
      try {
        res = await this.request(url, { method: 'GET', headers, signal: this.opts.signal, maxRedirections: 0 });
      } catch (err) {
        throw this.networkError(url, err);
      }
      if (res.statusCode === 401 && url.origin === origin && !authTried) {
        authTried = true;
        const challenge = parseChallenge(header(res.headers, 'www-authenticate'));
        await res.body.dump();
        await this.authenticate(challenge, scope, repository);
        continue;
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && header(res.headers, 'location')) {
        await res.body.dump();
        if (++hops > MAX_REDIRECTS) throw this.err('OCI_ERR_REGISTRY', `${this.registry}/${repository}: too many redirects for ${path}`);
        url = new URL(header(res.headers, 'location')!, url);
        continue;
      }
      if (res.statusCode === 401) {
        await res.body.dump();
        throw this.err('OCI_ERR_AUTH', this.opts.credentials
          ? `authentication to ${this.registry} failed for ${repository}: wrong username or password`
          : `${this.registry} requires authentication for ${repository}: use --username/--password or WAREWULF_OCI_USERNAME/WAREWULF_OCI_PASSWORD`);
      }
      if (res.statusCode !== 200) throw await this.statusError(res, repository, path);
      return res;
    }
  }

  private async statusError(res: Dispatcher.ResponseData, repository: string, path: string): Promise<OciError> {
    let detail = '';
    try {
      const text = (await res.body.text()).slice(0, 2000);
      const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      detail = (j.errors ?? []).map((e) => `${e.code ?? ''}${e.message ? ` ${e.message}` : ''}`.trim()).join('; ');
    } catch {
      /* not a registry error document */
    }
    const what = `${this.registry}/${repository}: GET ${path}: HTTP ${res.statusCode}${detail ? ` (${detail})` : ''}`;
    if (res.statusCode === 404) return this.err('OCI_ERR_NOT_FOUND', what);
    if (res.statusCode === 403) return this.err('OCI_ERR_AUTH', `${what}: access denied`);
    return this.err('OCI_ERR_REGISTRY', what);
  }

  private async authenticate(challenge: Challenge | undefined, scope: string, repository: string): Promise<void> {
    const creds = this.opts.credentials;
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (!challenge || challenge.scheme === 'basic') {
      if (!basic) {
        throw this.err('OCI_ERR_AUTH', `${this.registry} requires authentication for ${repository}: use --username/--password or WAREWULF_OCI_USERNAME/WAREWULF_OCI_PASSWORD`);
      }
      this.auth.set(scope, basic);
      return;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw this.err('OCI_ERR_AUTH', `${this.registry}: unsupported authentication scheme ${challenge.scheme}`);
    }
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? scope);
    this.opts.debug?.(`token request to ${realm.origin}${realm.pathname} for ${scope}${basic ? ' with credentials' : ''}`);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.request(realm, {
        method: 'GET', signal: this.opts.signal, maxRedirections: 3,
        headers: { 'user-agent': 'warewulf-ts', ...(basic ? { authorization: basic } : {}) },
      } as RequestOpts);
    } catch (err) {
      throw this.networkError(realm, err);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      await res.body.dump();
      throw this.err('OCI_ERR_AUTH', creds
        ? `authentication to ${this.registry} failed for ${repository}: wrong username or password`
        : `${this.registry} requires authentication for ${repository}: use --username/--password or WAREWULF_OCI_USERNAME/WAREWULF_OCI_PASSWORD`);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw this.err('OCI_ERR_AUTH', `token service ${realm.host} answered HTTP ${res.statusCode} for ${repository}`);
    }
    let token: string | undefined;
    try {
      const j = (await res.body.json()) as { token?: unknown; access_token?: unknown };
      token = typeof j.token === 'string' ? j.token : typeof j.access_token === 'string' ? j.access_token : undefined;
    } catch {
      token = undefined;
    }
    if (!token) throw this.err('OCI_ERR_AUTH', `token service ${realm.host} gave no token for ${repository}`);
    this.secrets.push(token);
    this.auth.set(scope, `Bearer ${token}`);
  }

  /**
   * A manifest or index by tag or digest. Verified: by digest, the bytes must
   * hash to it; by tag, to the registry's Docker-Content-Digest when sent.
   */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const res = await this.get(repository, path, MANIFEST_ACCEPT);
    const declared = Number(header(res.headers, 'content-length') ?? NaN);
    if (declared > MAX_MANIFEST_BYTES) {
      await res.body.dump();
      throw this.err('OCI_ERR_MANIFEST', `${this.registry}/${repository}:${reference}: manifest of ${declared} bytes is larger than ${MAX_MANIFEST_BYTES}`);
    }
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of res.body as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > MAX_MANIFEST_BYTES) {
        res.body.destroy();
        throw this.err('OCI_ERR_MANIFEST', `${this.registry}/${repository}:${reference}: manifest larger than ${MAX_MANIFEST_BYTES} bytes`);
      }
      chunks.push(c);
    }
    const data = Buffer.concat(chunks);
    const actual = digestOf(data);
    const what = `manifest ${this.registry}/${repository}@${reference}`;
    if (reference.includes(':')) {
      const want = parseDigest(reference, what);
      const got = want.startsWith('sha512:') ? digestOf(data, 'sha512') : actual;
      if (got !== want) throw new OciError('OCI_ERR_DIGEST_MISMATCH', `${what}: content does not match its digest (got ${got})`, { entry: reference });
    } else {
      const dcd = header(res.headers, 'docker-content-digest');
      if (dcd && dcd.startsWith('sha256:') && dcd !== actual) {
        throw new OciError('OCI_ERR_DIGEST_MISMATCH', `${what}: content does not match Docker-Content-Digest ${dcd} (got ${actual})`, { entry: dcd });
      }
    }
    return { data, contentType: header(res.headers, 'content-type'), digest: actual };
  }

  /** A blob's bytes as a stream; the caller verifies (BlobStore.put does). */
  async getBlob(repository: string, digest: Digest): Promise<{ body: AsyncIterable<Uint8Array>; size: number | undefined; destroy(): void }> {
    const res = await this.get(repository, `/v2/${repository}/blobs/${digest}`);
    const len = header(res.headers, 'content-length');
    const client = this;
    const body = (async function* () {
      try {
        for await (const c of res.body as AsyncIterable<Buffer>) yield c;
      } catch (err) {
        throw client.networkError(new URL(`https://${client.registry}`), err);
      }
    })();
    return { body, size: len === undefined ? undefined : Number(len), destroy: () => res.body.destroy() };
  }
}
