/**
 * /api/nodes and /api/profiles through inject(): every endpoint and error
 * code (404, 400 naming the field, 409, 412 on a stale If-Match with
 * nothing changed), ETags as entry revisions, writes that wwctl sees and
 * wwctl writes that the API sees.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiRequest, makeApiRoot, provisionApp, wwctl } from '@warewulf/testenv';

type Json = Record<string, unknown>;
const json = (body: string) => JSON.parse(body) as Json;
const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; status: number; message: string; field?: string } }).error;

async function setup() {
  const t = makeApiRoot();
  const a = await provisionApp(t);
  return { t, a };
}

describe('reading nodes and profiles', () => {
  it('lists merged nodes, shows one merged, raw and with its provenance, each with the entry\'s ETag', async () => {
    const { a } = await setup();
    const list = await apiRequest(a, 'GET', '/api/nodes/');
    expect(list.statusCode).toBe(200);
    expect(Object.keys(json(list.body))).toEqual(['n1', 'n2', 'n3', 'n4']);
    // the same without the trailing slash
    expect(json((await apiRequest(a, 'GET', '/api/nodes')).body)).toEqual(json(list.body));

    const n3 = await apiRequest(a, 'GET', '/api/nodes/n3');
    expect(json(n3.body)).toEqual({
      profiles: ['default'], 'image name': 'suse', 'ipxe template': 'test', kernel: { version: '1.1.1' },
      'network devices': { net: { device: 'net', hwaddr: '00:00:00:00:00:ff' } },
    });
    const raw = await apiRequest(a, 'GET', '/api/nodes/n3/raw');
    expect(json(raw.body)).toEqual({ 'ipxe template': 'test', kernel: { version: '1.1.1' }, 'network devices': { net: { device: 'net', hwaddr: '00:00:00:00:00:ff' } } });
    const fields = await apiRequest(a, 'GET', '/api/nodes/n3/fields');
    expect(json(fields.body)).toContainEqual({ Field: 'ImageName', Source: 'default', Value: 'suse' });
    expect(json(fields.body)).toContainEqual({ Field: 'Kernel.Version', Source: '--', Value: '1.1.1' });
    const seed = await apiRequest(a, 'GET', '/api/nodes/n3/fields?layout=seed');
    expect(json(seed.body)).toContainEqual({ Field: 'Container', Source: 'default', Value: 'suse' });
    expect(json(seed.body)).toContainEqual({ Field: 'Init', Source: '--', Value: '(/sbin/init)' });

    // one revision per entry: every view of n3 carries it, another node has another
    const etag = n3.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect([raw.headers.etag, fields.headers.etag, seed.headers.etag]).toEqual([etag, etag, etag]);
    expect((await apiRequest(a, 'GET', '/api/nodes/n1')).headers.etag).not.toBe(etag);
  });

  it('lists and shows profiles as written', async () => {
    const { a } = await setup();
    expect(json((await apiRequest(a, 'GET', '/api/profiles/')).body)).toEqual({ default: { 'image name': 'suse' } });
    const p = await apiRequest(a, 'GET', '/api/profiles/default');
    expect([p.statusCode, json(p.body)]).toEqual([200, { 'image name': 'suse' }]);
    expect(p.headers.etag).toMatch(/^".+"$/);
  });

  it('answers 404 for unknown nodes and profiles on every route, and 400 for a bad query', async () => {
    const { a } = await setup();
    for (const [m, url, code] of [
      ['GET', '/api/nodes/nx', 'WW_ERR_NODE_NOT_FOUND'],
      ['GET', '/api/nodes/nx/raw', 'WW_ERR_NODE_NOT_FOUND'],
      ['GET', '/api/nodes/nx/fields', 'WW_ERR_NODE_NOT_FOUND'],
      ['PATCH', '/api/nodes/nx', 'WW_ERR_NODE_NOT_FOUND'],
      ['DELETE', '/api/nodes/nx', 'WW_ERR_NODE_NOT_FOUND'],
      ['GET', '/api/profiles/px', 'WW_ERR_PROFILE_NOT_FOUND'],
      ['PATCH', '/api/profiles/px', 'WW_ERR_PROFILE_NOT_FOUND'],
      ['DELETE', '/api/profiles/px', 'WW_ERR_PROFILE_NOT_FOUND'],
    ] as const) {
      const body = m === 'PATCH' ? { json: url.includes('nodes') ? { node: { comment: 'x' } } : { profile: { comment: 'x' } } } : {};
      const r = await apiRequest(a, m, url, body);
      expect([m, url, r.statusCode, errorOf(r.body).code]).toEqual([m, url, 404, code]);
    }
    const bad = await apiRequest(a, 'GET', '/api/nodes/n1/fields?layout=sideways');
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad.body).message).toMatch(/^query\.layout: /);
  });
});

describe('secrets', () => {
  it('the IPMI password is never served in clear (list, one, raw, writes\' answers, profiles); ******** written back keeps it; another value sets it', async () => {
    const { t, a } = await setup();
    const SECRET = 'Sup3r-s3cret';
    let r = await apiRequest(a, 'PATCH', '/api/nodes/n2', { json: { node: { ipmi: { username: 'admin', password: SECRET } } } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).not.toContain(SECRET);
    expect(json(r.body).node).toMatchObject({ ipmi: { username: 'admin', password: '********' } });
    expect(t.readNodesConf()).toContain(SECRET);
    const p = await apiRequest(a, 'PATCH', '/api/profiles/default', { json: { profile: { ipmi: { password: `${SECRET}-p` } } } });
    expect(p.statusCode, p.body).toBe(200);
    for (const url of ['/api/nodes/', '/api/nodes/n2', '/api/nodes/n2/raw', '/api/nodes/n2/fields', '/api/nodes/n1', '/api/profiles/', '/api/profiles/default']) {
      const g = await apiRequest(a, 'GET', url);
      expect([url, g.statusCode]).toEqual([url, 200]);
      expect(g.body, url).not.toContain(SECRET);
    }
    // GET raw, change something else, PUT it back: the password stays
    const raw = await apiRequest(a, 'GET', '/api/nodes/n2/raw');
    const body = json(raw.body);
    expect(body).toMatchObject({ ipmi: { password: '********' } });
    delete body['image name']; // this fixture's n2 names an image that does not exist, which a write refuses
    r = await apiRequest(a, 'PUT', '/api/nodes/n2', { json: { node: { ...body, comment: 'edited' } }, headers: { 'if-match': raw.headers.etag as string } });
    expect(r.statusCode, r.body).toBe(200);
    expect(t.readNodesConf()).toContain(`password: ${SECRET}\n`);
    expect(t.readNodesConf()).not.toContain('********');
    // PATCH with the mask: unchanged; with a value: set
    r = await apiRequest(a, 'PATCH', '/api/nodes/n2', { json: { node: { ipmi: { password: '********' } } } });
    expect(r.statusCode).toBe(200);
    expect(t.readNodesConf()).toContain(`password: ${SECRET}\n`);
    r = await apiRequest(a, 'PATCH', '/api/nodes/n2', { json: { node: { ipmi: { password: 'n3w-0ne' } } } });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('n3w-0ne');
    expect(t.readNodesConf()).toContain('password: n3w-0ne\n');
    // a new node PUT with the mask gets no password at all
    r = await apiRequest(a, 'PUT', '/api/nodes/n9', { json: { node: { ipmi: { username: 'x', password: '********' } } } });
    expect(r.statusCode, r.body).toBe(200);
    expect(JSON.parse(r.body).node.ipmi).toEqual({ username: 'x', password: '********' }); // inherited from the profile
    expect((await wwctl(t, 'node', 'export', 'n9')).stdout).not.toMatch(/password/);
  });
});

describe('writing nodes', () => {
  it('PATCH sets the fields given, keeps the rest, clears UNSET ones; wwctl and the next GET see it', async () => {
    const { t, a } = await setup();
    const r = await apiRequest(a, 'PATCH', '/api/nodes/n2', {
      json: { node: { comment: 'rack 4', 'network devices': { default: { ipaddr: '10.0.4.2', mtu: 9000 } }, tags: { GrubMenuEntry: 'UNSET', role: 'compute' } } },
    });
    expect(r.statusCode).toBe(200);
    expect(json(r.body).node).toEqual({
      profiles: ['default'], comment: 'rack 4', 'image name': 'none',
      'network devices': { default: { hwaddr: '00:00:00:00:ff:ff', ipaddr: '10.0.4.2', mtu: '9000' } }, tags: { role: 'compute' },
    });
    const get = await apiRequest(a, 'GET', '/api/nodes/n2');
    expect(json(get.body)).toEqual(json(r.body).node);
    expect(get.headers.etag).toBe(r.headers.etag);
    const out = await wwctl(t, 'node', 'list', '-j', 'n2');
    expect(JSON.parse(out.stdout).n2.comment).toBe('rack 4');
    expect(t.readNodesConf()).toMatch(/ipaddr: 10\.0\.4\.2/);
    expect(t.readNodesConf()).not.toMatch(/GrubMenuEntry/);
  });

  it('PATCH is no JSON merge patch: null anywhere (field, network device, tag, disk, partition, file system, group) is a 400 naming the place, nothing changed', async () => {
    const t = makeApiRoot({
      nodesConf: [
        'nodeprofiles:', '  default:', '    comment: base', '    tags:', '      site: here',
        'nodes:', '  n02:', '    comment: rack 2', '    profiles:', '      - default',
        '    kernel:', '      args:', '        - quiet',
        '    ipmi:', '      ipaddr: 10.9.0.2',
        '    network devices:', '      default:', '        hwaddr: 00:00:00:00:00:02', '      ib0:', '        device: ib0', '        ipaddr: 10.20.0.2', '        tags:', '          fabric: a',
        '    tags:', '      role: compute',
        '    disks:', '      /dev/sda:', '        wipe_table: true', '        partitions:', '          scratch:', '            size_mib: "1024"',
        '    filesystems:', '      /dev/disk/by-partlabel/scratch:', '        format: ext4', '        path: /scratch',
        '',
      ].join('\n'),
    });
    const a = await provisionApp(t);
    const before = t.readNodesConf();
    const dev = '/dev/disk/by-partlabel/scratch';
    const merge = 'null is not a value; PATCH is not a JSON merge patch: ';
    const field = 'give "UNSET" to clear the field';
    const container = 'PUT the node without it to remove it (GET .../raw, edit, PUT with If-Match)';
    const cases: [Json, string, string | undefined][] = [
      [{ comment: null }, `node.comment: ${merge}${field} (field Comment)`, 'Comment'],
      [{ profiles: null }, `node.profiles: ${merge}${field} (field Profiles)`, 'Profiles'],
      [{ kernel: null }, `node.kernel: ${merge}${container}`, undefined],
      [{ kernel: { args: null } }, `node.kernel.args: ${merge}${field} (field Kernel.Args)`, 'Kernel.Args'],
      [{ ipmi: { ipaddr: null } }, `node.ipmi.ipaddr: ${merge}${field} (field Ipmi.Ipaddr)`, 'Ipmi.Ipaddr'],
      [{ 'network devices': null }, `node.network devices: ${merge}${container}`, undefined],
      [{ 'network devices': { ib0: null } }, `node.network devices.ib0: ${merge}${container}`, undefined],
      [{ 'network devices': { ib0: { ipaddr: null } } }, `node.network devices.ib0.ipaddr: ${merge}${field} (field NetDevs[ib0].Ipaddr)`, 'NetDevs[ib0].Ipaddr'],
      [{ 'network devices': { ib0: { tags: { fabric: null } } } }, `node.network devices.ib0.tags.fabric: ${merge}${field} (field NetDevs[ib0].Tags[fabric])`, 'NetDevs[ib0].Tags[fabric]'],
      [{ tags: null }, `node.tags: ${merge}${container}`, undefined],
      [{ tags: { role: null } }, `node.tags.role: ${merge}${field} (field Tags[role])`, 'Tags[role]'],
      [{ disks: { '/dev/sda': null } }, `node.disks./dev/sda: ${merge}${container}`, undefined],
      [{ disks: { '/dev/sda': { partitions: { scratch: null } } } }, `node.disks./dev/sda.partitions.scratch: ${merge}${container}`, undefined],
      [{ disks: { '/dev/sda': { partitions: { scratch: { size_mib: null } } } } }, `node.disks./dev/sda.partitions.scratch.size_mib: ${merge}${field} (field Disks[/dev/sda].Partitions[scratch].SizeMiB)`, 'Disks[/dev/sda].Partitions[scratch].SizeMiB'],
      [{ filesystems: { [dev]: null } }, `node.filesystems.${dev}: ${merge}${container}`, undefined],
      [{ filesystems: { [dev]: { path: null } } }, `node.filesystems.${dev}.path: ${merge}${field} (field FileSystems[${dev}].Path)`, `FileSystems[${dev}].Path`],
      // a valid change next to the null does not go through either
      [{ comment: 'changed', 'network devices': { ib0: null } }, `node.network devices.ib0: ${merge}${container}`, undefined],
    ];
    for (const [node, message, f] of cases) {
      const r = await apiRequest(a, 'PATCH', '/api/nodes/n02', { json: { node } });
      const e = errorOf(r.body);
      expect([JSON.stringify(node), r.statusCode, e.code, e.message, e.field]).toEqual([JSON.stringify(node), 400, 'WW_ERR_INVALID_VALUE', message, f]);
    }
    // profiles too
    const p = await apiRequest(a, 'PATCH', '/api/profiles/default', { json: { profile: { tags: { site: null } } } });
    expect([p.statusCode, errorOf(p.body).message]).toEqual([400, 'profile.tags.site: null is not a value; PATCH is not a JSON merge patch: give "UNSET" to clear the field (field Tags[site])']);
    expect(t.readNodesConf()).toBe(before);
    // what the messages point to works: UNSET clears a field, PUT of the raw entry without ib0 removes the device
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n02', { json: { node: { tags: { role: 'UNSET' } } } })).statusCode).toBe(200);
    const raw = await apiRequest(a, 'GET', '/api/nodes/n02/raw');
    const entry = json(raw.body);
    expect(entry.tags).toBeUndefined();
    delete (entry['network devices'] as Json).ib0;
    const put = await apiRequest(a, 'PUT', '/api/nodes/n02', { json: { node: entry }, headers: { 'if-match': raw.headers.etag as string } });
    expect(put.statusCode).toBe(200);
    expect(Object.keys(json(put.body).node as Json)).toContain('network devices');
    expect(Object.keys((json(put.body).node as Json)['network devices'] as Json)).toEqual(['default']);
  });

  it('PUT adds a node, replaces one, and with If-None-Match: * only adds (400 when it exists)', async () => {
    const { t, a } = await setup();
    const add = await apiRequest(a, 'PUT', '/api/nodes/n9', { json: { node: { profiles: ['default'], 'network devices': { default: { hwaddr: 'AA:BB:CC:DD:EE:09', ipaddr: '10.0.0.9' } } } } });
    expect(add.statusCode).toBe(200);
    expect(json(add.body).node).toMatchObject({ 'image name': 'suse', 'network devices': { default: { hwaddr: 'aa:bb:cc:dd:ee:09' } } });
    const again = await apiRequest(a, 'PUT', '/api/nodes/n9', { json: { node: { comment: 'x' } }, headers: { 'if-none-match': '*' } });
    expect([again.statusCode, errorOf(again.body).message]).toEqual([400, 'node n9 already exists (If-None-Match: *)']);
    const fresh = await apiRequest(a, 'PUT', '/api/nodes/n10', { json: { node: { comment: 'new' } }, headers: { 'if-none-match': '*' } });
    expect(fresh.statusCode).toBe(200);
    const replace = await apiRequest(a, 'PUT', '/api/nodes/n9', { json: { node: { comment: 'replaced' } } });
    expect(json((await apiRequest(a, 'GET', '/api/nodes/n9/raw')).body)).toEqual({ comment: 'replaced' });
    expect(replace.statusCode).toBe(200);
    expect((await wwctl(t, 'node', 'list', 'n9', 'n10')).stdout).toMatch(/n10[\s\S]*n9|n9[\s\S]*n10/);
  });

  it('GET raw then PUT it back changes nothing (round trip, even from 4.3 spellings)', async () => {
    const t = makeApiRoot({ nodesConf: 'nodeprofiles:\n  default: {}\nnodes:\n  old:\n    container name: suse\n    ipmi ipaddr: 10.9.0.1\n' });
    const a = await provisionApp(t);
    const raw = await apiRequest(a, 'GET', '/api/nodes/old/raw');
    expect(json(raw.body)).toEqual({ 'image name': 'suse', ipmi: { ipaddr: '10.9.0.1' } });
    const put = await apiRequest(a, 'PUT', '/api/nodes/old', { json: { node: json(raw.body) } });
    expect(put.statusCode).toBe(200);
    expect(json((await apiRequest(a, 'GET', '/api/nodes/old')).body)).toMatchObject({ 'image name': 'suse', ipmi: { ipaddr: '10.9.0.1' } });
  });

  it('DELETE removes a node and answers with it', async () => {
    const { t, a } = await setup();
    const r = await apiRequest(a, 'DELETE', '/api/nodes/n3');
    expect(r.statusCode).toBe(200);
    expect(json(r.body)).toEqual({ node: { 'ipxe template': 'test', kernel: { version: '1.1.1' }, 'network devices': { net: { device: 'net', hwaddr: '00:00:00:00:00:ff' } } } });
    expect((await apiRequest(a, 'GET', '/api/nodes/n3')).statusCode).toBe(404);
    expect(t.readNodesConf()).not.toMatch(/\bn3:/);
  });

  it('answers 400 naming the field for every kind of invalid value, and writes nothing', async () => {
    const { t, a } = await setup();
    const before = t.readNodesConf();
    const cases: [Json, RegExp, string | undefined][] = [
      [{ 'network devices': { default: { ipaddr: '10.0.0.300' } } }, /^node\.network devices\.default\.ipaddr: invalid IP address "10\.0\.0\.300"/, 'NetDevs[default].Ipaddr'],
      [{ 'network devices': { default: { hwaddr: 'zz:00' } } }, /hwaddr: invalid MAC address/, 'NetDevs[default].Hwaddr'],
      [{ 'network devices': { default: { netmask: '255.0.255.0' } } }, /netmask: invalid netmask/, 'NetDevs[default].Netmask'],
      [{ 'network devices': { default: { mtu: 12 } } }, /mtu: expected an MTU/, 'NetDevs[default].MTU'],
      [{ ipmi: { port: '70000' } }, /^node\.ipmi\.port: expected a port number/, 'Ipmi.Port'],
      // the field table's value checks (core values.ts), the same as for flags and nodes.conf
      [{ 'network devices': { default: { device: 'eth0 ; reboot' } } }, /^node\.network devices\.default\.device: expected a network interface name/, 'NetDevs[default].Device'],
      [{ ipmi: { interface: 'lanplus -H 10.9.9.9' } }, /^node\.ipmi\.interface: expected one ipmitool interface word/, 'Ipmi.Interface'],
      [{ ipmi: { escapechar: 'ab' } }, /^node\.ipmi\.escapechar: expected a single escape character/, 'Ipmi.EscapeChar'],
      [{ ipmi: { username: 'ad"min' } }, /^node\.ipmi\.username: an IPMI user name cannot contain/, 'Ipmi.UserName'],
      [{ disks: { '/dev/vdb': { partitions: { p1: { number: 'abc', size_mib: '-5' } } } } }, /^node\.disks\.\/dev\/vdb\.partitions\.p1\.number: expected a partition number/, 'Disks[/dev/vdb].Partitions[p1].Number'],
      [{ filesystems: { '/dev/vdb1': { path: 'relative' } } }, /^node\.filesystems\.\/dev\/vdb1\.path: expected an absolute path/, 'FileSystems[/dev/vdb1].Path'],
      [{ discoverable: 'perhaps' }, /^node\.discoverable: expected true or false/, 'Discoverable'],
      [{ profiles: 5 }, /^node\.profiles: expected a list of strings/, 'Profiles'],
      [{ comment: { a: 1 } }, /^node\.comment: expected a single value/, 'Comment'],
      [{ 'network devices': { 'bad name': {} } }, /^node\.network devices\.bad name: invalid network name/, undefined],
      [{ tags: { 'a=b': 'x' } }, /^node\.tags\.a=b: invalid tag name/, 'Tags[a=b]'],
      [{ colour: 'blue' }, /^node\.colour: unknown field$/, undefined],
      [{ 'container name': 'suse' }, /^node\.container name: a 4\.3 spelling: use "image name"$/, undefined],
      [{ 'network devices': { default: { ipcidr: '10.0.0.1/24' } } }, /ipcidr: a 4\.3 spelling: use "network devices\.\*\.ipaddr"|ipcidr: a 4\.3 spelling/, undefined],
    ];
    for (const [node, message, field] of cases) {
      const r = await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node } });
      const e = errorOf(r.body);
      expect([JSON.stringify(node), r.statusCode, e.code]).toEqual([JSON.stringify(node), 400, 'WW_ERR_INVALID_VALUE']);
      expect(e.message).toMatch(message);
      expect(e.field).toBe(field);
      if (field !== undefined) expect(e.message).toContain(`(field ${field})`);
    }
    // the envelope, the node name, the media type and the JSON itself
    expect(errorOf((await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { comment: 'x' } })).body).message).toMatch(/^node: /);
    const badName = await apiRequest(a, 'PUT', '/api/nodes/bad_name!', { json: { node: {} } });
    expect([badName.statusCode, errorOf(badName.body).code]).toEqual([400, 'WW_ERR_INVALID_NAME']);
    const notObject = await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: 'comment: x' });
    expect([notObject.statusCode, errorOf(notObject.body).message]).toEqual([400, 'body: expected {"node": {...}}']);
    const broken = await a.request('/api/nodes/n1', { method: 'PATCH', peer: '127.0.0.1:1', headers: { 'content-type': 'application/json', authorization: (await import('@warewulf/testenv')).basicAuth() } });
    expect(broken.statusCode).toBe(400); // an empty JSON body
    expect(t.readNodesConf()).toBe(before);
  });

  it('refuses (400, field named) profiles, images and overlays that do not exist, and a hardware address another node has', async () => {
    const { t, a } = await setup();
    const before = t.readNodesConf();
    const cases: [Json, RegExp, string][] = [
      [{ profiles: ['default', 'gpu'] }, /^node\.profiles: profile not found: gpu/, 'Profiles'],
      [{ 'image name': 'rocky9' }, /^node\.image name: image not found: rocky9/, 'ImageName'],
      [{ 'system overlay': ['wwinit', 'nosuch'] }, /^node\.system overlay: overlay not found: nosuch/, 'SystemOverlay'],
      [{ 'runtime overlay': ['nosuch2'] }, /overlay not found: nosuch2/, 'RuntimeOverlay'],
    ];
    for (const [node, message, field] of cases) {
      const r = await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node } });
      expect([r.statusCode, errorOf(r.body).field]).toEqual([400, field]);
      expect(errorOf(r.body).message).toMatch(message);
    }
    // a negation names nothing; an existing overlay and image are fine
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { profiles: ['default', '~gpu'], 'image name': 'suse', 'runtime overlay': ['generic'] } } })).statusCode).toBe(200);
    const dup = await apiRequest(a, 'PATCH', '/api/nodes/n2', { json: { node: { 'network devices': { default: { hwaddr: '00:00:00:ff:ff:ff' } } } } });
    expect(dup.statusCode).toBe(400);
    expect(errorOf(dup.body).message).toMatch(/already used by node n1/);
    expect(t.readNodesConf()).not.toBe(before); // only the valid PATCH was written
    expect(t.readNodesConf()).not.toMatch(/- gpu$/m);
  });
});

describe('ETag and If-Match', () => {
  it('412 on a stale If-Match for PUT, PATCH and DELETE, with nodes.conf byte-identical; the current ETag works', async () => {
    const { t, a } = await setup();
    const first = await apiRequest(a, 'GET', '/api/nodes/n1');
    const stale = first.headers.etag as string;
    const changed = await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { comment: 'one' } }, headers: { 'if-match': stale } });
    expect(changed.statusCode).toBe(200);
    const current = changed.headers.etag as string;
    expect(current).not.toBe(stale);
    const before = readFileSync(t.nodesConf);
    for (const [m, body] of [['PATCH', { node: { comment: 'two' } }], ['PUT', { node: { comment: 'two' } }], ['DELETE', undefined]] as const) {
      const r = await apiRequest(a, m, '/api/nodes/n1', { ...(body ? { json: body } : {}), headers: { 'if-match': stale } });
      expect([m, r.statusCode, errorOf(r.body).code]).toEqual([m, 412, 'WW_ERR_PRECONDITION']);
      expect(readFileSync(t.nodesConf).equals(before)).toBe(true);
    }
    // a weak tag never matches; a list with the current one does; * needs the entry to exist
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { comment: 'w' } }, headers: { 'if-match': `W/${current}` } })).statusCode).toBe(412);
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { comment: 'three' } }, headers: { 'if-match': `${stale}, ${current}` } })).statusCode).toBe(200);
    expect((await apiRequest(a, 'PUT', '/api/nodes/n77', { json: { node: {} }, headers: { 'if-match': '*' } })).statusCode).toBe(412);
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { comment: 'four' } }, headers: { 'if-match': '*' } })).statusCode).toBe(200);
  });

  it('an edit by wwctl makes the API client\'s ETag stale (412), and a profile change does not touch a node\'s ETag', async () => {
    const { t, a } = await setup();
    const etag = (await apiRequest(a, 'GET', '/api/nodes/n1')).headers.etag as string;
    await wwctl(t, 'profile', 'set', '--yes', '--comment', 'profile comment', 'default');
    await a.registry.reload();
    expect((await apiRequest(a, 'GET', '/api/nodes/n1')).headers.etag).toBe(etag);
    expect(json((await apiRequest(a, 'GET', '/api/nodes/n1')).body).comment).toBe('profile comment');
    expect((await wwctl(t, 'node', 'set', '--yes', '--comment', 'by wwctl', 'n1')).code).toBe(0);
    const r = await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { comment: 'by api' } }, headers: { 'if-match': etag } });
    expect(r.statusCode).toBe(412);
    expect(t.readNodesConf()).toMatch(/comment: by wwctl/);
  });
});

describe('writing profiles', () => {
  it('PUT, PATCH and DELETE a profile; node-only fields are refused; `default` cannot be deleted', async () => {
    const { t, a } = await setup();
    const put = await apiRequest(a, 'PUT', '/api/profiles/gpu', { json: { profile: { tags: { accel: 'a100' }, 'kernel': { args: ['quiet', 'nomodeset'] } } } });
    expect([put.statusCode, json(put.body)]).toEqual([200, { profile: { kernel: { args: ['quiet', 'nomodeset'] }, tags: { accel: 'a100' } } }]);
    expect(put.headers.etag).toMatch(/^".+"$/);
    const patch = await apiRequest(a, 'PATCH', '/api/profiles/gpu', { json: { profile: { comment: 'GPU nodes' } }, headers: { 'if-match': put.headers.etag as string } });
    expect(json(patch.body).profile).toMatchObject({ comment: 'GPU nodes', tags: { accel: 'a100' } });
    const nodeOnly = await apiRequest(a, 'PATCH', '/api/profiles/gpu', { json: { profile: { 'asset key': 'x' } } });
    expect([nodeOnly.statusCode, errorOf(nodeOnly.body).message]).toEqual([400, 'profile.asset key: only nodes have this field (field AssetKey)']);
    // a node may now use it
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { profiles: ['default', 'gpu'] } } })).statusCode).toBe(200);
    expect(json((await apiRequest(a, 'GET', '/api/nodes/n1')).body).tags).toEqual({ accel: 'a100' });
    const del = await apiRequest(a, 'DELETE', '/api/profiles/default');
    expect([del.statusCode, errorOf(del.body).code]).toEqual([409, 'WW_ERR_PROFILE_PROTECTED']);
    const gone = await apiRequest(a, 'DELETE', '/api/profiles/gpu');
    expect(json(gone.body).profile).toMatchObject({ comment: 'GPU nodes' });
    expect(t.readNodesConf()).not.toMatch(/^ {2}gpu:/m);
  });
});
