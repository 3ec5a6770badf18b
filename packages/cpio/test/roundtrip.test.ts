import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, truncateSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArchive, packTree, packTreeToFile, writeArchive, writeArchiveToFile, extractArchive, zstdSupport, readArchive } from '../src/index.js';
import type { CpioWarning, ProgressEvent } from '../src/index.js';
import { DEEP, UTF8_NAME, describeTree, isRoot, makeFixture, modeString, runCmd } from './helpers.js';

async function toBuffer(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const EXCLUDES = ['skip', 'etc/*.bak'];

describe.skipIf(!isRoot)('round trip through GNU cpio and our reader (root)', () => {
  let work: string;
  let src: string;
  let closeSock: () => void;
  const warnings: CpioWarning[] = [];
  let gz: Buffer;
  const progress: ProgressEvent[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cpio-rt-'));
    src = path.join(work, 'src');
    closeSock = await makeFixture(src, { bigFile: true, socket: true });
    gz = await toBuffer(packTree(src, { compression: 'gzip', exclude: EXCLUDES, onWarning: (w) => warnings.push(w), onProgress: (p) => progress.push(p) }));
    writeFileSync(path.join(work, 'a.cpio.gz'), gz);
  });
  afterAll(() => {
    closeSock?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The source tree as the archive should carry it: excludes and the socket removed. */
  const expected = (): Map<string, ReturnType<typeof describeTree> extends Map<string, infer V> ? V : never> => {
    const t = describeTree(src);
    for (const k of [...t.keys()]) if (k === 'skip' || k.startsWith('skip/') || k === 'etc/skip.bak') t.delete(k);
    return t;
  };

  it('gzip -t accepts our parallel gzip; socket skipped with a warning; progress reported', async () => {
    const r = await runCmd('gzip', ['-t'], { input: gz });
    expect(r.code, r.stderr).toBe(0);
    expect(warnings.map((w) => w.code)).toEqual(['CPIO_WARN_SOCKET_SKIPPED']);
    const last = progress[progress.length - 1]!;
    expect(last.done).toBe(true);
    expect(last.entries).toBe(last.totalEntries);
    expect(last.bytes).toBe(last.totalBytes);
    expect(last.bytesOut).toBe(gz.length);
  });

  it('GNU cpio -itv lists exactly the tree: modes, owners, sizes, link targets', async () => {
    const plain = (await runCmd('gzip', ['-dc'], { input: gz })).stdout;
    const r = await runCmd('cpio', ['-itv', '--numeric-uid-gid', '--quiet'], { input: plain });
    expect(r.code, r.stderr).toBe(0);
    const listed = new Map<string, { mode: string; uid: number; gid: number; size: string; target?: string }>();
    for (const line of r.stdout.toString('utf8').split('\n').filter(Boolean)) {
      const m = /^(\S{10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+,\s*\d+|\d+)\s+\w{3}\s+\d+\s+[\d:]+\s(.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      let name = m![6]!;
      let target: string | undefined;
      if (m![1]!.startsWith('l')) [name, target] = name.split(' -> ') as [string, string];
      listed.set(name, { mode: m![1]!, uid: Number(m![3]), gid: Number(m![4]), size: m![5]!.replace(/\s+/g, ''), ...(target ? { target } : {}) });
    }
    const exp = expected();
    expect([...listed.keys()].sort()).toEqual([...exp.keys()].sort());
    for (const [name, d] of exp) {
      const l = listed.get(name)!;
      expect(l.mode, name).toBe(modeString(d.type, d.perm));
      expect([l.uid, l.gid], name).toEqual([d.uid, d.gid]);
      if (d.type === 'symlink') expect(l.target, name).toBe(d.target);
      if (d.rdev) expect(l.size, name).toBe(d.rdev);
      else if (d.type === 'file' && !d.linkGroup) expect(Number(l.size), name).toBe(d.size);
    }
    // hard-link group: data once (on the last member), the other member size 0
    expect(Number(listed.get('bin/tool')!.size)).toBe(0);
    expect(Number(listed.get('sbin/tool-link')!.size)).toBe(2000);
  });

  /**
   * `dirMtimes` false for GNU cpio: it creates the earlier members of a hard-link group only when
   * the data-carrying last member arrives, after it already set the parent directory's mtime.
   */
  const compareTrees = (dir: string, dirMtimes = true): void => {
    const got = describeTree(dir);
    const exp = expected();
    expect([...got.keys()].sort()).toEqual([...exp.keys()].sort());
    for (const [name, d] of exp) {
      const g = got.get(name)!;
      const { mtime: _m1, ...dn } = d;
      const { mtime: _m2, ...gn } = g;
      expect(gn, name).toEqual(dn);
      if (d.type !== 'symlink' && (dirMtimes || d.type !== 'directory')) expect(g.mtime, `${name} mtime`).toBe(d.mtime);
    }
  };

  it('cpio -idm --no-absolute-filenames extraction equals the source tree (checksums + metadata)', async () => {
    const dest = path.join(work, 'gnu');
    mkdirSync(dest);
    const plain = (await runCmd('gzip', ['-dc'], { input: gz })).stdout;
    const r = await runCmd('cpio', ['-idm', '--no-absolute-filenames', '--quiet'], { input: plain, cwd: dest });
    expect(r.code, r.stderr).toBe(0);
    compareTrees(dest, false);
    const a = lstatSync(path.join(dest, 'bin/tool'));
    const b = lstatSync(path.join(dest, 'sbin/tool-link'));
    expect(a.ino).toBe(b.ino);
    expect(a.nlink).toBe(2);
    expect(readFileSync(path.join(dest, UTF8_NAME), 'utf8')).toBe('unicode ✓\n');
    expect(readFileSync(path.join(dest, DEEP, 'leaf'), 'utf8')).toBe('deep\n');
  });

  it('our extractArchive gives the same tree', async () => {
    const dest = path.join(work, 'ours');
    const res = await extractArchive(createReadStream(path.join(work, 'a.cpio.gz')), dest);
    expect(res.skipped).toBe(0);
    compareTrees(dest);
    expect(lstatSync(path.join(dest, 'bin/tool')).ino).toBe(lstatSync(path.join(dest, 'sbin/tool-link')).ino);
  });

  it('listArchive agrees with the tree; inodes renumbered from 1 and shared by the link pair', async () => {
    const list = await listArchive(Readable_from(gz));
    const exp = expected();
    expect(list.map((e) => e.name).sort()).toEqual([...exp.keys()].sort());
    const byName = new Map(list.map((e) => [e.name, e]));
    expect(byName.get('bin/tool')!.ino).toBe(byName.get('sbin/tool-link')!.ino);
    expect(byName.get('bin/tool')!.nlink).toBe(2);
    expect(Math.max(...list.map((e) => e.ino))).toBeLessThanOrEqual(list.length);
    expect(byName.get('dev/console')).toMatchObject({ type: 'char', rdevMajor: 5, rdevMinor: 1, perm: 0o620 });
    expect(byName.get('dangling')!.linkTarget).toBe('/nonexistent/target with space');
  });

  it('is deterministic: same tree, same bytes (any thread count); fixed mtime/owner options apply', async () => {
    const again = await toBuffer(packTree(src, { compression: 'gzip', exclude: EXCLUDES, threads: 1 }));
    expect(again.equals(gz)).toBe(true);
    const fixed = await listArchive(packTree(src, { compression: 'none', exclude: EXCLUDES, mtime: 1234, uid: 0, gid: 0 }));
    expect(new Set(fixed.map((e) => `${e.mtime}:${e.uid}:${e.gid}`))).toEqual(new Set(['1234:0:0']));
  });

  it('syncFs walks and reads with synchronous calls: same bytes; a gzip tee holds the plain archive', async () => {
    const tee = path.join(work, 'tee.cpio');
    const again = await toBuffer(packTree(src, { compression: 'gzip', exclude: EXCLUDES, syncFs: true, tee: { path: tee } }));
    expect(again.equals(gz)).toBe(true);
    const plain = await toBuffer(packTree(src, { compression: 'none', exclude: EXCLUDES }));
    expect(readFileSync(tee).equals(plain)).toBe(true);
    expect((await toBuffer(packTree(src, { compression: 'none', exclude: EXCLUDES, syncFs: true }))).equals(plain)).toBe(true);
  });

  it.skipIf(zstdSupport() === null && process.env.CI !== 'true')('zstd output (native zlib or the zstd binary) reads back and zstd -t accepts it', async () => {
    const z = await toBuffer(packTree(src, { compression: 'zstd', exclude: EXCLUDES }));
    expect(z.readUInt32LE(0)).toBe(0xfd2fb528);
    expect((await runCmd('zstd', ['-t', '-q'], { input: z })).code).toBe(0);
    expect((await listArchive(Readable_from(z))).length).toBe(expected().size);
  });
});

function Readable_from(b: Buffer): AsyncIterable<Buffer> {
  return (async function* () {
    // odd chunking exercises the reader's boundary handling
    for (let i = 0; i < b.length; i += 4093) yield b.subarray(i, i + 4093);
  })();
}

describe('writer limits and the entry-list API', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'cpio-w-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('refuses a file over 4 GiB with CPIO_ERR_FILE_TOO_LARGE (sparse, nothing read)', async () => {
    const d = path.join(work, 'big');
    mkdirSync(d);
    writeFileSync(path.join(d, 'huge'), '');
    truncateSync(path.join(d, 'huge'), 2 ** 32);
    await expect(toBuffer(packTree(d))).rejects.toMatchObject({ code: 'CPIO_ERR_FILE_TOO_LARGE', path: 'huge' });
    const out = path.join(work, 'big.img');
    await expect(packTreeToFile(d, out)).rejects.toMatchObject({ code: 'CPIO_ERR_FILE_TOO_LARGE' });
    expect(() => lstatSync(out)).toThrow(); // atomic: no partial output
  });

  it('writes in-memory overlay entries with implicit parents, hard links and streams; GNU cpio reads them', async () => {
    const out = path.join(work, 'ov.img.gz');
    const res = await writeArchiveToFile(
      [
        { path: 'etc/hosts', type: 'file', data: '127.0.0.1 localhost\n', mode: 0o644, mtime: 100 },
        { path: '/etc/ssh/key', type: 'file', data: Buffer.from('secret'), mode: 0o600, uid: 0, gid: 0 },
        { path: 'etc/link', type: 'hardlink', target: 'etc/hosts' },
        { path: 'usr/bin/sh', type: 'symlink', target: 'busybox' },
        // GNU cpio can only create the device node as root; the entry is in the archive either way
        { path: isRoot ? 'dev/console' : 'dev/fifo', type: isRoot ? 'char' : 'fifo', rdevMajor: 5, rdevMinor: 1, mode: 0o600 },
        { path: 'var/log/big', type: 'file', size: 300_000, data: () => (async function* () { for (let i = 0; i < 3; i++) yield Buffer.alloc(100_000, i); })() },
      ],
      out,
      { compression: 'gzip', mtime: 1_700_000_000 },
    );
    expect(res.entries).toBe(13);
    const list = await listArchive(createReadStream(out));
    expect(list.map((e) => e.name)).toEqual(['dev', isRoot ? 'dev/console' : 'dev/fifo', 'etc', 'etc/hosts', 'etc/link', 'etc/ssh', 'etc/ssh/key', 'usr', 'usr/bin', 'usr/bin/sh', 'var', 'var/log', 'var/log/big']);
    const hosts = list.find((e) => e.name === 'etc/hosts')!;
    const link = list.find((e) => e.name === 'etc/link')!;
    expect([hosts.size, link.size, hosts.nlink, hosts.ino === link.ino]).toEqual([0, 20, 2, true]);
    const plain = (await runCmd('gzip', ['-dc', out])).stdout;
    const dest = path.join(work, 'ovx');
    mkdirSync(dest);
    const r = await runCmd('cpio', ['-idm', '--no-absolute-filenames', '--quiet'], { input: plain, cwd: dest });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(dest, 'etc/link'), 'utf8')).toBe('127.0.0.1 localhost\n');
    expect(readFileSync(path.join(dest, 'var/log/big')).length).toBe(300_000);
    // reading bodies through readArchive
    for await (const e of readArchive(createReadStream(out))) {
      if (e.name === 'etc/ssh/key') {
        const parts: Buffer[] = [];
        for await (const c of e.body) parts.push(c);
        expect(Buffer.concat(parts).toString()).toBe('secret');
      }
    }
  });

  it('rejects duplicates, bad hard links and escaping names', async () => {
    await expect(toBuffer(writeArchive([{ path: 'a', type: 'file' }, { path: './a', type: 'file' }]))).rejects.toMatchObject({ code: 'CPIO_ERR_INVALID_ENTRY' });
    await expect(toBuffer(writeArchive([{ path: 'a', type: 'hardlink', target: 'b' }]))).rejects.toMatchObject({ code: 'CPIO_ERR_INVALID_ENTRY' });
    await expect(toBuffer(writeArchive([{ path: '../a', type: 'file' }]))).rejects.toMatchObject({ code: 'CPIO_ERR_PATH_ESCAPE' });
  });
});

