/**
 * The real bin runs wwctl's start-up bundle (scripts/bundle-wwctl.mjs, made
 * by `node scripts/run.mjs build`). Everything a bundled module finds
 * relative to itself must still resolve: shipped overlays and templates,
 * the overlay builder's worker pool (piscina lives in core's node_modules),
 * and the output must be what the same code prints in process.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, treeSnapshot, writeOciLayout, type TestRegistry } from '@warewulf/testenv';
import { REPO, makeRoot, wwctl, wwctlProcess } from './helpers.js';

const BUNDLE = join(REPO, 'packages', 'wwctl', 'dist', 'bundle', 'wwctl.js');

function nodesConf(n: number): string {
  const lines = ['nodeprofiles:\n  default:\n    image name: rocky\n    kernel:\n      args: [quiet]\n    runtime overlay: [hosts]\n', 'nodes:\n'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  n${String(i).padStart(3, '0')}:\n    network devices:\n      default:\n        hwaddr: 52:54:00:00:00:${i.toString(16).padStart(2, '0')}\n        ipaddr: 10.0.0.${i}\n`);
  }
  return lines.join('');
}

describe('the start-up bundle behind bin/wwctl.js', () => {
  it('exists after the build, so the suite drives it (bin falls back to dist/main.js only without one)', () => {
    expect(existsSync(BUNDLE)).toBe(true);
  });

  it('prints what wwctl in process prints (node list modes, export, profile list, overlay list of the shipped overlays)', async () => {
    const t = makeRoot(nodesConf(5));
    const cases = [
      ['node', 'list'], ['node', 'list', '-l'], ['node', 'list', '-n'], ['node', 'list', '-y'], ['node', 'list', '-j'],
      ['node', 'list', '-a', 'n001'], ['node', 'export'], ['profile', 'list', '-a'], ['overlay', 'list'],
    ];
    for (const args of cases) {
      const inProcess = await wwctl(t, ...args);
      const bin = await wwctlProcess(t, args).done;
      expect({ args, code: bin.code, stderr: bin.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(bin.stdout, args.join(' ')).toBe(inProcess.stdout);
    }
    expect((await wwctl(t, 'overlay', 'list')).stdout).toContain('wwinit');
  });

  it('builds 80 overlay images in its worker pool (piscina and the worker file resolve from the bundle)', async () => {
    const t = makeRoot(nodesConf(40));
    const r = await wwctlProcess(t, ['overlay', 'build']).done;
    expect(r.stderr).not.toContain('ERROR');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Built 80 overlay image\(s\), 0 up to date, 0 failed/);
  });
});

describe('lazily imported CommonJS packages in the bundle keep their named exports', () => {
  let work: string;
  let plain: TestRegistry;
  let tls: TestRegistry;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ww-bundle-import-'));
    await writeOciLayout(join(work, 'img'), [{ layers: [[{ name: 'bin/', type: 'directory' }, { name: 'bin/sh', data: '#!/bin/false\n', mode: 0o755 }, { name: 'etc/', type: 'directory' }, { name: 'etc/motd', data: 'from the registry\n' }]] }], { ref: 'v1' });
    [plain, tls] = await Promise.all([startRegistry(), startRegistry({ tls: true, user: 'admin', password: 'S3cret-Pass' })]);
    await Promise.all([plain.push(`oci:${join(work, 'img')}:v1`, 'test/good:1'), tls.push(`oci:${join(work, 'img')}:v1`, 'test/good:1')]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), tls?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('no chunk is a bare `export default require_x()` (what esbuild makes of `import(cjs)` with splitting: a namespace with only `default`)', () => {
    const dir = join(REPO, 'packages', 'wwctl', 'dist', 'bundle');
    const bare = readdirSync(dir).filter((f) => /^export default require_\w+\(\);$/m.test(readFileSync(join(dir, f), 'utf8')));
    expect(bare).toEqual([]);
  });

  it('the bundled wwctl pulls from a registry (undici, loaded lazily): anonymous over plain HTTP, and basic auth over self-signed TLS, both --nohttps', async () => {
    const runs = [
      ['image', 'import', '--nohttps', `docker://${plain.host}/test/good:1`, 'img'],
      ['image', 'import', '--nohttps', '--username', 'admin', '--password', 'S3cret-Pass', `docker://${tls.host}/test/good:1`, 'img'],
    ];
    const trees = [];
    for (const args of runs) {
      const t = makeRoot(); // each its own blob cache: every blob comes over the wire
      const r = await wwctlProcess(t, args).done;
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(r.stdout).toContain('Copied layer 1/1');
      const rootfs = join(t.root, 'var/lib/warewulf/chroots/img/rootfs');
      expect(readFileSync(join(rootfs, 'etc/motd'), 'utf8')).toBe('from the registry\n');
      trees.push(treeSnapshot(rootfs));
    }
    // what the unbundled code does in process, the bundle does too
    const t = makeRoot();
    const inProcess = await wwctl(t, ...runs[0]!);
    expect(inProcess.code).toBe(0);
    trees.push(treeSnapshot(join(t.root, 'var/lib/warewulf/chroots/img/rootfs')));
    expect(trees[1]).toEqual(trees[0]);
    expect(trees[2]).toEqual(trees[0]);
  });
});
