/**
 * `configure tls` (§1.9): warewulfd's key and certificate,
 * `<tlsDir>/warewulf.key` and `warewulf.crt`. Generated with openssl when
 * missing (or with --force): RSA 4096, self-signed, 10 years, CN `Warewulf
 * Server`, O `Warewulf`, IP SANs ipaddr/ipaddr6, DNS SANs fqdn and
 * `warewulf`; or imported from / exported to a directory.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { WwError } from '../errors.js';
import { resolveForWrite } from './confine.js';
import { findOnPath, runChecked } from './exec.js';
import { pathExists, type Desired } from './files.js';
import type { ConfigureContext, PlannedCommand } from './types.js';

export const TLS_KEY = 'warewulf.key';
export const TLS_CERT = 'warewulf.crt';

export interface TlsOptions {
  force?: boolean;
  /** Copy warewulf.key / warewulf.crt from this directory. */
  importDir?: string;
  /** Copy them to this directory (the admin's choice: it need not be inside the root). */
  exportDir?: string;
}

export interface TlsWork {
  desired: Desired[];
  /** Files written where the admin said (`--export`), outside the output root's confinement. */
  exported: Desired[];
  commands: PlannedCommand[];
}

async function readPair(dir: string): Promise<{ key: Buffer; crt: Buffer }> {
  try {
    return { key: await readFile(join(dir, TLS_KEY)), crt: await readFile(join(dir, TLS_CERT)) };
  } catch (err) {
    throw new WwError('WW_ERR_NOT_FOUND', `cannot read the TLS key pair in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/** `subjectAltName=IP:…,DNS:…` of §1.9. */
export function subjectAltNames(conf: ConfigureContext['conf']): string {
  const sans: string[] = [];
  if (conf.ipaddr) sans.push(`IP:${conf.ipaddr}`);
  if (conf.ipaddr6) sans.push(`IP:${conf.ipaddr6}`);
  if (conf.fqdn) sans.push(`DNS:${conf.fqdn}`);
  sans.push('DNS:warewulf');
  return sans.join(',');
}

/**
 * What `configure tls` does. Throws WW_ERR_NOT_FOUND when `--import`'s
 * directory lacks the pair, WW_ERR_PATH_ESCAPE when the TLS directory leaves
 * the root.
 */
export async function planTls(ctx: ConfigureContext, rootReal: string, opts: TlsOptions): Promise<TlsWork> {
  const dir = ctx.paths.tlsDir;
  const key = posix.join(dir, TLS_KEY);
  const crt = posix.join(dir, TLS_CERT);
  const work: TlsWork = { desired: [{ kind: 'directory', path: dir, mode: 0o755 }], exported: [], commands: [] };
  if (opts.importDir !== undefined) {
    const pair = await readPair(opts.importDir);
    work.desired.push(
      { kind: 'file', path: key, content: pair.key, mode: 0o600, backup: true, source: join(opts.importDir, TLS_KEY) },
      { kind: 'file', path: crt, content: pair.crt, mode: 0o644, backup: true, source: join(opts.importDir, TLS_CERT) },
    );
    return work;
  }
  if (opts.exportDir !== undefined) {
    const pair = await readPair(dir);
    work.desired = [];
    work.exported.push(
      { kind: 'file', path: posix.resolve(opts.exportDir, TLS_KEY), content: pair.key, mode: 0o600, backup: true, source: key },
      { kind: 'file', path: posix.resolve(opts.exportDir, TLS_CERT), content: pair.crt, mode: 0o644, backup: true, source: crt },
    );
    return work;
  }
  if (!opts.force && (await pathExists(key)) && (await pathExists(crt))) return work;
  const openssl = ctx.tools?.openssl ?? (await findOnPath('openssl')) ?? 'openssl';
  const [keyAt, crtAt] = [await resolveForWrite(rootReal, key, true), await resolveForWrite(rootReal, crt, true)];
  const argv = (k: string, c: string) => [
    openssl, 'req', '-x509', '-newkey', 'rsa:4096', '-nodes', '-keyout', k, '-out', c, '-days', '3650',
    '-subj', '/CN=Warewulf Server/O=Warewulf', '-addext', `subjectAltName=${subjectAltNames(ctx.conf)}`,
  ];
  work.commands.push({
    argv: argv(keyAt, crtAt),
    why: opts.force ? 'regenerate (--force)' : 'warewulfd has no TLS key and certificate',
    runnable: true,
    creates: [keyAt, crtAt],
    exec: async () => {
      const tmp = await mkdtemp(join(dirname(keyAt), '.wwtls-'));
      try {
        await runChecked(argv(join(tmp, TLS_KEY), join(tmp, TLS_CERT)));
        await chmod(join(tmp, TLS_KEY), 0o600);
        await chmod(join(tmp, TLS_CERT), 0o644);
        // the certificate last: a pair is complete when both exist
        await rename(join(tmp, TLS_KEY), keyAt);
        await rename(join(tmp, TLS_CERT), crtAt);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  });
  return work;
}

/** What `configure tls` prints about the pair: key type and size, subject, validity, SANs, fingerprint. */
export async function certificateDetails(tlsDir: string): Promise<string[]> {
  const { key, crt } = await readPair(tlsDir);
  const cert = new X509Certificate(crt);
  const k = createPrivateKey(key);
  const bits = k.asymmetricKeyDetails?.modulusLength;
  return [
    `Key: ${join(tlsDir, TLS_KEY)} (${k.asymmetricKeyType ?? 'unknown'}${bits ? ` ${bits} bits` : ''})`,
    `Certificate: ${join(tlsDir, TLS_CERT)}`,
    `Subject: ${cert.subject.replace(/\n/g, ', ')}`,
    `Issuer: ${cert.issuer.replace(/\n/g, ', ')}`,
    `Valid from: ${cert.validFrom}`,
    `Valid to: ${cert.validTo}`,
    `Subject alternative names: ${cert.subjectAltName ?? ''}`,
    `SHA256 fingerprint: ${cert.fingerprint256}`,
  ];
}
