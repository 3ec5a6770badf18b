/**
 * ociArchiveOfDir makes archives the real OCI tools accept: skopeo reads the
 * index, manifest and digests, copies it (checking every digest), and umoci
 * unpacks the layer to the same tree (modes, owners, symlinks, hard links).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inCI, isRoot, missingTools, ociArchiveOfDir } from '../src/index.js';

const needs = missingTools(['skopeo', 'umoci', 'mkfifo']);
const work = mkdtempSync(join(tmpdir(), 'oci-archive-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!isRoot || (needs.length > 0 && !inCI))(`OCI archive of a directory (root: owners)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  it('is read, copied and unpacked by skopeo and umoci to the same tree', async () => {
    const src = join(work, 'src');
    for (const d of ['etc', 'bin', 'home/u']) mkdirSync(join(src, d), { recursive: true });
    writeFileSync(join(src, 'etc/hosts'), '127.0.0.1 localhost\n');
    writeFileSync(join(src, 'bin/tool'), '#!/bin/sh\necho tool\n');
    chmodSync(join(src, 'bin/tool'), 0o4755);
    linkSync(join(src, 'bin/tool'), join(src, 'bin/tool2'));
    symlinkSync('tool', join(src, 'bin/sh'));
    writeFileSync(join(src, 'home/u/f'), 'private\n');
    chownSync(join(src, 'home/u/f'), 1000, 1001);
    chmodSync(join(src, 'home/u/f'), 0o640);
    execFileSync('mkfifo', [join(src, 'etc/fifo')]);

    const out = join(work, 'image.oci.tar');
    const info = await ociArchiveOfDir(src, out, { ref: 'v1' });
    expect(info.warnings).toEqual(['skipped special file etc/fifo']);

    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${out}`], { encoding: 'utf8' })) as { Digest: string; Layers: string[]; Os: string; Architecture: string };
    expect(inspect).toMatchObject({ Digest: info.manifestDigest, Layers: [info.layerDigest], Os: 'linux', Architecture: 'amd64' });

    const layout = join(work, 'layout');
    execFileSync('skopeo', ['copy', '-q', `oci-archive:${out}:v1`, `oci:${layout}:v1`]);
    const bundle = join(work, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:v1`, bundle], { stdio: 'ignore' });
    const rootfs = join(bundle, 'rootfs');
    expect(readFileSync(join(rootfs, 'etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
    expect(lstatSync(join(rootfs, 'bin/tool')).mode & 0o7777).toBe(0o4755);
    expect(lstatSync(join(rootfs, 'bin/tool2')).ino).toBe(lstatSync(join(rootfs, 'bin/tool')).ino);
    expect(readlinkSync(join(rootfs, 'bin/sh'))).toBe('tool');
    const f = lstatSync(join(rootfs, 'home/u/f'));
    expect([f.uid, f.gid, f.mode & 0o7777]).toEqual([1000, 1001, 0o640]);
    expect(() => lstatSync(join(rootfs, 'etc/fifo'))).toThrow();
  });
});
