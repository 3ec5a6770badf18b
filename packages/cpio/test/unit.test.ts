import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compileExcludes, compressStream, globToRegExp, gzipParallel, sanitizeEntryName, isCpioError } from '../src/index.js';
import { crc32Combine } from '../src/crc32-combine.js';
import { decodeHeader, encodeHeader, splitDev } from '../src/newc-header.js';
import { TREE_DATA, compareNames, type PlannedEntry } from '../src/plan.js';
import { emitArchive } from '../src/emit.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

describe('newc header codec', () => {
  it('round-trips every field and pads header+name to 4 bytes', () => {
    const name = Buffer.from('dir/fïle');
    const h = { ino: 0xffffffff, mode: 0o100644, uid: 1, gid: 2, nlink: 3, mtime: 1_700_000_000, fileSize: 4, devMajor: 0, devMinor: 0, rdevMajor: 5, rdevMinor: 6 };
    const buf = encodeHeader(h, name);
    expect(buf.length % 4).toBe(0);
    expect(buf.toString('latin1', 0, 6)).toBe('070701');
    expect(decodeHeader(buf)).toMatchObject({ ...h, nameSize: name.length + 1, check: 0 });
    expect(buf.subarray(110, 110 + name.length).equals(name)).toBe(true);
    expect(buf[110 + name.length]).toBe(0);
  });
  it('rejects out-of-range fields with a typed error', () => {
    expect(() => encodeHeader({ ino: 2 ** 32, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: 0, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 }, Buffer.from('x'))).toThrow(/ino out of range/);
    try {
      decodeHeader(Buffer.alloc(110, 0x41));
    } catch (e) {
      expect(isCpioError(e, 'CPIO_ERR_BAD_MAGIC')).toBe(true);
    }
  });
  it('splits 64-bit Linux dev_t like glibc', () => {
    expect(splitDev(0x0103n)).toEqual({ major: 1, minor: 3 });
    // major 300, minor 70000 (needs the high bits)
    const major = 300n;
    const minor = 70000n;
    const dev = ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
    expect(splitDev(dev)).toEqual({ major: 300, minor: 70000 });
  });
});

describe('crc32Combine', () => {
  it('equals the CRC of the concatenation', () => {
    for (const [a, b] of [[0, 0], [1, 1], [100, 131072], [131072, 5], [70000, 0]] as const) {
      const x = randomBytes(a);
      const y = randomBytes(b);
      expect(crc32Combine(crc32(x), crc32(y), y.length)).toBe(crc32(Buffer.concat([x, y])));
    }
  });
});

describe('parallel gzip', () => {
  const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(500_000, 'abcdefgh'), randomBytes(1000)]);
  it('produces one gzip member that zlib decodes, identical across thread counts', async () => {
    const one = await collect(gzipParallel(Readable.from([data]), { threads: 1 }));
    const two = await collect(gzipParallel(Readable.from([data.subarray(0, 7), data.subarray(7)]), { threads: 2 }));
    const four = await collect(gzipParallel(Readable.from([data]), { threads: 4, level: 6 }));
    expect(gunzipSync(one).equals(data)).toBe(true);
    expect(one.equals(two)).toBe(true);
    expect(one.equals(four)).toBe(true);
    expect(one[0]).toBe(0x1f);
    expect(one.readUInt32LE(4)).toBe(0); // no timestamp: deterministic
  });
  it('handles empty input and inputs smaller than a block without workers', async () => {
    expect(gunzipSync(await collect(gzipParallel(Readable.from([]), {}))).length).toBe(0);
    expect(gunzipSync(await collect(gzipParallel(Readable.from([Buffer.from('hi')]), {}))).toString()).toBe('hi');
  });
  it('tee: the workers write the uncompressed input to a new file; same gzip bytes as without', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cpio-tee-'));
    try {
      const plain = await collect(gzipParallel(Readable.from([data]), { threads: 2 }));
      const chunks = [data.subarray(0, 100_000), data.subarray(100_000, 100_003), data.subarray(100_003)];
      const teed = await collect(gzipParallel(Readable.from(chunks), { threads: 2, tee: { path: path.join(dir, 'big') } }));
      expect(teed.equals(plain)).toBe(true);
      expect(readFileSync(path.join(dir, 'big')).equals(data)).toBe(true);
      // under one block: written by the main thread; an empty input leaves an empty file
      await collect(gzipParallel(Readable.from([Buffer.from('hi')]), { tee: { path: path.join(dir, 'small'), mode: 0o600 } }));
      expect(readFileSync(path.join(dir, 'small'), 'utf8')).toBe('hi');
      expect(statSync(path.join(dir, 'small')).mode & 0o777).toBe(0o600);
      await collect(gzipParallel(Readable.from([]), { tee: { path: path.join(dir, 'empty') } }));
      expect(statSync(path.join(dir, 'empty')).size).toBe(0);
      // the tee is a new file: an existing one is refused, untouched
      await expect(collect(gzipParallel(Readable.from([data]), { tee: { path: path.join(dir, 'small') } }))).rejects.toMatchObject({ code: 'EEXIST' });
      expect(readFileSync(path.join(dir, 'small'), 'utf8')).toBe('hi');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('refuses a tee without gzip', () => {
    expect(() => compressStream(Readable.from([data]), { compression: 'none', tee: { path: '/nonexistent/x' } })).toThrow(
      expect.objectContaining({ code: 'CPIO_ERR_COMPRESSION' }),
    );
  });
  it('refuses bad levels', async () => {
    await expect(collect(gzipParallel(Readable.from([data]), { level: 12 }))).rejects.toMatchObject({ code: 'CPIO_ERR_COMPRESSION' });
  });
});

