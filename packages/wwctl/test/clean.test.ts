/** `wwctl clean` (§1.10): the OCI cache and the overlay images of deleted nodes go; the rest stays. */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot, wwctl } from './helpers.js';

/** The provision tree's overlays directory under the test root (default wwprovisiondir). */
const OV = 'var/lib/warewulf/provision/overlays';

const conf = `nodeprofiles:
  default: {}
nodes:
  n01: {}
  n02: {}
`;

describe('wwctl clean', () => {
  it('removes the OCI cache and the overlays of nodes that are gone, keeps live nodes and the builder\'s state', async () => {
    const t = makeRoot(conf);
    const overlays = join(t.root, OV);
    const oci = join(t.root, 'var/cache/warewulf');
    t.write('var/cache/warewulf/blobs/sha256/abc', 'blob');
    for (const n of ['n01', 'n02', 'gone1', 'gone2']) t.write(`${OV}/${n}/__SYSTEM__.img.gz`, n);
    t.write(`${OV}/.ww-overlay-index.json`, '{}');
    t.write(`${OV}/.ww-overlay-stamp.json`, '{}');
    t.write(`${OV}/.ww-shared/x.img.gz`, 'shared');
    const r = await wwctl(t, '-v', 'clean');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`removing the OCI cache: ${oci}`);
    expect(r.stderr).toContain('removing overlays of deleted node: gone1');
    expect(r.stderr).toContain('removing overlays of deleted node: gone2');
    expect(existsSync(oci)).toBe(false);
    expect(existsSync(join(overlays, 'gone1'))).toBe(false);
    expect(existsSync(join(overlays, 'gone2'))).toBe(false);
    expect(readFileSync(join(overlays, 'n01/__SYSTEM__.img.gz'), 'utf8')).toBe('n01');
    expect(existsSync(join(overlays, 'n02/__SYSTEM__.img.gz'))).toBe(true);
    for (const keep of ['.ww-overlay-index.json', '.ww-overlay-stamp.json', '.ww-shared/x.img.gz']) expect(existsSync(join(overlays, keep))).toBe(true);
    // a second run has nothing left to do
    const again = await wwctl(t, '-v', 'clean');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/removing/);
  });

  it('never follows a symbolic link out of the tree', async () => {
    const t = makeRoot(conf);
    const outside = join(t.root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious'), 'keep me');
    const overlays = join(t.root, OV);
    mkdirSync(join(overlays, 'gone'), { recursive: true });
    symlinkSync(outside, join(overlays, 'gone', 'link')); // a link inside a removed directory
    symlinkSync(outside, join(overlays, 'linked')); // a link in place of a node directory
    const r = await wwctl(t, 'clean');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(overlays, 'gone'))).toBe(false);
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep me');
    expect(existsSync(join(overlays, 'linked'))).toBe(true);
  });

  it('names a nodes.conf it cannot read', async () => {
    const t = makeRoot('nodes:\n  n01:\n    network devices:\n      eth0:\n        ipaddr: 1.2.3\n');
    t.write(`${OV}/n01/x`, 'x');
    const r = await wwctl(t, 'clean');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(new RegExp(`^ERROR: ${t.nodesConf}:5:9: nodes.n01.network devices.eth0.ipaddr: invalid IP address`));
    // nothing is removed when the node list is unknown
    expect(existsSync(join(t.root, `${OV}/n01/x`))).toBe(true);
  });
});
