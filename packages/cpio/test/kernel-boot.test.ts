import { execFileSync, spawn } from 'node:child_process';
import { busyboxPath, ensureDebianKernel } from '@warewulf/testenv';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTree, writeArchive, zstdSupport } from '../src/index.js';
import { describeTree, isRoot, makeFixture } from './helpers.js';
import type { NodeDesc } from './helpers.js';

/**
 * The Linux kernel (Debian's, as nodes boot it) unpacks our archives: one file made of our
 * parallel-gzip cpio, zero padding to 4 KiB (what iPXE does between initrds) and a second,
 * uncompressed cpio from the entry-list writer. /init (busybox) prints what it finds on the serial
 * console and powers off; we compare that with the source tree.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CACHE = process.env.CPIO_E2E_CACHE ?? path.join(REPO, '.cache', 'cpio-e2e');
const EXCLUDES = ['skip', 'etc/*.bak'];

/** Debian's kernel, fetched once for every test that boots one (packages/testenv). */
function ensureKernel(): string {
  return ensureDebianKernel().vmlinuz;
}

const INIT = `#!/bin/busybox sh
# Uses busybox applets explicitly: --install would add entries to the tree under test.
B=/bin/busybox
echo "@@CPIO-LIST-BEGIN@@"
$B find / -xdev ! -path / | while IFS= read -r p; do
  s=$($B stat -c '%f|%u|%g|%s|%h|%i|%t|%T|%Y' "$p")
  l=; m=
  [ -L "$p" ] && l=$($B readlink "$p")
  [ -f "$p" ] && [ ! -L "$p" ] && m=$($B md5sum "$p" | $B cut -d' ' -f1)
  echo "@@E|$s|$l|$m|$p"
done
echo "@@CPIO-LIST-END@@"
$B poweroff -f
`;

