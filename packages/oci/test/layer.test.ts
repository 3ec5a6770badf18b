/**
 * Layer application: whiteouts and opaque directories, metadata, and every
 * way an entry could reach outside the target (each must fail naming the
 * entry and leave the outside untouched).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isRoot, layerTar, treeSnapshot, type TarEntrySpec } from '@warewulf/testenv';
import { applyLayer, isOciError, type LayerWarning } from '../src/index.js';

let work: string;
afterEach(() => rmSync(work, { recursive: true, force: true }));

function setup(): { root: string; outside: string } {
  work = mkdtempSync(join(tmpdir(), 'ww-layer-'));
  const root = join(work, 'root');
  const outside = join(work, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'shadow'), 'secret\n', { mode: 0o600 });
  return { root, outside };
}

async function apply(root: string, entries: TarEntrySpec[], gzip = false, warnings: LayerWarning[] = []): Promise<void> {
  const tar = await layerTar(entries);
  await applyLayer(root, [gzip ? gzipSync(tar) : tar], { onWarning: (w) => warnings.push(w) });
}

async function refused(root: string, entries: TarEntrySpec[]): Promise<Error & { entry?: string; code?: string }> {
  try {
    await apply(root, entries);
  } catch (err) {
    return err as Error;
  }
  throw new Error('layer was applied but should have been refused');
}

describe('whiteouts', () => {
  it('a .wh. file deletes a lower file or tree; an opaque marker empties a directory of lower entries only', async () => {
    const { root } = setup();
    await apply(root, [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/keep', data: 'k' },
      { name: 'etc/gone', data: 'g' },
      { name: 'tree/sub/deep', data: 'x' },
      { name: 'opq/old1', data: '1' },
      { name: 'opq/olddir/f', data: '2' },
      { name: 'opq/same/lower', data: 'lower' },
    ], true);
    await apply(root, [
      { name: 'etc/.wh.gone' },
      { name: '.wh.tree' },
      { name: 'opq/', type: 'directory' },
      { name: 'opq/same/', type: 'directory' },
      { name: 'opq/same/new', data: 'new' },
      { name: 'opq/.wh..wh..opq' },
      { name: 'opq/fresh', data: 'fresh' },
    ]);
    const names = treeSnapshot(root).map((e) => e.path);
    expect(names).toEqual(['etc', 'etc/keep', 'opq', 'opq/fresh', 'opq/same', 'opq/same/new']);
    expect(readdirSync(root).some((n) => n.startsWith('.wh.'))).toBe(false);
  });

  it('a directory entry keeps an existing directory and its contents; any other entry replaces what is there', async () => {
    const { root } = setup();
    await apply(root, [{ name: 'd/f', data: 'one' }, { name: 'x/y', data: 'dir' }, { name: 'l', type: 'symlink', linkname: 'd' }]);
    await apply(root, [
      { name: 'd/', type: 'directory', mode: 0o750, mtime: 1_600_000_000 },
      { name: 'x', data: 'now a file' },
      { name: 'l', data: 'now a file too' },
    ]);
    expect(readFileSync(join(root, 'd', 'f'), 'utf8')).toBe('one');
    expect(statSync(join(root, 'd')).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, 'd')).mtimeMs).toBe(1_600_000_000_000);
    expect(readFileSync(join(root, 'x'), 'utf8')).toBe('now a file');
    expect(lstatSync(join(root, 'l')).isFile()).toBe(true);
  });
});

describe('entries escaping the root are refused with the entry named', () => {
  const cases: [string, TarEntrySpec[], string][] = [
    ['a ../ name', [{ name: '../outside/evil', data: 'x' }], '../outside/evil'],
    ['a nested ../', [{ name: 'a/../../outside/evil', data: 'x' }], 'a/../../outside/evil'],
    ['a ../ after a leading /', [{ name: '/../outside/evil', data: 'x' }], '/../outside/evil'],
    ['a hard link climbing out', [{ name: 'shadowlink', type: 'link', linkname: '../outside/shadow' }], 'shadowlink'],
  ];
  for (const [what, entries, entry] of cases) {
    it(what, async () => {
      const { root, outside } = setup();
      const err = await refused(root, entries);
      expect(isOciError(err, 'OCI_ERR_UNSAFE_ENTRY')).toBe(true);
      expect(err.message).toContain(JSON.stringify(entry));
      expect(readdirSync(outside)).toEqual(['shadow']);
      expect(existsSync(join(work, 'evil'))).toBe(false);
    });
  }

  it('a symlink pointing outside is kept as a link and never followed when replaced', async () => {
    const { root, outside } = setup();
    await apply(root, [{ name: 'etc/', type: 'directory' }, { name: 'etc/shadow', type: 'symlink', linkname: join(outside, 'shadow') }]);
    await apply(root, [{ name: 'etc/shadow', data: 'image shadow\n', mode: 0o640 }]);
    expect(readFileSync(join(outside, 'shadow'), 'utf8')).toBe('secret\n');
    expect(readFileSync(join(root, 'etc', 'shadow'), 'utf8')).toBe('image shadow\n');
  });
});

/** A name no host has: what must never appear on the host. */
const unique = (what: string) => `ww-layer-${what}-${process.pid}-${Date.now()}`;