describe('files that changed since the walk', () => {
  it('syncFs reads give the same bytes and warnings as the async reads: truncated when grown, zero-padded when shrunk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cpio-chg-'));
    try {
      writeFileSync(path.join(dir, 'grew'), 'x'.repeat(1000));
      writeFileSync(path.join(dir, 'shrank'), 'y'.repeat(10));
      const entry = (name: string, size: number): PlannedEntry => ({
        name, mode: 0o100644, uid: 0, gid: 0, mtime: 1, size, rdevMajor: 0, rdevMinor: 0, nlink: 1, ino: 1, data: TREE_DATA,
      });
      const run = async (syncFs: boolean) => {
        const warnings: string[] = [];
        const counters = { entries: 0, bytes: 0, archiveBytes: 0 };
        const out = await collect(
          emitArchive([entry('grew', 600), entry('shrank', 30)], counters, (w) => warnings.push(`${w.code} ${w.path}`), () => undefined, undefined, false, dir, true, syncFs),
        );
        return { out, warnings, counters };
      };
      const a = await run(false);
      const b = await run(true);
      expect(b.out.equals(a.out)).toBe(true);
      expect(b.warnings).toEqual(['CPIO_WARN_FILE_CHANGED grew', 'CPIO_WARN_FILE_CHANGED shrank']);
      expect(a.warnings).toEqual(b.warnings);
      expect(b.counters).toEqual(a.counters);
      expect(b.out.includes(Buffer.concat([Buffer.from('y'.repeat(10)), Buffer.alloc(20)]))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('exclude globs (spec §6.2)', () => {
  it('matches shell-glob style against relative paths', () => {
    const m = compileExcludes(['/boot/*', 'usr/share/doc/', '*.bak', '', '# comment', 'var/cache/[!a]*', 'opt/**/tmp']);
    expect(m('boot/vmlinuz')).toBe(true);
    expect(m('boot')).toBe(false);
    expect(m('usr/share/doc')).toBe(true);
    expect(m('x.bak')).toBe(true);
    expect(m('etc/x.bak')).toBe(false); // * does not cross "/"
    expect(m('var/cache/bx')).toBe(true);
    expect(m('var/cache/ax')).toBe(false);
    expect(m('opt/a/b/tmp')).toBe(true);
    expect(m('')).toBe(false);
    expect(globToRegExp('a?c').test('a/c')).toBe(false);
  });
});

describe('names', () => {
  it('sanitises entry names and refuses escapes', () => {
    expect(sanitizeEntryName('./a/./b/')).toBe('a/b');
    expect(sanitizeEntryName('.')).toBe('');
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..', 'a\0b']) {
      expect(() => sanitizeEntryName(bad)).toThrow(expect.objectContaining({ code: 'CPIO_ERR_PATH_ESCAPE' }));
    }
  });
  it('orders a directory right before its contents', () => {
    const names = ['a-b', 'a/b', 'a', 'a/b/c', 'a.b', 'b'];
    names.sort((x, y) => compareNames(Buffer.from(x), Buffer.from(y)));
    expect(names).toEqual(['a', 'a/b', 'a/b/c', 'a-b', 'a.b', 'b']);
  });
});