const needs = ['qemu-system-x86_64', 'busybox'].filter((c) => {
  try {
    execFileSync('bash', ['-c', `command -v ${c}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});

// In CI the tools are installed by the test job, so a missing one is a failure there, not a skip.
const mustRun = process.env.CI === 'true';

describe.skipIf(!isRoot || (needs.length > 0 && !mustRun))(`Linux kernel unpacks our initrd in qemu (root)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  let work: string;
  let closeSock = (): void => undefined;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'cpio-kernel-'));
  });
  afterAll(() => {
    closeSock();
    rmSync(work, { recursive: true, force: true });
  });

  const bootAndCompare = async (compression: 'gzip' | 'zstd'): Promise<void> => {
    const vmlinuz = ensureKernel();
    const src = path.join(work, `root-${compression}`);
    const close = await makeFixture(src, { bigFile: true, socket: true });
    const prevClose = closeSock;
    closeSock = () => {
      prevClose();
      close();
    };
    mkdirSync(path.join(src, 'bin'), { recursive: true });
    copyFileSync(busyboxPath(), path.join(src, 'bin/busybox'));
    writeFileSync(path.join(src, 'init'), INIT);
    chmodSync(path.join(src, 'init'), 0o755);
    utimesSync(path.join(src, 'init'), 1_650_000_000, 1_650_000_000);
    utimesSync(path.join(src, 'bin/busybox'), 1_650_000_000, 1_650_000_000);
    utimesSync(path.join(src, 'bin'), 1_650_000_000, 1_650_000_000);

    const parts: Buffer[] = [];
    for await (const c of packTree(src, { compression, exclude: EXCLUDES })) parts.push(c as Buffer);
    const gz = Buffer.concat(parts);
    const overlayEntries = [
      { path: 'etc/overlay-marker', type: 'file' as const, data: 'second initrd\n', mode: 0o640, uid: 7, gid: 8, mtime: 1_700_000_000 },
      { path: 'etc/hosts', type: 'file' as const, data: '10.0.0.1 overridden\n', mode: 0o600, uid: 0, gid: 0, mtime: 1_700_000_001 },
    ];
    const ov: Buffer[] = [];
    for await (const c of writeArchive(overlayEntries, { compression: 'none' })) ov.push(c as Buffer);
    // iPXE places each initrd at a 4 KiB boundary with zero padding; the kernel skips the zeros
    const padded = Buffer.concat([gz, Buffer.alloc((4096 - (gz.length % 4096)) % 4096)]);
    const initrd = path.join(work, `initrd-${compression}.img`);
    writeFileSync(initrd, Buffer.concat([padded, ...ov]));

    const t0 = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      // TCG by default: /dev/kvm may exist yet hang (nested virtualisation); CPIO_E2E_ACCEL=kvm to opt in
      const accel = process.env.CPIO_E2E_ACCEL ?? 'tcg';
      const child = spawn('timeout', ['-k', '5', '150', 'qemu-system-x86_64', '-machine', `pc,accel=${accel}`, '-m', '512', '-nographic', '-no-reboot', '-nic', 'none',
        // -nic none: no NIC option ROM needed (package ipxe-qemu not required)
        '-kernel', vmlinuz, '-initrd', initrd, '-append', 'console=ttyS0 panic=-1 quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      child.stderr.on('data', (d: Buffer) => chunks.push(d));
      child.on('error', reject);
      child.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const seconds = (Date.now() - t0) / 1000;
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(path.join(CACHE, 'last-serial.log'), out);
    console.log(`${compression}: kernel boot + listing took ${seconds.toFixed(1)} s`);
    const begin = out.indexOf('@@CPIO-LIST-BEGIN@@');
    const end = out.indexOf('@@CPIO-LIST-END@@');
    expect(begin, `no listing in serial output:\n${out.slice(-3000)}`).toBeGreaterThan(-1);
    expect(end, `listing incomplete:\n${out.slice(-3000)}`).toBeGreaterThan(begin);

    const TYPES: Record<number, string> = { 0o100000: 'file', 0o040000: 'directory', 0o120000: 'symlink', 0o020000: 'char', 0o060000: 'block', 0o010000: 'fifo' };
    const got = new Map<string, NodeDesc & { ino: string }>();
    for (const raw of out.slice(begin, end).split('\n')) {
      const line = raw.replace(/\r$/, '');
      if (!line.startsWith('@@E|')) continue;
      const [, modeHex, uid, gid, size, , ino, maj, min, mtime, link, md5, ...rest] = line.split('|');
      const name = rest.join('|').replace(/^\//, '');
      const mode = parseInt(modeHex!, 16);
      const type = TYPES[mode & 0o170000] ?? 'unknown';
      const d: NodeDesc & { ino: string } = { type, perm: mode & 0o7777, uid: Number(uid), gid: Number(gid), size: type === 'directory' ? 0 : Number(size), mtime: Number(mtime), ino: ino! };
      if (type === 'symlink') d.target = link!;
      if (type === 'file') d.md5 = md5!;
      if (type === 'char' || type === 'block') d.rdev = `${parseInt(maj!, 16)},${parseInt(min!, 16)}`;
      got.set(name, d);
    }

    // expected: source tree minus excludes and the socket, with the second archive applied on top
    const exp = describeTree(src);
    for (const k of [...exp.keys()]) if (k === 'skip' || k.startsWith('skip/') || k === 'etc/skip.bak') exp.delete(k);
    const ovDir = path.join(work, `ov-${compression}`);
    mkdirSync(path.join(ovDir, 'etc'), { recursive: true });
    for (const e of overlayEntries) {
      writeFileSync(path.join(ovDir, e.path), e.data);
      const d = describeTree(ovDir).get(e.path)!;
      exp.set(e.path, { ...d, perm: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime });
    }

    // the kernel itself creates /root (mode 0700) in rootfs before unpacking
    if (!exp.has('root') && got.get('root')?.type === 'directory') got.delete('root');
    expect([...got.keys()].sort()).toEqual([...exp.keys()].sort());
    for (const [name, d] of exp) {
      const g = got.get(name)!;
      const { linkGroup, ...want } = d;
      const { ino: _ino, ...have } = g;
      if (d.type === 'symlink') {
        delete (want as Partial<NodeDesc>).mtime; // the kernel does not set symlink times
        delete (have as Partial<NodeDesc>).mtime;
      }
      if ((d.type === 'directory' && name === 'etc') || name === 'dev/console') {
        // etc: the second archive adds files after its mtime was set; the console: init writes to it
        delete (want as Partial<NodeDesc>).mtime;
        delete (have as Partial<NodeDesc>).mtime;
      }
      expect(have, name).toEqual(want);
      if (linkGroup) {
        const inos = new Set(linkGroup.split('|').map((n) => got.get(n)!.ino));
        expect(inos.size, `hard-link group ${linkGroup}`).toBe(1);
      }
    }
    expect(got.get('bin/tool')!.ino).toBe(got.get('sbin/tool-link')!.ino);
  };

  it("boots Debian's kernel with our parallel-gzip cpio + an uncompressed cpio and sees exactly the source tree", () => bootAndCompare('gzip'), 200_000);

  it('has qemu and busybox', () => expect(needs).toEqual([]));

  it.skipIf(zstdSupport() === null && !mustRun)('the kernel also unpacks our zstd cpio (+ uncompressed cpio)', () => bootAndCompare('zstd'), 200_000);
});
