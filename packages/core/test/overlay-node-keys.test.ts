/**
 * The builder's node keys: a node whose raw nodes.conf entry (and the
 * profiles, and the kernel versions) are what the last build recorded is not
 * merged again, and its recorded digests stand in; any change to what
 * merging reads still rebuilds exactly what it made stale. Scalars count as
 * written: `6.10` and `6.1` are different comments.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../src/node/nodedb.js';
import { parseNodesConf } from '../src/node/document.js';
import { buildOverlays } from '../src/overlay/build/build.js';
import { readIndex, readStamp } from '../src/overlay/build/plan.js';
import { defaultWarewulfConf } from '../src/config/defaults.js';
import { resolvePaths } from '../src/config/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'ww-node-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths = resolvePaths({ env: { WAREWULF_ROOT: dir } });

function put(rel: string, text: string): void {
  const p = join(paths.wwoverlaydir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}
put('a/rootfs/etc/who.ww', '{{ .Id }} {{ .Comment }}\n');
put('h/rootfs/etc/hosts.ww', '{{ range .AllNodes }}{{ .Id }}{{ range .NetDevs }} {{ .Ipaddr }}{{ end }}\n{{ end }}');

function conf(o: { n2Comment?: string; n3Ip?: string; profileComment?: string } = {}): string {
  return `nodeprofiles:
  default:
    comment: p
    image name: img
    system overlay: [a, h]
    runtime overlay: [a]
  other:
    comment: ${o.profileComment ?? 'p'}
nodes:
  n1:
    network devices: {default: {ipaddr: 10.0.0.1}}
  n2:
    comment: ${o.n2Comment ?? '6.10'}
    network devices: {default: {ipaddr: 10.0.0.2}}
  n3:
    profiles: [default, other]
    network devices: {default: {ipaddr: ${o.n3Ip ?? '10.0.0.3'}}}
`;
}

/** Build on this nodes.conf text; what was rebuilt (`n1/system`...). */
async function build(text: string, kernel = '6.1.0', revision = ''): Promise<string[]> {
  const db = new NodeDb(parseNodesConf(text), revision);
  const r = await buildOverlays({ conf: defaultWarewulfConf(), paths, hostname: 'h', db, kernelVersion: () => kernel }, { workers: 1 });
  expect(r.failed).toBe(0);
  return r.planned.map((p) => `${p.node}/${p.kind}`).sort();
}

describe('node keys (a node unchanged since the last build is not merged)', () => {
  it('rebuilds exactly what each change made stale, and records every node', async () => {
    expect(await build(conf())).toHaveLength(6);
    const idx = await readIndex(paths.provisionOverlaysDir);
    for (const n of ['n1', 'n2', 'n3']) expect(idx.meta(n)?.digest, n).toBe(idx.get(n, 'system')?.node);
    expect(await build(conf())).toEqual([]);
    // a complete build leaves the stamp that lets the next one stop before looking at any node
    expect(await build(conf(), '6.1.0', 'r1')).toEqual([]);
    expect((await readStamp(paths.provisionOverlaysDir))?.revision).toBe('r1');
    // the same YAML value (a float), written differently: the comment text changed
    expect(await build(conf({ n2Comment: '6.1' }))).toEqual(['n2/runtime', 'n2/system']);
    // an address every /etc/hosts holds: every system image, and n3's own runtime image
    expect(await build(conf({ n2Comment: '6.1', n3Ip: '10.0.0.9' }))).toEqual(['n1/system', 'n2/system', 'n3/runtime', 'n3/system']);
    // a profile only n3 uses (every node's key changes; only n3's merged fields do)
    expect(await build(conf({ n2Comment: '6.1', n3Ip: '10.0.0.9', profileComment: 'q' }))).toEqual(['n3/runtime', 'n3/system']);
    // the image's kernel version (`.Kernel.Version` of every node): every node's digest changes
    expect(await build(conf({ n2Comment: '6.1', n3Ip: '10.0.0.9', profileComment: 'q' }), '6.2.0')).toHaveLength(6);
  });
});
