/**
 * The overlay commands against what upstream (Go) does, fault class by
 * fault class: `overlay show --render` is the file `overlay build` writes
 * (same template data: the image's default kernel for a node without one);
 * bytes pass through byte-exact (Go strings are bytes: `show` of a binary,
 * a Latin-1 byte in a template, an included Latin-1 file, `edit`);
 * `mkdir` leaves an existing directory as it is (MkdirAll); `list -l`
 * prints modes as Go's os.FileMode.String(). Images are read back with GNU cpio.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCmd } from '@warewulf/testenv';
import { WWCTL_BIN, makeRoot, wwctl, type TestRoot } from './helpers.js';
import { modeString } from '../src/commands/overlay/list.js';

const OV = 'var/lib/warewulf/overlays';
const img = (t: TestRoot, node: string) => join(t.root, 'var/lib/warewulf/provision/overlays', node, '__SYSTEM__.img.gz');
/** A file of a built image as GNU cpio extracts it: bytes, not text. */
const cpioBytes = (p: string, f: string): Buffer => execFileSync('bash', ['-c', `gzip -dc '${p}' | cpio -i --to-stdout --quiet '${f}'`]);
/** The bundled wwctl in a child process, stdout as bytes (the in-process helper decodes it as UTF-8). */
async function wwctlBytes(t: TestRoot, ...args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return runCmd(process.execPath, [WWCTL_BIN, ...args], { env: t.env as NodeJS.ProcessEnv });
}
function writeBytes(t: TestRoot, rel: string, data: Buffer): string {
  const p = join(t.root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, data);
  return p;
}

/** A node n1 of image `img1` (with a kernel), no kernel.version of its own, system overlay `site1`. */
function world(comment = ''): TestRoot {
  const t = makeRoot(`nodeprofiles:\n  default:\n    image name: img1\n    system overlay: [site1]\n    runtime overlay: [site1]\nnodes:\n  n1:\n    comment: "${comment}"\n    network devices:\n      default: {device: eth0, ipaddr: 10.0.0.1, hwaddr: "52:54:00:00:00:01"}\n`);
  t.write('etc/warewulf/warewulf.conf', 'warewulf:\n  autobuild overlays: false\n');
  t.write('var/lib/warewulf/chroots/img1/rootfs/boot/vmlinuz-6.1.0', 'kernel');
  t.write('var/lib/warewulf/chroots/img1/rootfs/etc/os-release', 'NAME=test\n');
  return t;
}

describe('overlay show --render is what overlay build writes (§5.3, §5.7)', () => {
  it(".Kernel.Version of a node without one is its image's default kernel, in the preview as in the image", async () => {
    const t = world();
    t.write(`${OV}/site1/rootfs/etc/issue.ww`, 'Node: {{ .Id }}\n{{ if .Kernel.Version }}Kernel: {{ .Kernel.Version }}\n{{ end }}');
    const b = await wwctl(t, 'overlay', 'build', '--workers', '1');
    expect(b.code, b.stderr).toBe(0);
    const built = cpioBytes(img(t, 'n1'), 'etc/issue').toString('utf8');
    expect(built).toBe('Node: n1\nKernel: 6.1.0\n');
    const show = await wwctl(t, 'overlay', 'show', '-q', '-r', 'n1', 'site1', '/etc/issue.ww');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toBe(built);
    // the REST API's rendered file (core's readOverlayFile, §4.10) renders with the same data
    const { OverlayStore, readOverlayFile } = await import('@warewulf/core/overlay');
    const { loadConfigAndPaths, loadNodeDb } = await import('@warewulf/core');
    const { conf, paths } = await loadConfigAndPaths({ env: t.env });
    const db = await loadNodeDb(paths.nodesConf);
    const view = await readOverlayFile(OverlayStore.fromPaths(paths), 'site1', 'etc/issue', { conf, paths, db, hostname: 'h', node: 'n1' });
    expect(view.contents).toBe(built);
  });
});

