/** `wwctl version` / `vers` / `--version` (§1.10). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, makeRoot, wwctl } from './helpers.js';

const pkgVersion = (JSON.parse(readFileSync(join(REPO, 'packages/core/package.json'), 'utf8')) as { version: string }).version;

describe('wwctl version', () => {
  it('prints upstream\'s line with the package version and release 1, under every spelling', async () => {
    const t = makeRoot();
    for (const args of [['version'], ['vers'], ['--version']]) {
      const r = await wwctl(t, ...args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`wwctl version:\t ${pkgVersion}-1\n`);
    }
  });

  it('--full adds the Node.js version and the paths in use', async () => {
    const t = makeRoot();
    const r = await wwctl(t, 'version', '-f');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`wwctl version:\t ${pkgVersion}-1`);
    expect(lines).toContain(`node version:\t ${process.version}`);
    expect(lines).toContain(`nodes.conf:\t ${t.nodesConf}`);
    expect(lines).toContain(`sysconfdir:\t ${join(t.root, 'etc')}`);
  });

  it('rejects arguments it does not take', async () => {
    const r = await wwctl(makeRoot(), 'version', 'extra');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^ERROR: too many arguments for 'version'/);
  });
});
