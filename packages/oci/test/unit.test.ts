import { describe, expect, it } from 'vitest';
import {
  defaultImageName,
  formatPlatform,
  hostPlatform,
  isOciError,
  parseChallenge,
  parseDigest,
  parseImageReference,
  parseManifestOrIndex,
  parsePlatform,
  selectPlatform,
  type ImageIndex,
} from '../src/index.js';

const HEX = 'a'.repeat(64);

describe('image references', () => {
  it('parses registry references with host, port, tag and digest', () => {
    expect(parseImageReference('docker://127.0.0.1:5000/e2e/tiny:v1')).toEqual({
      kind: 'registry', registry: '127.0.0.1:5000', repository: 'e2e/tiny', tag: 'v1', digest: undefined,
    });
    expect(parseImageReference(`docker://ghcr.io/warewulf/rocky@sha256:${HEX}`)).toMatchObject({
      registry: 'ghcr.io', repository: 'warewulf/rocky', tag: undefined, digest: `sha256:${HEX}`,
    });
    expect(parseImageReference(`docker://localhost/x:8@sha256:${HEX}`)).toMatchObject({ registry: 'localhost', tag: '8', digest: `sha256:${HEX}` });
  });

  it('defaults to Docker Hub, library/ and :latest like docker', () => {
    expect(parseImageReference('docker://alpine')).toMatchObject({ registry: 'registry-1.docker.io', repository: 'library/alpine', tag: 'latest' });
    expect(parseImageReference('docker://user/img:2')).toMatchObject({ registry: 'registry-1.docker.io', repository: 'user/img', tag: '2' });
  });

  it('refuses malformed references and credentials without echoing them', () => {
    for (const bad of ['docker://Upper/Case', 'docker://host/repo:bad tag', 'docker://host/repo@sha256:123', 'docker://', 'docker-daemon://x:1']) {
      let err: unknown;
      try {
        parseImageReference(bad);
      } catch (e) {
        err = e;
      }
      expect(isOciError(err), bad).toBe(true);
    }
    let msg = '';
    try {
      parseImageReference('docker://bob:s3cret@reg.example.com/repo:1');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/credentials/);
    expect(msg).not.toContain('s3cret');
  });

  it('takes archives with and without a reference, file:// and plain paths (made absolute)', () => {
    expect(parseImageReference('oci-archive:/x/y.tar:v1')).toEqual({ kind: 'oci-archive', path: '/x/y.tar', ref: 'v1' });
    expect(parseImageReference('docker-archive:rel.tar', '/base')).toEqual({ kind: 'docker-archive', path: '/base/rel.tar', ref: undefined });
    expect(parseImageReference('file:///srv/img.tar')).toEqual({ kind: 'path', path: '/srv/img.tar' });
    expect(parseImageReference('img.tar', '/w')).toEqual({ kind: 'path', path: '/w/img.tar' });
  });

  it('names imports after the last path element, as upstream', () => {
    expect(defaultImageName('docker://ghcr.io/warewulf/warewulf-rockylinux:8')).toBe('warewulf-rockylinux:8');
    expect(defaultImageName('/tmp/x/busybox.tar')).toBe('busybox.tar');
    expect(defaultImageName('/srv/chroots/rocky/')).toBe('rocky');
    expect(defaultImageName(`docker://h/r/img@sha256:${HEX}`)).toBe('img');
  });
});

describe('digests and platforms', () => {
  it('validates digests', () => {
    expect(parseDigest(`sha256:${HEX}`)).toBe(`sha256:${HEX}`);
    expect(() => parseDigest('sha256:ABC')).toThrow(/malformed/);
    expect(() => parseDigest(`md5:${HEX}`)).toThrow(/unsupported/);
  });

  it('parses platforms with aliases and picks from an index', () => {
    expect(parsePlatform('x86_64')).toEqual({ os: 'linux', architecture: 'amd64', variant: undefined });
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(formatPlatform(hostPlatform())).toMatch(/^linux\//);
    const d = (arch: string, variant?: string) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: parseDigest(`sha256:${arch.padEnd(64, '0').replace(/[^a-f0-9]/g, '0')}`), size: 1,
      platform: { os: 'linux', architecture: arch, variant },
    });
    const index: ImageIndex = { kind: 'index', mediaType: 'x', manifests: [d('amd64'), d('arm64', 'v8'), d('arm', 'v7'), { ...d('unknown'), platform: { os: 'unknown', architecture: 'unknown' } }] };
    expect(selectPlatform(index, parsePlatform('arm64'), 'i').platform?.architecture).toBe('arm64');
    expect(selectPlatform(index, parsePlatform('linux/arm/v7'), 'i').platform?.variant).toBe('v7');
    expect(() => selectPlatform(index, parsePlatform('s390x'), 'i')).toThrow(/linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7/);
  });

  it('reads manifests by media type or shape and refuses schema 1', () => {
    const m = { schemaVersion: 2, config: { mediaType: 'c', digest: `sha256:${HEX}`, size: 2 }, layers: [] };
    expect(parseManifestOrIndex(Buffer.from(JSON.stringify(m)), undefined, 'm').kind).toBe('manifest');
    expect(parseManifestOrIndex(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })), 'application/json', 'm').kind).toBe('index');
    expect(() => parseManifestOrIndex(Buffer.from('{}'), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'm')).toThrow(/schema 1/);
    expect(() => parseManifestOrIndex(Buffer.from('{"schemaVersion":2,"layers":"x"}'), undefined, 'm')).toThrow(/not a valid image manifest/);
  });

  it('parses WWW-Authenticate challenges', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="test"')).toEqual({ scheme: 'basic', params: { realm: 'test' } });
  });
});