describe('bytes pass through byte-exact (Go strings are bytes)', () => {
  it('overlay show of a binary file prints its bytes as they are', async () => {
    const t = world();
    const blob = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\xff\xfe\xe9 latin1 \xe9t\xe9\n', 'latin1'), Buffer.from('é € 😀\n')]);
    writeBytes(t, `${OV}/site1/rootfs/usr/bin/blob`, blob);
    const r = await wwctlBytes(t, 'overlay', 'show', 'site1', '/usr/bin/blob');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.equals(blob)).toBe(true);
  });

  it("a template's Latin-1 byte, its UTF-8 text, a node's UTF-8 comment and an included Latin-1 file come out byte-identical in the image and the preview", async () => {
    const t = world('ü € 😀');
    writeBytes(t, 'etc/warewulf/latin1.txt', Buffer.from('included caf\xe9\n', 'latin1'));
    const template = Buffer.concat([
      Buffer.from('latin1 caf\xe9 ', 'latin1'), Buffer.from('utf8 café {{ .Comment }}\n'),
      Buffer.from('{{ Include "latin1.txt" }}\n'), Buffer.from('lone \x80\xc3 end\n', 'latin1'),
    ]);
    writeBytes(t, `${OV}/site1/rootfs/etc/motd.ww`, template);
    const want = Buffer.concat([
      Buffer.from('latin1 caf\xe9 ', 'latin1'), Buffer.from('utf8 café ü € 😀\n'),
      Buffer.from('included caf\xe9\n', 'latin1'), Buffer.from('lone \x80\xc3 end\n', 'latin1'),
    ]);
    const b = await wwctl(t, 'overlay', 'build', '--workers', '1');
    expect(b.code, b.stderr).toBe(0);
    expect(cpioBytes(img(t, 'n1'), 'etc/motd').toString('hex')).toBe(want.toString('hex'));
    const show = await wwctlBytes(t, 'overlay', 'show', '-q', '-r', 'n1', 'site1', 'etc/motd');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout.toString('hex')).toBe(want.toString('hex'));
  });

  it('overlay edit keeps the bytes the editor did not change', async () => {
    const t = world();
    const blob = Buffer.from('caf\xe9 \x00\xff\n', 'latin1');
    const p = writeBytes(t, `${OV}/site1/rootfs/etc/data`, blob);
    t.env.EDITOR = t.write('ed.sh', '#!/bin/sh\nprintf "more\\n" >> "$1"\n', 0o755);
    expect((await wwctl(t, 'overlay', 'edit', 'site1', 'etc/data')).code).toBe(0);
    expect(readFileSync(p).toString('hex')).toBe(Buffer.concat([blob, Buffer.from('more\n')]).toString('hex'));
  });
});

describe('overlay mkdir on an existing directory (upstream MkdirAll)', () => {
  it('warns and leaves the directory, its mode included, as it is', async () => {
    const t = world();
    expect((await wwctl(t, 'overlay', 'create', 'site1')).code).toBe(0);
    expect((await wwctl(t, 'overlay', 'mkdir', '-m', '0700', 'site1', '/p/q')).code).toBe(0);
    const dir = join(t.root, OV, 'site1/rootfs/p/q');
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    const r = await wwctl(t, 'overlay', 'mkdir', 'site1', '/p/q');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('WARN   : directory /p/q already exists in overlay site1');
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    expect((await wwctl(t, 'overlay', 'mkdir', '-m', '0750', 'site1', '/p/q')).code).toBe(0);
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
  });
});

describe("overlay list -l prints modes as Go's os.FileMode.String()", () => {
  it('setuid, setgid and sticky are type letters before rwx (u, g, t), symlinks L', async () => {
    const t = world();
    t.write(`${OV}/site1/rootfs/etc/hostname`, 'h\n');
    t.write(`${OV}/site1/rootfs/etc/sg`, 'x\n');
    t.write(`${OV}/site1/rootfs/etc/both`, 'x\n');
    mkdirSync(join(t.root, OV, 'site1/rootfs/tmp'));
    symlinkSync('hostname', join(t.root, OV, 'site1/rootfs/etc/link'));
    for (const [f, m] of [['/etc/hostname', '4755'], ['/etc/sg', '2755'], ['/etc/both', '6755'], ['/tmp', '1777']]) {
      expect((await wwctl(t, 'overlay', 'chmod', 'site1', f as string, m as string)).code).toBe(0);
    }
    const long = (await wwctl(t, 'overlay', 'list', '-l', 'site1')).stdout;
    expect(long).toMatch(/^urwxr-xr-x\s+\d+\s+\d+\s+site1\s+\/etc\/hostname\s/m);
    expect(long).toMatch(/^grwxr-xr-x\s+\d+\s+\d+\s+site1\s+\/etc\/sg\s/m);
    expect(long).toMatch(/^ugrwxr-xr-x\s+\d+\s+\d+\s+site1\s+\/etc\/both\s/m);
    expect(long).toMatch(/^dtrwxrwxrwx\s+\d+\s+\d+\s+site1\s+\/tmp\/\s/m);
    expect(long).toMatch(/^Lrwxrwxrwx\s+\d+\s+\d+\s+site1\s+\/etc\/link\s/m);
    expect(long).toMatch(/^drwxr-xr-x\s+\d+\s+\d+\s+site1\s+\/etc\/\s/m);
  });

  it("special files get Go's letters in Go's order", () => {
    expect(modeString('file', 0o644)).toBe('-rw-r--r--');
    expect(modeString('other', 0o620, 'character device')).toBe('Dcrw--w----');
    expect(modeString('other', 0o660, 'block device')).toBe('Drw-rw----');
    expect(modeString('other', 0o644, 'fifo')).toBe('prw-r--r--');
    expect(modeString('other', 0o755, 'socket')).toBe('Srwxr-xr-x');
    expect(modeString('other', 0o1620 | 0o4000, 'character device')).toBe('Ductrw--w----');
    expect(modeString('directory', 0o3755)).toBe('dgtrwxr-xr-x');
  });
});
