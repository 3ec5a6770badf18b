/**
 * /api/images, /api/overlays, the overlay builds and the dashboard's data
 * through inject(): each endpoint's answer and its error codes, on the
 * real stores (an image imported from a registry on loopback, the shipped
 * overlays, core's builder).
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, makeApiRoot, provisionApp, startRegistry, writeOciLayout, type TestRegistry } from '@warewulf/testenv';

type Json = Record<string, unknown>;
const json = (body: string) => JSON.parse(body) as Json;
const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; status: number; message: string } }).error;

async function setup() {
  const t = makeApiRoot();
  const a = await provisionApp(t);
  return { t, a };
}

describe('/api/images', () => {
  let reg: TestRegistry;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ww-api-img-'));
    await writeOciLayout(join(work, 'tiny'), [{ layers: [[{ name: 'boot/', type: 'directory' }, { name: 'boot/vmlinuz-6.1.0-9-amd64', data: 'kernel' }, { name: 'etc/os-release', data: 'ID=tiny\n' }]] }], { ref: 'v1' });
    reg = await startRegistry();
    await reg.push(`oci:${join(work, 'tiny')}:v1`, 'test/tiny:v1');
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists and shows images with their kernels and users; 404 for an unknown one', async () => {
    const { a } = await setup();
    const list = json((await apiRequest(a, 'GET', '/api/images')).body);
    expect(Object.keys(list)).toEqual(['suse']);
    const suse = await apiRequest(a, 'GET', '/api/images/suse');
    expect(json(suse.body)).toMatchObject({ kernels: ['1.1.0'], writable: true, nodes: ['n1', 'n3', 'n4'] });
    expect(json(suse.body).size).toBeGreaterThan(64 * 1024);
    const none = await apiRequest(a, 'GET', '/api/images/nope');
    expect([none.statusCode, errorOf(none.body).code]).toEqual([404, 'WW_ERR_IMAGE_NOT_FOUND']);
  });

  it('imports from a registry (docker:// only), builds, renames with nodes following, and deletes (409 while in use)', async () => {
    const { t, a } = await setup();
    const bad = await apiRequest(a, 'POST', '/api/images/tiny/import', { json: { uri: `oci-archive:${work}/x` } });
    expect([bad.statusCode, errorOf(bad.body).message]).toEqual([400, 'uri: must start with docker://']);
    const imp = await apiRequest(a, 'POST', '/api/images/tiny/import', { json: { uri: `docker://${reg.host}/test/tiny:v1`, nohttps: true } });
    expect(imp.statusCode).toBe(200);
    expect(json(imp.body)).toMatchObject({ kernels: ['6.1.0-9'], buildtime: null, nodes: [] });
    expect(readFileSync(join(t.root, 'var/lib/warewulf/chroots/tiny/rootfs/etc/os-release'), 'utf8')).toBe('ID=tiny\n');
    const dup = await apiRequest(a, 'POST', '/api/images/tiny/import', { json: { uri: `docker://${reg.host}/test/tiny:v1`, nohttps: true } });
    expect(dup.statusCode).toBe(409);

    const built = await apiRequest(a, 'POST', '/api/images/tiny/build');
    expect(built.statusCode).toBe(200);
    expect(json(built.body).buildtime).toMatch(/^\d{4}-/);

    expect((await apiRequest(a, 'PATCH', '/api/nodes/n2', { json: { node: { 'image name': 'tiny' } } })).statusCode).toBe(200);
    const inUse = await apiRequest(a, 'DELETE', '/api/images/tiny');
    expect([inUse.statusCode, errorOf(inUse.body).message]).toEqual([409, 'image tiny is in use by node n2']);

    const renamed = await apiRequest(a, 'PATCH', '/api/images/tiny?build=false', { json: { name: 'tiny2' } });
    expect([renamed.statusCode, json(renamed.body).nodes]).toEqual([200, ['n2']]);
    expect(json((await apiRequest(a, 'GET', '/api/nodes/n2')).body)['image name']).toBe('tiny2');
    expect(t.readNodesConf()).toMatch(/image name: tiny2/);
    expect((await apiRequest(a, 'GET', '/api/images/tiny')).statusCode).toBe(404);

    const forced = await apiRequest(a, 'DELETE', '/api/images/tiny2?force=true');
    expect([forced.statusCode, json(forced.body).kernels]).toEqual([200, ['6.1.0-9']]);
    expect(Object.keys(json((await apiRequest(a, 'GET', '/api/images')).body))).toEqual(['suse']);
  });

  it('answers 400 for a bad image name, an invalid query flag and a half-given credential', async () => {
    const { a } = await setup();
    expect((await apiRequest(a, 'POST', '/api/images/bad name/import', { json: { uri: 'docker://x/y' } })).statusCode).toBe(400);
    const flag = await apiRequest(a, 'POST', '/api/images/suse/build?force=maybe');
    expect([flag.statusCode, errorOf(flag.body).message]).toEqual([400, expect.stringMatching(/^query\.force: /)]);
    const half = await apiRequest(a, 'POST', '/api/images/other/import', { json: { uri: 'docker://127.0.0.1:1/x:y', user: 'u' } });
    expect([half.statusCode, errorOf(half.body).message]).toEqual([400, 'give both user and password, or neither']);
  });
});

describe('/api/overlays', () => {
  it('lists, creates, writes, reads, renders and deletes overlays and their files', async () => {
    const { t, a } = await setup();
    const list = json((await apiRequest(a, 'GET', '/api/overlays/')).body) as Record<string, { site: boolean; files: string[] }>;
    expect(list.wwinit?.site).toBe(false);
    expect(list.generic?.files.length).toBeGreaterThan(0);

    expect(json((await apiRequest(a, 'PUT', '/api/overlays/site1')).body)).toEqual({ files: [], site: true });
    expect((await apiRequest(a, 'PUT', '/api/overlays/site1')).statusCode).toBe(409);

    const put = await apiRequest(a, 'PUT', '/api/overlays/site1/file?path=etc/motd.ww', { json: { content: 'node {{ .Id }} boots {{ .ImageName }}\n' } });
    expect(json(put.body)).toMatchObject({ overlay: 'site1', path: 'etc/motd.ww', contents: 'node {{ .Id }} boots {{ .ImageName }}\n', perms: '0644' });
    const excl = await apiRequest(a, 'PUT', '/api/overlays/site1/file?path=etc/motd.ww', { json: { content: 'x' }, headers: { 'if-none-match': '*' } });
    expect(excl.statusCode).toBe(400);
    expect(json((await apiRequest(a, 'GET', '/api/overlays/site1')).body)).toEqual({ files: ['etc/motd.ww'], site: true });

    const rendered = await apiRequest(a, 'GET', '/api/overlays/site1/file?path=etc/motd&render=n1');
    expect(json(rendered.body)).toMatchObject({ path: 'etc/motd.ww', contents: 'node n1 boots suse\n' });
    expect(json((await apiRequest(a, 'GET', '/api/overlays/site1/file?path=etc/motd.ww')).body).contents).toBe('node {{ .Id }} boots {{ .ImageName }}\n');

    // a change to a distribution overlay lands in a site copy
    expect((await apiRequest(a, 'PUT', '/api/overlays/generic/file?path=etc/site-note', { json: { content: 'ours\n' } })).statusCode).toBe(200);
    expect((json((await apiRequest(a, 'GET', '/api/overlays/generic')).body) as { site: boolean }).site).toBe(true);

    const nonEmpty = await apiRequest(a, 'DELETE', '/api/overlays/site1/file?path=etc');
    expect(nonEmpty.statusCode).toBe(400);
    expect(json((await apiRequest(a, 'DELETE', '/api/overlays/site1/file?path=etc/motd.ww&cleanup=true')).body)).toEqual({ overlay: 'site1', path: 'etc/motd.ww' });
    expect(json((await apiRequest(a, 'GET', '/api/overlays/site1')).body)).toEqual({ files: [], site: true });
    expect((await apiRequest(a, 'DELETE', '/api/overlays/site1/file?path=etc/motd.ww')).statusCode).toBe(404);
    expect((await apiRequest(a, 'DELETE', '/api/overlays/site1')).statusCode).toBe(200);
    expect((await apiRequest(a, 'GET', '/api/overlays/site1')).statusCode).toBe(404);
    expect(readFileSync(join(t.root, 'var/lib/warewulf/overlays/generic/rootfs/etc/site-note'), 'utf8')).toBe('ours\n');
  });

  it('never reads outside the overlay (.. and symlinks out are 400), and answers 404 for what is missing', async () => {
    const { t, a } = await setup();
    await apiRequest(a, 'PUT', '/api/overlays/site2');
    symlinkSync('/etc/hostname', join(t.root, 'var/lib/warewulf/overlays/site2/rootfs/leak'));
    symlinkSync('../'.repeat(12) + 'etc', join(t.root, 'var/lib/warewulf/overlays/site2/rootfs/up'));
    for (const path of ['../../../etc/hostname', 'leak', 'up/hostname']) {
      const r = await apiRequest(a, 'GET', `/api/overlays/site2/file?path=${encodeURIComponent(path)}`);
      expect([path, r.statusCode, errorOf(r.body).code]).toEqual([path, 400, 'WW_ERR_PATH_ESCAPE']);
    }
    expect((await apiRequest(a, 'PUT', '/api/overlays/site2/file?path=up/evil', { json: { content: 'x' } })).statusCode).toBe(400);
    for (const [url, code] of [
      ['/api/overlays/site2/file?path=nope', 'WW_ERR_NOT_FOUND'],
      ['/api/overlays/site2/file?path=', 'WW_ERR_INVALID_VALUE'],
      ['/api/overlays/nosuch/file?path=x', 'WW_ERR_OVERLAY_NOT_FOUND'],
      ['/api/overlays/nosuch', 'WW_ERR_OVERLAY_NOT_FOUND'],
    ] as const) {
      const r = await apiRequest(a, 'GET', url);
      expect([url, errorOf(r.body).code]).toEqual([url, code]);
    }
    const dist = await apiRequest(a, 'DELETE', '/api/overlays/wwinit');
    expect([dist.statusCode, errorOf(dist.body).code]).toEqual([409, 'WW_ERR_OVERLAY_PROTECTED']);
    const full = await apiRequest(a, 'DELETE', '/api/overlays/site2');
    expect([full.statusCode, errorOf(full.body).message]).toEqual([400, 'overlay site2 is not empty; use --force to delete it with its files']);
    expect((await apiRequest(a, 'DELETE', '/api/overlays/site2?force')).statusCode).toBe(200);
  });
});

describe('overlay builds and the dashboard data', () => {
  it('builds one node and all nodes, tells freshness, and names the template of a failed build (500)', async () => {
    const { a } = await setup();
    const before = json((await apiRequest(a, 'GET', '/api/nodes/n2/overlays')).body) as Record<string, { fresh: boolean; reason: string; mtime: string | null; overlays: string[] }>;
    expect(before['system overlay']).toMatchObject({ overlays: ['wwinit'], fresh: false, mtime: null });
    expect(before['system overlay']?.reason).not.toBe('');
    const one = await apiRequest(a, 'POST', '/api/nodes/n2/overlays/build');
    expect([one.statusCode, json(one.body)]).toEqual([200, ['n2']]);
    const after = json((await apiRequest(a, 'GET', '/api/nodes/n2/overlays')).body) as Record<string, { fresh: boolean; reason: string; mtime: string | null }>;
    expect(after['system overlay']).toMatchObject({ fresh: true, reason: '' });
    expect(after['runtime overlay']?.mtime).toMatch(/^\d{4}-/);
    expect((await apiRequest(a, 'POST', '/api/nodes/nx/overlays/build')).statusCode).toBe(404);

    const all = await apiRequest(a, 'POST', '/api/nodes/overlays/build');
    expect([all.statusCode, json(all.body)]).toEqual([200, ['n1', 'n2', 'n3', 'n4']]);
    const fresh = json((await apiRequest(a, 'GET', '/api/dashboard/freshness')).body) as Record<string, { system: { fresh: boolean } }>;
    expect(Object.entries(fresh).map(([n, f]) => [n, f.system.fresh])).toEqual([['n1', true], ['n2', true], ['n3', true], ['n4', true]]);

    await apiRequest(a, 'PUT', '/api/overlays/broken');
    await apiRequest(a, 'PUT', '/api/overlays/broken/file?path=etc/bad.ww', { json: { content: 'line one\n{{ .NoSuchField }\n' } });
    expect((await apiRequest(a, 'PATCH', '/api/nodes/n3', { json: { node: { 'runtime overlay': ['generic', 'broken'] } } })).statusCode).toBe(200);
    const stale = json((await apiRequest(a, 'GET', '/api/nodes/n3/overlays')).body) as Record<string, { fresh: boolean; reason: string }>;
    expect(stale['runtime overlay']?.fresh).toBe(false);
    const failed = await apiRequest(a, 'POST', '/api/nodes/n3/overlays/build');
    expect([failed.statusCode, errorOf(failed.body).code]).toEqual([500, 'WW_ERR_BUILD']);
    expect(errorOf(failed.body).message).toMatch(/n3: runtime overlay: .*etc\/bad\.ww/);
  });

  it('GET /api/dashboard: a row per node, the status table and the images and overlays in use', async () => {
    const { a } = await setup();
    await a.request('/provision/00:00:00:ff:ff:ff?stage=ipxe', { peer: '10.10.10.10:9873' });
    const d = json((await apiRequest(a, 'GET', '/api/dashboard')).body) as {
      nodes: { name: string; image: string; profiles: string[] }[]; status: Record<string, { stage: string }>; images: Json; overlays: Json; interval: number; revision: string;
    };
    expect(d.nodes.map((n) => [n.name, n.image, n.profiles])).toEqual([['n1', 'suse', ['default']], ['n2', 'none', ['default']], ['n3', 'suse', ['default']], ['n4', 'suse', ['default']]]);
    expect(d.status.n1?.stage).toBe('ipxe');
    expect(d.status.n2?.stage).toBe('');
    expect(d.images).toEqual({ none: 1, suse: 3 });
    expect(d.overlays).toEqual({ generic: 4, wwinit: 4 });
    expect([d.interval, d.revision]).toEqual([60, a.registry.current.db.revision]);
  });
});
