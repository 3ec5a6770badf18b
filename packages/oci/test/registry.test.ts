/**
 * The registry client against a real registry (Debian's docker-registry on
 * loopback, images pushed with skopeo): bearer tokens from a token service,
 * TLS verification, --nohttps falling back to HTTP, multi-arch indexes, the
 * blob cache.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, writeOciLayout, type TestRegistry } from '@warewulf/testenv';
import { BlobStore, isOciError, parseImageReference, parsePlatform, pullImage, unpackImage, type ProgressEvent, type RegistryReference } from '../src/index.js';

let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ww-oci-reg-'));
  // one layout, two platforms: the layer says which one was unpacked
  await writeOciLayout(join(work, 'multi'), [
    { layers: [[{ name: 'arch', data: 'amd64\n' }]], platform: { os: 'linux', architecture: 'amd64' } },
    { layers: [[{ name: 'arch', data: 'arm64\n' }]], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ], { ref: 'v1', index: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ref = (reg: TestRegistry, repoTag: string) => parseImageReference(`docker://${reg.host}/${repoTag}`) as RegistryReference;

async function pullAndRead(reg: TestRegistry, repoTag: string, opts: Partial<Parameters<typeof pullImage>[2]> = {}, store = new BlobStore(mkdtempSync(join(work, 'cache-')))): Promise<{ arch: string; events: ProgressEvent[] }> {
  const events: ProgressEvent[] = [];
  const image = await pullImage(ref(reg, repoTag), store, { platform: parsePlatform(undefined), insecure: true, onProgress: (e) => events.push(e), ...opts });
  const root = mkdtempSync(join(work, 'root-'));
  await unpackImage(image, store, root);
  return { arch: readFileSync(join(root, 'arch'), 'utf8').trim(), events };
}

describe('registry client', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ token: true, user: 'tok', password: 'en-pass' });
    await reg.push(`oci:${join(work, 'multi')}:v1`, 'e2e/multi:v1', { all: true });
  });
  afterAll(async () => reg?.stop());

  it('gets a bearer token from the token service with basic credentials, and picks the host platform from an index', async () => {
    const { arch } = await pullAndRead(reg, 'e2e/multi:v1', { credentials: { username: 'tok', password: 'en-pass' } });
    expect(arch).toBe(parsePlatform(undefined).architecture);
  });

  it('--platform picks another manifest; an absent platform is refused listing what there is', async () => {
    const { arch } = await pullAndRead(reg, 'e2e/multi:v1', { credentials: { username: 'tok', password: 'en-pass' }, platform: parsePlatform('linux/arm64') });
    expect(arch).toBe('arm64');
    const err = await pullAndRead(reg, 'e2e/multi:v1', { credentials: { username: 'tok', password: 'en-pass' }, platform: parsePlatform('s390x') }).catch((e: unknown) => e);
    expect(isOciError(err, 'OCI_ERR_PLATFORM')).toBe(true);
    expect((err as Error).message).toContain('linux/amd64, linux/arm64/v8');
  });

  it('refuses without credentials and with wrong ones, never echoing the password', async () => {
    const none = await pullAndRead(reg, 'e2e/multi:v1').catch((e: unknown) => e);
    expect(isOciError(none, 'OCI_ERR_AUTH')).toBe(true);
    expect((none as Error).message).toMatch(/requires authentication/);
    const wrong = await pullAndRead(reg, 'e2e/multi:v1', { credentials: { username: 'tok', password: 'not-the-password' } }).catch((e: unknown) => e);
    expect(isOciError(wrong, 'OCI_ERR_AUTH')).toBe(true);
    expect((wrong as Error).message).toMatch(/wrong username or password/);
    expect(JSON.stringify(wrong, Object.getOwnPropertyNames(wrong))).not.toContain('not-the-password');
  });

  it('a second pull of the same image downloads nothing: every blob comes from the cache', async () => {
    const store = new BlobStore(mkdtempSync(join(work, 'cache-')));
    const creds = { credentials: { username: 'tok', password: 'en-pass' } };
    const first = await pullAndRead(reg, 'e2e/multi:v1', creds, store);
    expect(first.events.filter((e) => e.kind === 'download' && e.done && !e.cached).length).toBe(2); // config + layer
    const again = await pullAndRead(reg, 'e2e/multi:v1', creds, store);
    const downloads = again.events.filter((e) => e.kind === 'download' && e.done);
    expect(downloads.length).toBe(2);
    expect(downloads.every((e) => e.kind === 'download' && e.cached)).toBe(true);
    expect(await store.tempFiles()).toEqual([]);
  });
});

describe('TLS', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true });
    await reg.push(`oci:${join(work, 'multi')}:v1`, 'e2e/multi:v1', { all: true });
  });
  afterAll(async () => reg?.stop());

  it('verifies certificates by default; --nohttps skips the verification', async () => {
    const err = await pullAndRead(reg, 'e2e/multi:v1', { insecure: false }).catch((e: unknown) => e);
    expect(isOciError(err, 'OCI_ERR_TLS')).toBe(true);
    expect((err as Error).message).toMatch(/--nohttps/);
    expect((await pullAndRead(reg, 'e2e/multi:v1', { insecure: true })).arch).toBe(parsePlatform(undefined).architecture);
  });
});

describe('plain HTTP', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
    await reg.push(`oci:${join(work, 'multi')}:v1`, 'e2e/multi:v1', { all: true });
  });
  afterAll(async () => reg?.stop());

  it('is reached only with --nohttps', async () => {
    const err = await pullAndRead(reg, 'e2e/multi:v1', { insecure: false }).catch((e: unknown) => e);
    expect(isOciError(err)).toBe(true);
    expect(['OCI_ERR_TLS', 'OCI_ERR_NETWORK']).toContain((err as { code: string }).code);
    expect((await pullAndRead(reg, 'e2e/multi:v1', { insecure: true })).arch).toBe(parsePlatform(undefined).architecture);
  });

  it('an unknown tag is OCI_ERR_NOT_FOUND naming the registry answer', async () => {
    const err = await pullAndRead(reg, 'e2e/multi:nope').catch((e: unknown) => e);
    expect(isOciError(err, 'OCI_ERR_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toMatch(/MANIFEST_UNKNOWN/);
  });
});
