/**
 * Issue 9 acceptance, import side, through `wwctl image import` against a
 * real registry (docker-registry on loopback, images pushed with skopeo):
 * a two-layer image with a deleted file and an opaque directory, by tag and
 * by digest, anonymous and with basic auth; a wrong password; a tampered
 * blob; the same image as oci-archive and docker-archive; malicious layers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobCache, makeRoot, skopeoCopy, startRegistry, treeSnapshot, writeOciArchive, writeOciLayout, wwctl, type LayerSpec, type TestRegistry, type TestRoot } from '@warewulf/testenv';

const LOWER: LayerSpec = [
  { name: 'bin/', type: 'directory' },
  { name: 'bin/sh', data: '#!/bin/false\n', mode: 0o755 },
  { name: 'etc/', type: 'directory' },
  { name: 'etc/motd', data: 'lower\n' },
  { name: 'etc/hosts', data: '127.0.0.1 localhost\n' },
  { name: 'var/', type: 'directory' },
  { name: 'var/deleted', data: 'deleted by the upper layer\n' },
  { name: 'opq/', type: 'directory', mode: 0o750 },
  { name: 'opq/old', data: 'hidden by the opaque marker\n' },
  { name: 'opq/olddir/', type: 'directory' },
  { name: 'opq/olddir/f', data: 'also hidden\n' },
  { name: 'home/', type: 'directory' },
  { name: 'usr/', type: 'directory' },
  { name: 'usr/bin/', type: 'directory' },
  { name: 'home/user/', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
  { name: 'home/user/.profile', data: 'PS1=x\n', uid: 1000, gid: 1000 },
  { name: 'usr/bin/su', data: 'su\n', mode: 0o4755 },
  { name: 'usr/bin/su-link', type: 'link', linkname: 'usr/bin/su' },
  { name: 'usr/lib/', type: 'directory' },
  { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
];
const UPPER: LayerSpec = [
  { name: 'etc/motd', data: 'upper\n' },
  { name: 'var/.wh.deleted' },
  { name: 'opq/', type: 'directory', mode: 0o750 },
  { name: 'opq/.wh..wh..opq' },
  { name: 'opq/new', data: 'from the upper layer\n' },
  { name: 'lib/libx.so', data: 'through the lib -> usr/lib link\n' },
];

let work: string;
let anon: TestRegistry;
let auth: TestRegistry;
let digest: string;
let tamperLayer: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ww-img-import-'));
  await writeOciLayout(join(work, 'two'), [{ layers: [LOWER, UPPER] }], { ref: 'v1' });
  const tamper = await writeOciLayout(join(work, 'tamper'), [{ layers: [[{ name: 'bin/sh', data: 'sh' }], [{ name: 'big', data: 'x'.repeat(100_000) }]] }], { ref: 'v1' });
  tamperLayer = tamper.layers[0]![1]!.digest;
  [anon, auth] = await Promise.all([startRegistry(), startRegistry({ user: 'admin', password: 'S3cret-Pass' })]);
  await anon.push(`oci:${join(work, 'two')}:v1`, 'e2e/two:v1');
  await anon.push(`oci:${join(work, 'tamper')}:v1`, 'e2e/tamper:v1');
  await auth.push(`oci:${join(work, 'two')}:v1`, 'e2e/two:v1');
  digest = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${anon.host}/e2e/two:v1`], { encoding: 'utf8' }).trim();
});

afterAll(async () => {
  await Promise.all([anon?.stop(), auth?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

function root(): TestRoot {
  const t = makeRoot();
  t.write('etc/resolv.conf', 'nameserver 192.0.2.53\n');
  return t;
}
const rootfs = (t: TestRoot, name: string) => join(t.root, 'var/lib/warewulf/chroots', name, 'rootfs');
/** The tree of an image, without what the import itself adds (resolv.conf, and so the mtime of /etc). */
const tree = (t: TestRoot, name: string) =>
  treeSnapshot(rootfs(t, name), { exclude: (r) => r === 'etc/resolv.conf' }).map((e) => (e.path === 'etc' ? { ...e, mtime: 0 } : e));
const chroots = (t: TestRoot) => readdirSync(join(t.root, 'var/lib/warewulf/chroots'));

