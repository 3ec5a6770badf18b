/**
 * `/files` (§4.9) and discovery of unknown nodes (§4.6) through the app.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNodeDb } from '@warewulf/core';
import { makeProvisionRoot, provisionApp } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';

describe('/files (§4.9)', () => {
  it('identifies the node by ?wwid= only, raw or rendered', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    expect((await a.request('/files/hello.txt')).statusCode).toBe(401); // no wwid, no ARP entry
    expect((await a.request('/files/hello.txt?wwid=52:54:00:00:00:09')).statusCode).toBe(401);
    const raw = await a.request(`/files/motd.ww?wwid=${N1}`);
    expect([raw.statusCode, raw.body]).toEqual([200, 'node {{.Id}} image {{.ImageName}}\n']);
    const rendered = await a.request(`/files/motd?wwid=${N1}&render`);
    expect([rendered.statusCode, rendered.body, rendered.headers['content-type']]).toEqual([200, 'node n1 image suse\n', 'application/octet-stream']);
    expect((await a.request(`/files/motd.ww?wwid=${N1}&render=n1`)).body).toBe('node n1 image suse\n');
    expect((await a.request(`/files/motd?wwid=${N1}&render=n2`)).statusCode).toBe(400);
    expect((await a.request(`/files/hello.txt?wwid=${N1}&render`)).statusCode).toBe(400);
    expect((await a.request(`/files/nothing?wwid=${N1}&render`)).statusCode).toBe(404);
    expect((await a.request(`/files/nothing?wwid=${N1}`)).statusCode).toBe(404);
  });

  it('applies `secure files` (403 from unprivileged ports) and the asset key (missing 401, wrong 403)', async () => {
    const t = makeProvisionRoot({ secure: true });
    const a = await provisionApp(t, { arpLookup: async (ip) => (ip === '10.0.0.4' ? '00:00:00:00:00:04' : undefined) });
    expect((await a.request(`/files/hello.txt?wwid=${N1}`, { peer: '10.0.0.1:40000' })).statusCode).toBe(403);
    expect((await a.request(`/files/hello.txt?wwid=${N1}`, { peer: '10.0.0.1:999' })).statusCode).toBe(200);
    expect((await a.request('/files/hello.txt', { peer: '10.0.0.4:999' })).statusCode).toBe(401);
    expect((await a.request('/files/hello.txt?assetkey=nope', { peer: '10.0.0.4:999' })).statusCode).toBe(403);
    const ok = await a.request('/files/hello.txt?assetkey=secret-key', { peer: '10.0.0.4:999' });
    expect([ok.statusCode, ok.body]).toEqual([200, 'hello from wwfilesdir\n']);
    expect((await a.request('/metrics')).body).toMatch(/warewulfd_refusals_total\{reason="files_port"\} 1/);
  });
});

const DISCOVERABLE = `nodeprofiles:
  default:
    image name: suse
    network devices:
      default: {netmask: 255.255.0.0}
nodes:
  d1:
    discoverable: "true"
  d2:
    discoverable: "true"
  n1:
    network devices:
      default: {hwaddr: "00:00:00:ff:ff:ff"}
`;

describe('discovery (§4.6)', () => {
  it('gives an unknown address to the first discoverable node, writes nodes.conf and serves it as that node', async () => {
    const t = makeProvisionRoot({ nodesConf: DISCOVERABLE, autobuild: true });
    t.write('var/lib/warewulf/provision/overlays/d1/__SYSTEM__.img.gz', 'stale');
    const a = await provisionApp(t);
    const r = await a.request('/ipxe/52-54-00-AA-00-01');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Warewulf provisioning: d1');
    const db = await loadNodeDb(t.nodesConf);
    expect(db.byHwaddr('52:54:00:aa:00:01')?.id).toBe('d1');
    expect(db.rawNode('d1')).toMatchObject({ discoverable: 'false', 'network devices': { default: { hwaddr: '52:54:00:aa:00:01' } } });
    expect(() => readFileSync(`${t.provisionDir}/overlays/d1/__SYSTEM__.img.gz`)).toThrow(/ENOENT/); // autobuild: old images removed
    expect(a.logs.some((l) => l.msg === 'SERV: 52:54:00:aa:00:01 (node d1 automatically configured)')).toBe(true);
    // the same address again is d1 without another write; a second address gets d2
    const again = await a.request('/kernel/52:54:00:aa:00:01');
    expect(again.statusCode).toBe(200);
    expect(again.rawPayload.equals(t.files.kernel)).toBe(true);
    expect((await a.request('/ipxe/52:54:00:aa:00:02')).body).toContain('Warewulf provisioning: d2');
    // no discoverable node left: unconfigured
    expect((await a.request('/ipxe/52:54:00:aa:00:03')).body).toContain('not known to the Warewulf server');
    expect((await a.request('/metrics')).body).toMatch(/warewulfd_discoveries_total\{result="discovered"\} 2/);
  });

  it('a discoverable node given its address by hand keeps it: its first boot ends its discovery, and the next unknown machine never takes its identity', async () => {
    const t = makeProvisionRoot({ nodesConf: 'nodeprofiles:\n  default: {}\nnodes:\n  h01:\n    discoverable: "true"\n    network devices:\n      default: {hwaddr: "de:ad:be:ef:11:11"}\n' });
    const a = await provisionApp(t);
    expect((await a.request('/ipxe/de:ad:be:ef:11:11')).body).toContain('Warewulf provisioning: h01');
    expect(a.logs.some((l) => l.msg === 'node not configured: de:ad:be:ef:11:11')).toBe(true);
    expect(a.logs.some((l) => l.msg === 'SERV: de:ad:be:ef:11:11 (node h01 automatically configured)')).toBe(true);
    expect((await loadNodeDb(t.nodesConf)).rawNode('h01')).toMatchObject({ discoverable: 'false', 'network devices': { default: { hwaddr: 'de:ad:be:ef:11:11' } } });
    expect((await a.request('/ipxe/de:ad:be:ef:11:11')).body).toContain('Warewulf provisioning: h01');
    expect((await a.request('/ipxe/de:ad:be:ef:22:22')).body).toContain('not known to the Warewulf server');
    expect((await loadNodeDb(t.nodesConf)).byHwaddr('de:ad:be:ef:11:11')?.id).toBe('h01');
  });

  it('discovers each address once under concurrency, and never gives one node two addresses', async () => {
    const t = makeProvisionRoot({ nodesConf: DISCOVERABLE });
    const a = await provisionApp(t);
    const macs = ['52:54:00:bb:00:01', '52:54:00:bb:00:02', '52:54:00:bb:00:03'];
    const rs = await Promise.all([...macs, ...macs, ...macs].map((m) => a.request(`/ipxe/${m}`)));
    expect(rs.every((r) => r.statusCode === 200)).toBe(true);
    const db = await loadNodeDb(t.nodesConf);
    const owners = macs.map((m) => db.byHwaddr(m)?.id);
    // two discoverable nodes, three addresses: two are given out, one stays unknown
    expect(owners.filter((o) => o !== undefined).sort()).toEqual(['d1', 'd2']);
    for (const m of macs) {
      const bodies = rs.filter((_, i) => macs[i % 3] === m).map((r) => r.body.split('\n').find((l) => l.startsWith('echo Warewulf provisioning') || l.startsWith('echo This node')));
      expect(new Set(bodies).size).toBe(1);
    }
  });
});
