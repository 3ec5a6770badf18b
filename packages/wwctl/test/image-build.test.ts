/**
 * Issue 9 acceptance, build side: a chroot with hard links, a fifo, device
 * nodes, setuid bits, UTF-8 and very deep paths, `image import DIR` then
 * `image build`, extracted by GNU `cpio -idm`: identical to the source.
 * Also the build's skip-when-current, --force and the excludes file.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lchownSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, makeRoot, treeSnapshot, wwctl, type TestRoot } from '@warewulf/testenv';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ww-img-build-'));
});
const roots: string[] = [];
afterAll(() => {
  for (const r of [work, ...roots]) rmSync(r, { recursive: true, force: true });
});

const T = 1_600_000_000;

/** The awkward chroot: every kind of entry the issue names. */
function makeChroot(dir: string): void {
  const f = (rel: string, data: string, mode = 0o644) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), data);
    chmodSync(join(dir, rel), mode);
  };
  mkdirSync(dir);
  f('bin/busybox', 'not really busybox\n', 0o755);
  symlinkSync('busybox', join(dir, 'bin/sh'));
  f('usr/bin/passwd', 'setuid\n', 0o4755);
  f('usr/bin/wall', 'setgid\n', 0o2755);
  mkdirSync(join(dir, 'tmp'));
  chmodSync(join(dir, 'tmp'), 0o1777);
  f('data/one', 'three names, one inode\n');
  mkdirSync(join(dir, 'other'));
  linkSync(join(dir, 'data/one'), join(dir, 'data/two'));
  linkSync(join(dir, 'data/one'), join(dir, 'other/three'));
  execFileSync('mkfifo', ['-m', '0620', join(dir, 'data/pipe')]);
  f('names/ünïcødé — 日本語 ☃.txt', 'utf-8\n');
  f('names/with space and \'quote\'', 'q\n');
  let deep = 'deep';
  for (let i = 0; i < 120; i++) deep += `/level-${String(i).padStart(3, '0')}-abcdefghij`; // ~2.5 KB of path
  f(`${deep}/leaf`, 'very deep\n');
  f('big', 'x'.repeat(3 * 1024 * 1024 + 17));
  symlinkSync('/nonexistent/absolute', join(dir, 'dangling'));
  mkdirSync(join(dir, 'dev'));
  if (isRoot) {
    execFileSync('mknod', ['-m', '0666', join(dir, 'dev/null'), 'c', '1', '3']);
    execFileSync('mknod', ['-m', '0660', join(dir, 'dev/vda'), 'b', '252', '0']);
    chownSync(join(dir, 'dev/vda'), 0, 6);
    mkdirSync(join(dir, 'home/alice'), { recursive: true });
    f('home/alice/.bashrc', 'alias ll=ls\n', 0o600);
    chownSync(join(dir, 'home/alice/.bashrc'), 1234, 5678);
    chownSync(join(dir, 'home/alice'), 1234, 5678);
    lchownSync(join(dir, 'dangling'), 1234, 5678);
    chmodSync(join(dir, 'usr/bin/passwd'), 0o4755); // chown cleared nothing here, but be explicit
  }
  // mtimes last, deepest first, so directories keep theirs
  const all = treeSnapshot(dir, { mtimes: false }).map((e) => e.path).reverse();
  for (const rel of all) {
    const p = join(dir, rel);
    if (statSync(p, { throwIfNoEntry: false }) === undefined || rel === 'dangling') lutimesSync(p, T, T);
    else lutimesSync(p, T + rel.length, T + rel.length);
  }
  utimesSync(dir, T, T);
}

