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
    ['an absolute name', [{ name: '/tmp/evil', data: 'x' }], '/tmp/evil'],
    ['a hard link to an absolute path', [{ name: 'shadowlink', type: 'link', linkname: '/etc/shadow' }], 'shadowlink'],
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

  it('an absolute symlink followed by a write through it', async () => {
    const { root, outside } = setup();
    const err = await refused(root, [
      { name: 'etc', type: 'symlink', linkname: outside },
      { name: 'etc/shadow', data: 'owned\n' },
    ]);
    expect(isOciError(err, 'OCI_ERR_UNSAFE_ENTRY')).toBe(true);
    expect(err.message).toContain('"etc/shadow"');
    expect(readFileSync(join(outside, 'shadow'), 'utf8')).toBe('secret\n');
  });

  it('a relative symlink climbing out, then a write through it', async () => {
    const { root, outside } = setup();
    const err = await refused(root, [
      { name: 'a/', type: 'directory' },
      { name: 'a/up', type: 'symlink', linkname: '../../outside' },
      { name: 'a/up/new', data: 'x' },
    ]);
    expect(err.message).toContain('"a/up/new"');
    expect(readdirSync(outside)).toEqual(['shadow']);
  });

  it('a directory swapped for a symlink between entries (in a later layer)', async () => {
    const { root, outside } = setup();
    await apply(root, [{ name: 'usr/lib/x', data: 'x' }, { name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'lib/y', data: 'through a link inside: fine' }]);
    expect(readFileSync(join(root, 'usr', 'lib', 'y'), 'utf8')).toContain('fine');
    const err = await refused(root, [
      { name: 'usr', type: 'symlink', linkname: outside },
      { name: 'lib/z', data: 'swap' },
    ]);
    expect(err.message).toContain('"lib/z"');
    expect(readdirSync(outside)).toEqual(['shadow']);
  });

  it('a hard link whose target sits behind a symlink leading out', async () => {
    const { root, outside } = setup();
    const err = await refused(root, [
      { name: 'out', type: 'symlink', linkname: outside },
      { name: 'copy', type: 'link', linkname: 'out/shadow' },
    ]);
    expect(err.message).toContain('"copy"');
    expect(statSync(join(outside, 'shadow')).nlink).toBe(1);
  });

  it('a symlink pointing outside is kept as a link and never followed when replaced', async () => {
    const { root, outside } = setup();
    await apply(root, [{ name: 'etc/', type: 'directory' }, { name: 'etc/shadow', type: 'symlink', linkname: join(outside, 'shadow') }]);
    await apply(root, [{ name: 'etc/shadow', data: 'image shadow\n', mode: 0o640 }]);
    expect(readFileSync(join(outside, 'shadow'), 'utf8')).toBe('secret\n');
    expect(readFileSync(join(root, 'etc', 'shadow'), 'utf8')).toBe('image shadow\n');
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