describe('paths resolve as inside a chroot of the image (absolute symlinks from the image root, .. stops there)', () => {
  it('an absolute symlink parent inside the image: var/run -> /run, then var/run/foo in a later layer lands in <root>/run/foo', async () => {
    const { root } = setup();
    const foo = unique('run');
    await apply(root, [{ name: 'run/', type: 'directory' }, { name: 'var/', type: 'directory' }, { name: 'var/run', type: 'symlink', linkname: '/run' }]);
    await apply(root, [{ name: `var/run/${foo}`, data: 'in the image\n' }, { name: `var/run/sub/${foo}`, data: 'deeper\n' }]);
    expect(readFileSync(join(root, 'run', foo), 'utf8')).toBe('in the image\n');
    expect(readFileSync(join(root, 'run', 'sub', foo), 'utf8')).toBe('deeper\n');
    expect(lstatSync(join(root, 'var', 'run')).isSymbolicLink()).toBe(true);
    expect(existsSync(join('/run', foo))).toBe(false);
    expect(existsSync(join('/run', 'sub', foo))).toBe(false);
  });

  it('a symlink whose target exists only inside the image (absolute, and through another link) is followed there', async () => {
    const { root } = setup();
    const only = unique('only');
    await apply(root, [
      { name: `${only}/data/`, type: 'directory' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/app', type: 'symlink', linkname: `/${only}/data` },
      { name: 'srv', type: 'symlink', linkname: '/opt/app/../data' },
    ]);
    await apply(root, [{ name: 'opt/app/conf', data: 'c\n' }, { name: 'srv/more', data: 'm\n' }]);
    expect(readFileSync(join(root, only, 'data', 'conf'), 'utf8')).toBe('c\n');
    expect(readFileSync(join(root, only, 'data', 'more'), 'utf8')).toBe('m\n');
    expect(existsSync(join('/', only))).toBe(false);
  });

  it('a relative symlink parent: lib -> usr/lib, and one climbing past the root (../../outside) stops at the image root', async () => {
    const { root, outside } = setup();
    await apply(root, [
      { name: 'usr/lib/', type: 'directory' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'a/', type: 'directory' },
      { name: 'a/up', type: 'symlink', linkname: '../../outside' },
    ]);
    await apply(root, [{ name: 'lib/libx.so', data: 'x' }, { name: 'a/up/new', data: 'contained' }]);
    expect(readFileSync(join(root, 'usr', 'lib', 'libx.so'), 'utf8')).toBe('x');
    expect(readFileSync(join(root, 'outside', 'new'), 'utf8')).toBe('contained');
    expect(readdirSync(outside)).toEqual(['shadow']);
  });

  it('leading-slash entry names and hard link targets are joined inside the root', async () => {
    const { root } = setup();
    const tmp = unique('tmp');
    await apply(root, [
      { name: '/etc/', type: 'directory' },
      { name: '/etc/b', data: 'b\n' },
      { name: `//tmp/${tmp}`, data: 'x' },
      { name: '/etc/b-link', type: 'link', linkname: '/etc/b' },
      { name: '/', type: 'directory' },
    ]);
    expect(readFileSync(join(root, 'etc', 'b'), 'utf8')).toBe('b\n');
    expect(readFileSync(join(root, 'tmp', tmp), 'utf8')).toBe('x');
    expect(statSync(join(root, 'etc', 'b-link')).ino).toBe(statSync(join(root, 'etc', 'b')).ino);
    expect(existsSync(join('/tmp', tmp))).toBe(false);
    await apply(root, [{ name: '/etc/.wh.b' }]);
    expect(existsSync(join(root, 'etc', 'b'))).toBe(false);
  });

  it('an absolute symlink at a host directory (hostetc -> /etc, conf -> the outside dir) is written through inside the image, never the host', async () => {
    const { root, outside } = setup();
    const name = unique('etc');
    const shadowLinks = statSync('/etc/shadow').nlink;
    await apply(root, [
      { name: 'hostetc', type: 'symlink', linkname: '/etc' },
      { name: `hostetc/${name}`, data: 'owned\n' },
      { name: 'conf', type: 'symlink', linkname: outside },
      { name: 'conf/shadow', data: 'owned\n' },
    ]);
    expect(readFileSync(join(root, 'etc', name), 'utf8')).toBe('owned\n');
    expect(existsSync(join('/etc', name))).toBe(false);
    expect(readFileSync(join(root, outside, 'shadow'), 'utf8')).toBe('owned\n');
    expect(readFileSync(join(outside, 'shadow'), 'utf8')).toBe('secret\n');
    expect(readdirSync(outside)).toEqual(['shadow']);
    // a hard link to the host's /etc/shadow links the image's file (or none), never the host's
    const missing = await refused(root, [{ name: 'stolen', type: 'link', linkname: '/etc/shadow' }]);
    expect(isOciError(missing, 'OCI_ERR_LAYER')).toBe(true);
    expect(missing.message).toContain('"stolen"');
    await apply(root, [{ name: 'realetc/shadow', data: 'image\n' }, { name: 'realetc/copy', type: 'link', linkname: '/realetc/shadow' }, { name: 'via', type: 'link', linkname: 'conf/shadow' }]);
    expect(statSync(join(root, 'realetc', 'copy')).ino).toBe(statSync(join(root, 'realetc', 'shadow')).ino);
    expect(statSync(join(root, 'via')).ino).toBe(statSync(join(root, outside, 'shadow')).ino);
    expect(statSync('/etc/shadow').nlink).toBe(shadowLinks);
    expect(statSync(join(outside, 'shadow')).nlink).toBe(1);
  });

  it('a directory swapped for a symlink to the host between layers: later entries follow it inside the image', async () => {
    const { root, outside } = setup();
    await apply(root, [{ name: 'usr/lib/x', data: 'x' }, { name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'lib/y', data: 'through a link inside: fine' }]);
    expect(readFileSync(join(root, 'usr', 'lib', 'y'), 'utf8')).toContain('fine');
    await apply(root, [{ name: 'usr', type: 'symlink', linkname: outside }, { name: 'lib/z', data: 'swap' }]);
    expect(readFileSync(join(root, outside, 'lib', 'z'), 'utf8')).toBe('swap');
    expect(readdirSync(outside)).toEqual(['shadow']);
  });

  it('whiteouts and opaque markers through a symlink to a host directory remove only what is in the image', async () => {
    const { root, outside } = setup();
    await apply(root, [
      { name: `${outside.slice(1)}/shadow`, data: 'image copy\n' },
      { name: `${outside.slice(1)}/other`, data: 'o\n' },
      { name: 'w', type: 'symlink', linkname: outside },
    ]);
    await apply(root, [{ name: 'w/.wh.shadow' }]);
    expect(existsSync(join(root, outside, 'shadow'))).toBe(false);
    await apply(root, [{ name: 'w/.wh..wh..opq' }]);
    expect(readdirSync(join(root, outside))).toEqual([]);
    expect(readFileSync(join(outside, 'shadow'), 'utf8')).toBe('secret\n');
    expect(readdirSync(outside)).toEqual(['shadow']);
  });

  it('a symlink loop (etc -> /etc, a -> b -> a) fails naming the entry; nothing is written on the host', async () => {
    const { root } = setup();
    const name = unique('loop');
    for (const entries of [
      [{ name: 'etc', type: 'symlink', linkname: '/etc' }, { name: `etc/${name}`, data: 'x' }],
      [{ name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: '/a' }, { name: `a/${name}`, data: 'x' }],
    ] as TarEntrySpec[][]) {
      const err = await refused(root, entries);
      expect(isOciError(err, 'OCI_ERR_LAYER')).toBe(true);
      expect(err.message).toContain(`/${name}"`);
      expect(err.message).toContain('too many levels of symbolic links');
      rmSync(root, { recursive: true });
      mkdirSync(root);
    }
    expect(existsSync(join('/etc', name))).toBe(false);
  });
});

describe('metadata', () => {
  it('modes incl. setuid/sticky, mtimes, symlinks and hard links; corrupt data is a typed error', async () => {
    const { root } = setup();
    await apply(root, [
      { name: 'bin/su', data: 'su', mode: 0o4755, mtime: 1_500_000_000 },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'bin/link', type: 'link', linkname: 'bin/su' },
      { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'fifo', type: 'fifo', mode: 0o600 },
      { name: 'u/ünïcødé ☃', data: 'utf8' },
    ]);
    const snap = new Map(treeSnapshot(root).map((e) => [e.path, e]));
    expect(snap.get('bin/su')).toMatchObject({ mode: 0o4755, mtime: 1_500_000_000, linkGroup: 'bin/link' });
    expect(snap.get('bin/link')?.linkGroup).toBe('bin/link');
    expect(snap.get('tmp')?.mode).toBe(0o1777);
    expect(snap.get('bin/sh')).toMatchObject({ type: 'symlink', target: 'busybox' });
    expect(snap.get('fifo')?.type).toBe('fifo');
    expect(snap.get('u/ünïcødé ☃')?.size).toBe(4);
    const err = await applyLayer(root, [Buffer.from('this is not a tar archive at all'.repeat(40))]).catch((e: unknown) => e);
    expect(isOciError(err)).toBe(true);
  });

  it.skipIf(!isRoot)('owners, device nodes and xattrs (root)', async () => {
    const { root } = setup();
    await apply(root, [
      { name: 'home/u/', type: 'directory', uid: 1234, gid: 5678, mode: 0o700 },
      { name: 'home/u/f', data: 'x', uid: 1234, gid: 5678, mode: 0o2755 },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660, gid: 6 },
      { name: 'x', data: 'attr', pax: { 'SCHILY.xattr.user.test': 'hello' } },
    ]);
    const snap = new Map(treeSnapshot(root).map((e) => [e.path, e]));
    expect(snap.get('home/u')).toMatchObject({ uid: 1234, gid: 5678, mode: 0o700 });
    expect(snap.get('home/u/f')).toMatchObject({ uid: 1234, gid: 5678, mode: 0o2755 });
    expect(snap.get('dev/null')).toMatchObject({ type: 'char', rdev: 0x103 });
    expect(snap.get('dev/sda')).toMatchObject({ type: 'block', gid: 6, mode: 0o660 });
    expect(execFileSync('getfattr', ['--only-values', '-n', 'user.test', join(root, 'x')], { encoding: 'utf8' })).toBe('hello');
  });

  it.skipIf(isRoot)('without root: owners and devices are skipped with one clear warning', async () => {
    const { root } = setup();
    const warnings: LayerWarning[] = [];
    await apply(root, [{ name: 'f', data: 'x', uid: 1234 }, { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }], false, warnings);
    expect(warnings.filter((w) => w.code === 'OCI_WARN_NOT_ROOT')).toHaveLength(1);
    expect(warnings.some((w) => w.code === 'OCI_WARN_DEVICE_SKIPPED' && w.entry === 'dev/null')).toBe(true);
  });
});
