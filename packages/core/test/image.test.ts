/**
 * core/image through its API: names, atomic imports (an interrupted one
 * leaves nothing; leftovers of killed ones are swept), --update, kernel
 * lookups for the template data.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../src/log.js';
import { NodeMerger, parseNodesConf } from '../src/node/index.js';
import { TemplateBuild, defaultServerContext } from '../src/overlay/index.js';
import { resolvePaths, type Paths } from '../src/config/paths.js';
import { isWwError } from '../src/errors.js';
import {
  checkImageName,
  defaultKernelVersions,
  importImage,
  isValidImageName,
  kernelVersionOf,
  listImages,
  resolveNodeKernel,
} from '../src/image/index.js';
import { makeRoot, writeOciArchive } from '@warewulf/testenv';

let work: string;
let archive: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ww-core-image-'));
  archive = join(work, 'img.tar');
  await writeOciArchive(archive, [{ layers: [
    [{ name: 'bin/sh', data: 'sh', mode: 0o755 }, { name: 'etc/', type: 'directory' }, { name: 'etc/a', data: 'a' }],
    [{ name: 'etc/b', data: 'b' }, { name: 'boot/vmlinuz-6.1.0-57-amd64', data: 'k' }],
  ] }]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function paths(root: string): Paths {
  return resolvePaths({ env: { WAREWULF_ROOT: root } });
}

describe('image names', () => {
  it("follow upstream's rule and never name a parent or a hidden directory", () => {
    for (const ok of ['rocky-9', 'rockylinux:8', 'a_b.c', 'x']) expect(isValidImageName(ok), ok).toBe(true);
    for (const bad of ['', '.', '..', '.hidden', 'a/b', 'a b', 'ü', 'x'.repeat(201), 'a@sha256']) expect(isValidImageName(bad), bad).toBe(false);
    let code = '';
    try {
      checkImageName('../etc');
    } catch (e) {
      code = isWwError(e) ? e.code : '';
    }
    expect(code).toBe('WW_ERR_INVALID_NAME');
  });
});

describe('importImage', () => {
  it('interrupted during the unpack: no image, no staging directory', async () => {
    const t = makeRoot();
    const p = paths(t.root);
    const ac = new AbortController();
    const err = await importImage(p, archive, {
      name: 'cut', env: {}, log: memoryLogger(), signal: ac.signal,
      onProgress: (e) => {
        if (e.kind === 'apply') ac.abort(new Error('test interrupt'));
      },
    }).catch((e: unknown) => e);
    expect(isWwError(err) && err.code).toBe('WW_ERR_ABORTED');
    expect(readdirSync(p.wwchrootdir)).toEqual([]);
  });

  it('sweeps staging directories of dead processes, and --update unpacks over the existing tree', async () => {
    const t = makeRoot();
    const p = paths(t.root);
    mkdirSync(join(p.wwchrootdir, '.import-old-999999999-0badc0de', 'rootfs'), { recursive: true });
    const r = await importImage(p, archive, { name: 'img', env: {}, log: memoryLogger() });
    expect(r.kernel).toBe('/boot/vmlinuz-6.1.0-57-amd64');
    expect(readdirSync(p.wwchrootdir)).toEqual(['img']);
    const rootfs = join(p.wwchrootdir, 'img', 'rootfs');
    writeFileSync(join(rootfs, 'etc', 'local'), 'kept by --update');
    await importImage(p, archive, { name: 'img', update: true, env: {}, log: memoryLogger() });
    expect(readFileSync(join(rootfs, 'etc', 'local'), 'utf8')).toBe('kept by --update');
    await importImage(p, archive, { name: 'img', force: true, env: {}, log: memoryLogger() });
    expect(existsSync(join(rootfs, 'etc', 'local'))).toBe(false);
    expect(await listImages(p)).toEqual(['img']);
    expect(readdirSync(p.wwchrootdir)).toEqual(['img']);
  });
});

describe('the blob cache', () => {
  it('a cached layer damaged on disk is caught while unpacking and dropped from the cache', async () => {
    const t = makeRoot();
    const p = paths(t.root);
    // the archive's blobs go into the cache, verified
    const tar = join(work, 'cache.tar');
    await writeOciArchive(tar, [{ layers: [[{ name: 'bin/sh', data: 'sh'.repeat(5000) }]] }]);
    await importImage(p, tar, { name: 'one', env: {}, log: memoryLogger() });
    const blobs = join(p.ociCacheDir, 'oci', 'blobs', 'sha256');
    const layer = readdirSync(blobs).map((n) => join(blobs, n)).sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const data = readFileSync(layer);
    data.writeUInt8(data.readUInt8(data.length - 12) ^ 0xff, data.length - 12);
    writeFileSync(layer, data);
    // the archive's members are already cached (same size), so the damaged copy is what gets unpacked
    const err = await importImage(p, tar, { name: 'two', env: {}, log: memoryLogger() }).catch((e: unknown) => e);
    expect(isWwError(err) && err.code).toBe('WW_ERR_IMAGE_DIGEST');
    expect(existsSync(layer)).toBe(false);
    expect(await listImages(p)).toEqual(['one']);
    expect((await importImage(p, tar, { name: 'two', env: {}, log: memoryLogger() })).name).toBe('two');
  });
});

describe('kernels for nodes and templates', () => {
  it('default versions for the template data, node resolution by version prefix, path and 4.3 kernel name', async () => {
    const t = makeRoot();
    const p = paths(t.root);
    const root = join(p.wwchrootdir, 'img', 'rootfs');
    mkdirSync(join(root, 'boot'), { recursive: true });
    mkdirSync(join(root, 'lib/modules/6.12.0-160000.33-default'), { recursive: true });
    for (const k of ['vmlinuz-5.14.0-427.18.1.el9_4.x86_64', 'vmlinuz-5.14.0-427.24.1.el9_4.x86_64']) writeFileSync(join(root, 'boot', k), 'k');
    writeFileSync(join(root, 'lib/modules/6.12.0-160000.33-default/vmlinuz'), 'k');
    mkdirSync(join(p.wwprovisiondir, 'kernel', 'old-name'), { recursive: true });
    writeFileSync(join(p.wwprovisiondir, 'kernel', 'old-name', 'version'), '5.14.0-427.18.1.el9_4.x86_64\n');
    expect(kernelVersionOf('/lib/modules/6.12.0-160000.33-default/vmlinuz')).toBe('6.12.0-160000.33');
    expect(kernelVersionOf('/boot/vmlinuz-linux')).toBeUndefined();
    const lookup = await defaultKernelVersions(p, ['img', 'missing', '../bad']);
    expect([lookup('img'), lookup('missing'), lookup('../bad')]).toEqual(['6.12.0-160000.33', undefined, undefined]);
    expect((await resolveNodeKernel(p, 'img', '5.14'))?.path).toBe('/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64');
    expect((await resolveNodeKernel(p, 'img', '/boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64'))?.version).toBe('5.14.0-427.24.1');
    expect((await resolveNodeKernel(p, 'img', 'old-name'))?.path).toBe('/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64');
    expect(await resolveNodeKernel(p, 'img', '4.0')).toBeUndefined();
    expect(await resolveNodeKernel(p, undefined, undefined)).toBeUndefined();

    // the template data: .Kernel.Version from the image's default kernel when the node sets none (§5.3)
    const doc = parseNodesConf('nodes:\n  a:\n    image name: img\n  b:\n    image name: img\n    kernel:\n      version: "5.14"\n', 'nodes.conf');
    const merger = new NodeMerger(doc);
    const nodes = ['a', 'b'].map((id) => merger.merge(id)!);
    const build = new TemplateBuild({ ...defaultServerContext('localhost'), kernelVersion: lookup }, nodes);
    expect(nodes.map((n) => build.dataFor(n).Kernel.Version)).toEqual(['6.12.0-160000.33', '5.14']);
  });
});