/** name -> mtime of every member of a plain newc archive (read here by hand, independent of our reader). */
function newcMtimes(img: string): Map<string, number> {
  const buf = readFileSync(img);
  const out = new Map<string, number>();
  let off = 0;
  const hex = (i: number) => parseInt(buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
  for (;;) {
    if (buf.toString('latin1', off, off + 6) !== '070701') throw new Error(`bad magic at ${off}`);
    const mtime = hex(5);
    const size = hex(6);
    const nameLen = hex(11);
    const name = buf.toString('utf8', off + 110, off + 110 + nameLen - 1);
    if (name === 'TRAILER!!!') return out;
    out.set(name, mtime);
    off = Math.ceil((off + 110 + nameLen) / 4) * 4;
    off = Math.ceil((off + size) / 4) * 4;
  }
}

function cpioExtract(img: string, dest: string): void {
  mkdirSync(dest);
  execFileSync('bash', ['-c', `cpio -idm --quiet --no-absolute-filenames < ${JSON.stringify(img)}`], { cwd: dest, maxBuffer: 64 * 1024 * 1024 });
}

describe('image import DIR, then build', () => {
  it(`is identical to the source after GNU cpio -idm (names, types, modes, owners, sizes, contents, hard links, mtimes)${isRoot ? ' (root)' : ' (not root: owners and devices not compared)'}`, async () => {
    const src = join(work, 'src');
    makeChroot(src);
    const t = makeRoot();
    const imp = await wwctl(t, 'image', 'import', src, 'awkward');
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const rootfs = join(t.root, 'var/lib/warewulf/chroots/awkward/rootfs');
    // no /etc in the source: nothing was copied in, so the import is the source exactly
    expect(treeSnapshot(rootfs)).toEqual(treeSnapshot(src));
    const b = await wwctl(t, 'image', 'build', 'awkward');
    expect(b.code).toBe(0);
    const img = join(t.root, 'var/lib/warewulf/provision/images/awkward.img');
    expect(b.stdout).toContain(`Created image for Image awkward: ${img}`);
    expect(b.stdout).toContain(`Compressed image for Image awkward: ${img}.gz`);
    const out = join(work, 'extracted');
    cpioExtract(img, out);
    // GNU cpio sets neither directory nor symlink mtimes (it makes directories before their
    // contents and does not lutimes): those are compared in the archive's headers instead
    const noLinkDirTimes = (e: ReturnType<typeof treeSnapshot>[number]) => (e.type === 'dir' || e.type === 'symlink' ? { ...e, mtime: 0 } : e);
    expect(treeSnapshot(out).map(noLinkDirTimes)).toEqual(treeSnapshot(src).map(noLinkDirTimes));
    const times = newcMtimes(img);
    expect(new Map(treeSnapshot(src).map((e) => [e.path, e.mtime]))).toEqual(times);
    // the .gz is the same archive
    execFileSync('bash', ['-c', `gzip -dc ${JSON.stringify(`${img}.gz`)} | cmp - ${JSON.stringify(img)}`]);
  });
});

describe('image build', () => {
  let t: TestRoot;
  let rootfs: string;
  const img = () => join(t.root, 'var/lib/warewulf/provision/images/small.img');
  const listing = () => execFileSync('bash', ['-c', `cpio -it --quiet < ${JSON.stringify(img())}`], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    t = makeRoot(undefined, { keep: true });
    roots.push(t.root);
    const src = join(work, 'small');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'bin/sh'), 'sh');
    mkdirSync(join(src, 'boot'));
    writeFileSync(join(src, 'boot/vmlinuz-6.1.0-1-amd64'), 'kernel');
    mkdirSync(join(src, 'usr/share/doc/pkg'), { recursive: true });
    writeFileSync(join(src, 'usr/share/doc/pkg/README'), 'doc');
    writeFileSync(join(src, '.hidden-top'), 'dot-files at the top are not packed');
    expect((await wwctl(t, 'image', 'import', src, 'small')).code).toBe(0);
    rootfs = join(t.root, 'var/lib/warewulf/chroots/small/rootfs');
  });

  it('is skipped when nothing changed, redone after a change or with --force, and honours the excludes file', async () => {
    const first = await wwctl(t, 'image', 'build', 'small');
    expect(first.stdout).toContain('Building image: small');
    expect(listing()).toContain('usr/share/doc/pkg/README');
    expect(listing()).not.toContain('.hidden-top');
    const again = await wwctl(t, 'image', 'build', 'small');
    expect(again.stdout).toBe('Skipping (Image is current): small\n');
    const forced = await wwctl(t, 'image', 'build', '--force', 'small');
    expect(forced.stdout).toContain('Building image: small');
    mkdirSync(join(rootfs, 'etc/warewulf'), { recursive: true });
    writeFileSync(join(rootfs, 'etc/warewulf/excludes'), '/usr/share/doc/\nboot/*\n\n');
    const changed = await wwctl(t, 'image', 'build', 'small');
    expect(changed.stdout).toContain('Building image: small');
    expect(listing()).not.toContain('usr/share/doc');
    expect(listing()).not.toContain('boot/vmlinuz-6.1.0-1-amd64');
    expect(listing()).toContain('boot');
    rmSync(join(rootfs, 'bin/sh'));
    expect((await wwctl(t, 'image', 'build', 'small')).stdout).toContain('Building image: small');
    expect(listing()).not.toContain('bin/sh');
  });

  it('rebuilds when a built file was removed; refuses unknown images and no arguments', async () => {
    rmSync(`${img()}.gz`);
    expect((await wwctl(t, 'image', 'build', 'small')).stdout).toContain('Building image: small');
    expect(readdirSync(join(t.root, 'var/lib/warewulf/provision/images')).sort()).toEqual(['small.img', 'small.img.gz']);
    const none = await wwctl(t, 'image', 'build');
    expect(none.stderr).toBe('ERROR: no images specified; use --all to build all images\n');
    const missing = await wwctl(t, 'image', 'build', 'nope');
    expect(missing.stderr).toBe('ERROR: image does not exist: nope\n');
    expect((await wwctl(t, 'image', 'build', '--all')).stdout).toBe('Skipping (Image is current): small\n');
  });
});