describe('wwctl image import from a registry', () => {
  let tagTree: ReturnType<typeof treeSnapshot>;

  it('by tag (anonymous): layers applied in order, the deleted file gone, the opaque directory holding only the upper layer', async () => {
    const t = root();
    const r = await wwctl(t, 'image', 'import', '--nohttps', `docker://${anon.host}/e2e/two:v1`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Setting image name: two:v1');
    const fs = rootfs(t, 'two:v1');
    tagTree = tree(t, 'two:v1');
    const byPath = new Map(tagTree.map((e) => [e.path, e]));
    expect(byPath.has('var/deleted')).toBe(false);
    expect(byPath.has('var')).toBe(true);
    expect(tagTree.filter((e) => e.path.startsWith('opq/')).map((e) => e.path)).toEqual(['opq/new']);
    expect(readFileSync(join(fs, 'etc/motd'), 'utf8')).toBe('upper\n');
    expect(readFileSync(join(fs, 'usr/lib/libx.so'), 'utf8')).toContain('through');
    expect(readFileSync(join(fs, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\n');
    expect(byPath.get('usr/bin/su')).toMatchObject({ mode: 0o4755, linkGroup: 'usr/bin/su' });
    expect(byPath.get('usr/bin/su-link')?.linkGroup).toBe('usr/bin/su');
    if (process.getuid?.() === 0) expect(byPath.get('home/user')).toMatchObject({ uid: 1000, gid: 1000, mode: 0o700 });
    expect((await wwctl(t, 'image', 'list')).stdout).toBe('IMAGE NAME\n----------\ntwo:v1\n');
  });

  it('by digest gives the same tree; a re-import (--force) downloads nothing', async () => {
    const t = root();
    const r = await wwctl(t, 'image', 'import', '--nohttps', `docker://${anon.host}/e2e/two@${digest}`, 'pinned');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Copied layer 2\/2/);
    expect(tree(t, 'pinned')).toEqual(tagTree);
    const again = await wwctl(t, 'image', 'import', '--force', '--nohttps', `docker://${anon.host}/e2e/two:v1`, 'pinned');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/Copied/);
    expect(again.stdout.match(/Using cached/g)).toHaveLength(3); // config and two layers
    expect(tree(t, 'pinned')).toEqual(tagTree);
    const exists = await wwctl(t, 'image', 'import', '--nohttps', `docker://${anon.host}/e2e/two:v1`, 'pinned');
    expect(exists.code).toBe(255);
    expect(exists.stderr).toContain('image name exists, specify --force, --update, or choose a different name: pinned');
  });

  it('basic auth: refused without credentials and with a wrong password; flags and environment work; the password is never shown', async () => {
    const t = root();
    const src = `docker://${auth.host}/e2e/two:v1`;
    const none = await wwctl(t, 'image', 'import', '--nohttps', src, 'a');
    expect(none.code).toBe(255);
    expect(none.stderr).toMatch(/requires authentication/);
    const wrong = await wwctl(t, 'image', 'import', '--nohttps', '--username', 'admin', '--password', 'Not-The-Pass-42', src, 'a');
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toMatch(/wrong username or password/);
    expect(wrong.stdout + wrong.stderr).not.toContain('Not-The-Pass-42');
    expect(chroots(t).filter((n) => n !== '')).toEqual([]);
    const ok = await wwctl(t, 'image', 'import', '--nohttps', '--username', 'admin', '--password', 'S3cret-Pass', src, 'a');
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('S3cret-Pass');
    expect(tree(t, 'a')).toEqual(tagTree);
    const env = await wwctl({ env: { ...t.env, WAREWULF_OCI_USERNAME: 'admin', WAREWULF_OCI_PASSWORD: 'S3cret-Pass', WAREWULF_OCI_NOHTTPS: 'true' } }, 'image', 'import', src, 'b');
    expect(env.code).toBe(0);
    const half = await wwctl({ env: { ...t.env, WAREWULF_OCI_USERNAME: 'admin' } }, 'image', 'import', '--nohttps', src, 'c');
    expect(half.stderr).toContain('oci username and password env vars must be specified together');
  });

  it('a tampered blob (same size) is refused: no image, nothing staged, nothing of it in the blob cache', async () => {
    const t = root();
    const blob = anon.blobPath(tamperLayer);
    const data = readFileSync(blob);
    for (const at of [100, data.length - 20]) data.writeUInt8(data.readUInt8(at) ^ 0xff, at);
    writeFileSync(blob, data);
    expect(statSync(blob).size).toBe(data.length);
    const r = await wwctl(t, 'image', 'import', '--nohttps', `docker://${anon.host}/e2e/tamper:v1`, 'tampered');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/does not match its digest/);
    expect(r.stderr).toContain(tamperLayer);
    expect(chroots(t)).toEqual([]);
    const store = blobCache(t.root);
    expect(await store.list()).not.toContain(tamperLayer);
    expect(await store.tempFiles()).toEqual([]);
  });
});

describe('wwctl image import from archives', () => {
  it('oci-archive and docker-archive (made by skopeo) import to the same tree as the registry pull', async () => {
    const t = root();
    const oci = join(work, 'two-oci.tar');
    const docker = join(work, 'two-docker.tar');
    skopeoCopy(`docker://${anon.host}/e2e/two:v1`, `oci-archive:${oci}:v1`, '--src-tls-verify=false');
    skopeoCopy(`docker://${anon.host}/e2e/two:v1`, `docker-archive:${docker}:e2e/two:v1`, '--src-tls-verify=false');
    const reg = await wwctl(t, 'image', 'import', '--nohttps', `docker://${anon.host}/e2e/two:v1`, 'reg');
    expect(reg.code).toBe(0);
    for (const [src, name] of [[oci, 'oci-plain'], [`oci-archive:${oci}:v1`, 'oci-ref'], [`file://${docker}`, 'docker-file'], [`docker-archive:${docker}:e2e/two:v1`, 'docker-ref']] as const) {
      const r = await wwctl(t, 'image', 'import', src, name);
      expect(r.stderr, src).toBe('');
      expect(r.code, src).toBe(0);
      expect(tree(t, name), src).toEqual(tree(t, 'reg'));
    }
  });

  it('a missing source is `invalid dir or uri`, a directory without /bin/sh is refused', async () => {
    const t = root();
    const r = await wwctl(t, 'image', 'import', join(work, 'nope.tar'), 'x');
    expect(r.stderr).toContain(`invalid dir or uri: ${join(work, 'nope.tar')}`);
    mkdirSync(join(work, 'nosh'), { recursive: true });
    const d = await wwctl(t, 'image', 'import', join(work, 'nosh'), 'x');
    expect(d.stderr).toContain('Source directory has no /bin/sh');
    const bad = await wwctl(t, 'image', 'import', join(work, 'two', 'oci-layout'), '../x');
    expect(bad.stderr).toContain('invalid image name: "../x"');
  });
});

describe('malicious layers change nothing outside the image, and the import fails naming the entry', () => {
  let sentinel: string;
  beforeAll(() => {
    sentinel = mkdtempSync(join(tmpdir(), 'ww-sentinel-'));
    writeFileSync(join(sentinel, 'shadow'), 'secret\n');
  });
  afterAll(() => rmSync(sentinel, { recursive: true, force: true }));

  const shadowLinks = () => statSync('/etc/shadow').nlink;
  const cases: [string, () => LayerSpec[], string][] = [
    ['../ entries', () => [[{ name: 'bin/sh', data: 'sh' }, { name: '../../../../../../escaped-by-layer', data: 'x' }]], '../../../../../../escaped-by-layer'],
    // joined inside the image (as by container runtimes), where there is no /etc/shadow to link
    ['a hard link to /etc/shadow', () => [[{ name: 'stolen', type: 'link', linkname: '/etc/shadow' }]], 'stolen'],
  ];
  for (const [what, layers, entry] of cases) {
    it(what, async () => {
      const t = root();
      const archive = join(work, `evil-${entry.replace(/\W/g, '_')}.tar`);
      await writeOciArchive(archive, [{ layers: layers() }]);
      const before = shadowLinks();
      const r = await wwctl(t, 'image', 'import', archive, 'evil');
      expect(r.code).toBe(255);
      expect(r.stderr).toContain(`entry ${JSON.stringify(entry)}`);
      expect(readFileSync(join(sentinel, 'shadow'), 'utf8')).toBe('secret\n');
      expect(readdirSync(sentinel)).toEqual(['shadow']);
      expect(shadowLinks()).toBe(before);
      expect(existsSync('/escaped-by-layer')).toBe(false);
      expect(chroots(t)).toEqual([]);
    });
  }

  it('an absolute symlink at a host directory, then a write through it: the file lands inside the image (chroot resolution), the host is untouched', async () => {
    const t = root();
    const archive = join(work, 'evil-abs-symlink.tar');
    await writeOciArchive(archive, [{ layers: [[{ name: 'bin/', type: 'directory' }, { name: 'bin/sh', data: 'sh' }, { name: 'etc', type: 'symlink', linkname: sentinel }], [{ name: 'etc/shadow', data: 'owned\n' }]] }]);
    const r = await wwctl(t, 'image', 'import', archive, 'contained');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(rootfs(t, 'contained'), sentinel, 'shadow'), 'utf8')).toBe('owned\n');
    expect(readFileSync(join(sentinel, 'shadow'), 'utf8')).toBe('secret\n');
    expect(readdirSync(sentinel)).toEqual(['shadow']);
  });
});

describe('absolute symlinks resolve from the image root', () => {
  it('var/run -> /run in one layer, var/run/foo in the next: the import puts it in /run/foo of the image', async () => {
    const t = root();
    const archive = join(work, 'var-run.tar');
    await writeOciArchive(archive, [{
      layers: [
        [{ name: 'bin/', type: 'directory' }, { name: 'bin/sh', data: 'sh' }, { name: 'run/', type: 'directory' }, { name: 'var/', type: 'directory' }, { name: 'var/run', type: 'symlink', linkname: '/run' }],
        [{ name: 'var/run/ww-import-foo', data: 'foo\n' }, { name: '/etc/b', data: 'leading slash\n' }],
      ],
    }]);
    const r = await wwctl(t, 'image', 'import', archive, 'varrun');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(rootfs(t, 'varrun'), 'run/ww-import-foo'), 'utf8')).toBe('foo\n');
    expect(readFileSync(join(rootfs(t, 'varrun'), 'etc/b'), 'utf8')).toBe('leading slash\n');
    expect(existsSync('/run/ww-import-foo')).toBe(false);
  });
});
