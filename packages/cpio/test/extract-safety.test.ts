import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchive, listArchive } from '../src/index.js';
import { S_IFDIR, S_IFLNK, S_IFREG, encodeHeader, encodeTrailer, pad4 } from '../src/newc-header.js';

/** Hand-made archive: the writer would refuse these names, so encode headers directly. */
function craft(entries: Array<{ name: string; mode: number; data?: string }>): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    parts.push(encodeHeader({ ino: ino++, mode: e.mode, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: data.length, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 }, Buffer.from(e.name)));
    parts.push(data, Buffer.alloc(pad4(data.length)));
  }
  parts.push(encodeTrailer());
  return Buffer.concat(parts);
}

const file = (name: string, data = 'x'): { name: string; mode: number; data: string } => ({ name, mode: S_IFREG | 0o644, data });

describe('extraction refuses entries that would land outside the target', () => {
  let work: string;
  let dest: string;
  let outside: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'cpio-safe-'));
    dest = path.join(work, 'dest');
    outside = path.join(work, 'outside');
    mkdirSync(outside);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const outsideIsEmpty = (): void => {
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(work).sort()).toEqual(['dest', 'outside']);
  };

  for (const [label, name] of [
    ['../ entry', '../evil'],
    ['nested ../ entry', 'a/../../evil'],
    ['absolute entry', '/tmp/cpio-evil-absolute'],
    ['absolute entry into the outside dir', '@OUTSIDE@/abs'],
  ] as const) {
    it(`refuses a ${label} with CPIO_ERR_PATH_ESCAPE`, async () => {
      const n = name.replace('@OUTSIDE@', outside);
      const a = craft([file('ok-before'), file(n)]);
      expect((await listArchive([a])).map((e) => e.name)).toEqual(['ok-before', n]); // listing is fine
      await expect(extractArchive([a], dest)).rejects.toMatchObject({ code: 'CPIO_ERR_PATH_ESCAPE' });
      outsideIsEmpty();
      expect(existsSync('/tmp/cpio-evil-absolute')).toBe(false);
      expect(existsSync(path.join(dest, 'ok-before'))).toBe(true);
    });
  }

  it('refuses writing through a symlink that leads outside (entry after a crafted symlink)', async () => {
    const a = craft([{ name: 'link', mode: S_IFLNK | 0o777, data: outside }, file('link/evil')]);
    await expect(extractArchive([a], dest)).rejects.toMatchObject({ code: 'CPIO_ERR_PATH_ESCAPE' });
    outsideIsEmpty();
    const rel = craft([{ name: 'up', mode: S_IFLNK | 0o777, data: '../outside' }, file('up/evil')]);
    await expect(extractArchive([rel], path.join(work, 'dest'))).rejects.toMatchObject({ code: 'CPIO_ERR_PATH_ESCAPE' });
    outsideIsEmpty();
  });

  it('allows symlinked parents that stay inside; replaces a planted final symlink instead of following it', async () => {
    mkdirSync(dest);
    writeFileSync(path.join(outside, 'victim'), 'original');
    symlinkSync(path.join(outside, 'victim'), path.join(dest, 'planted'));
    const a = craft([
      { name: 'real', mode: S_IFDIR | 0o755 },
      { name: 'alias', mode: S_IFLNK | 0o777, data: 'real' },
      file('alias/through', 'inside'),
      file('planted', 'overwritten'),
    ]);
    await extractArchive([a], dest);
    expect(readFileSync(path.join(dest, 'real/through'), 'utf8')).toBe('inside');
    expect(lstatSync(path.join(dest, 'planted')).isFile()).toBe(true);
    expect(readFileSync(path.join(outside, 'victim'), 'utf8')).toBe('original');
  });

  it("onUnsafe: 'skip' extracts the safe entries, warns about the rest, writes nothing outside", async () => {
    const a = craft([file('../evil'), file('/abs-evil'), { name: 'l', mode: S_IFLNK | 0o777, data: '/' }, file('l/etc-evil'), file('good', 'g')]);
    const warnings: string[] = [];
    const r = await extractArchive([a], dest, { onUnsafe: 'skip', onWarning: (w) => warnings.push(w.code) });
    expect(r.skipped).toBe(3);
    expect(warnings).toEqual(['CPIO_WARN_ENTRY_SKIPPED', 'CPIO_WARN_ENTRY_SKIPPED', 'CPIO_WARN_ENTRY_SKIPPED']);
    expect(readFileSync(path.join(dest, 'good'), 'utf8')).toBe('g');
    outsideIsEmpty();
    expect(existsSync('/etc-evil')).toBe(false);
    expect(existsSync('/abs-evil')).toBe(false);
  });

  it('reports truncated and corrupt archives with typed errors', async () => {
    const a = craft([file('f', 'hello world')]);
    await expect(listArchive([a.subarray(0, 120)])).rejects.toMatchObject({ code: 'CPIO_ERR_TRUNCATED' });
    await expect(listArchive([Buffer.from('not a cpio archive at all, really not one, no no no no no no no no no no no no no no no no no no no no no no no')])).rejects.toMatchObject({ code: 'CPIO_ERR_BAD_MAGIC' });
  });

  it('reads concatenated archives (zero padding between them), like the kernel', async () => {
    const a = craft([file('one')]);
    const b = craft([file('two')]);
    const list = await listArchive([a, Buffer.alloc(512), b]);
    expect(list.map((e) => [e.name, e.archive])).toEqual([['one', 0], ['two', 1]]);
  });
});