describe('streaming behaviour', () => {
  it('applies backpressure end to end: a paused consumer stops the producer', async () => {
    // Incompressible data: the bound is on buffered output bytes (1 MiB) plus the compressor's
    // blocks in flight, so with random data the producer may only run that far ahead.
    let produced = 0;
    const total = 200 * 1024 * 1024;
    const { randomBytes } = await import('node:crypto');
    const data = async function* (): AsyncGenerator<Buffer> {
      const chunk = randomBytes(256 * 1024);
      for (let n = 0; n < total; n += chunk.length) {
        produced += chunk.length;
        yield chunk;
      }
    };
    const s = writeArchive([{ path: 'big', type: 'file', size: total, data }], { compression: 'gzip' });
    const it = s[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 300));
    const atPause = produced;
    expect(atPause).toBeLessThan(8 * 1024 * 1024); // bounded read-ahead, not 200 MiB
    s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(produced - atPause).toBeLessThan(4 * 1024 * 1024);
  });

  it('stops with an AbortError when the signal fires', async () => {
    const ac = new AbortController();
    const data = async function* (): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) {
        if (i === 3) ac.abort();
        yield Buffer.alloc(65536);
      }
    };
    const s = writeArchive([{ path: 'a', type: 'file', size: 1000 * 65536, data }, { path: 'b', type: 'file', data: 'x' }], { signal: ac.signal });
    await expect(toBuffer(s)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(s.result).rejects.toMatchObject({ name: 'AbortError' });
  });
});
