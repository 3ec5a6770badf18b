/**
 * GET /api/events on the real daemon (TCP on loopback, file watch on):
 * `hello`, a `status` event per provisioning request, a `revision` event
 * with the changed rows when nodes.conf changes (by wwctl or by the API),
 * the stream behind the API's access rules, and ended when the daemon stops.
 */
import { execFileSync } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicAuth, httpGet, makeApiRoot, openSse, startTestDaemon, wwctl } from '@warewulf/testenv';

type Row = { name: string; address: string; image: string };
type Revision = { revision: string; nodes: Row[]; removed: string[] };

describe('/api/events', () => {
  it('streams status entries and nodes.conf revisions with the rows that changed', async () => {
    const t = makeApiRoot();
    const d = await startTestDaemon(t, { watchDelayMs: 20 });
    const sse = await openSse(`${d.url}/api/events`, { authorization: basicAuth() });
    expect(sse.status).toBe(200);
    const hello = await sse.next('hello');
    expect(hello.data).toEqual({ revision: d.env.registry.current.db.revision, nodes: 4 });

    // a node boots: its status entry
    expect((await httpGet(`${d.url}/provision/00:00:00:ff:ff:ff?stage=ipxe`)).status).toBe(200);
    const st = await sse.next('status', (s) => (s as { 'node name': string })['node name'] === 'n1');
    expect(st.data).toMatchObject({ 'node name': 'n1', stage: 'ipxe', sent: expect.any(String), ipaddr: '127.0.0.1' });

    // wwctl edits nodes.conf: the daemon reloads (file watch) and sends n2's new row only
    expect((await wwctl(t, 'node', 'set', '--yes', '--ipaddr', '10.0.9.2', 'n2')).code).toBe(0);
    const rev = (await sse.next('revision', (r) => (r as Revision).nodes.some((n) => n.name === 'n2'))).data as Revision;
    expect(rev.nodes).toEqual([expect.objectContaining({ name: 'n2', address: '10.0.9.2', image: 'none' })]);
    expect(rev.removed).toEqual([]);
    expect(rev.revision).toBe(d.env.registry.current.db.revision);

    // a profile change touches every node that uses it; a deletion names the node
    const mark = sse.events.length;
    expect((await wwctl(t, 'profile', 'set', '--yes', '--image', 'sles', 'default')).code).toBe(0);
    const all = (await sse.next('revision', () => true, 5000, mark)).data as Revision;
    expect(all.nodes.map((n) => n.name)).toEqual(['n1', 'n3', 'n4']);
    const mark2 = sse.events.length;
    expect((await wwctl(t, 'node', 'delete', '--yes', 'n4')).code).toBe(0);
    const gone = (await sse.next('revision', () => true, 5000, mark2)).data as Revision;
    expect([gone.nodes, gone.removed]).toEqual([[], ['n4']]);

    // closing the daemon ends the stream instead of waiting for it
    await d.close();
    await sse.ended;
  });

  it('is behind the same access rules (401 without credentials)', async () => {
    const d = await startTestDaemon(makeApiRoot());
    const r = await httpGet(`${d.url}/api/events`);
    expect([r.status, r.headers['www-authenticate']]).toEqual([401, 'Basic realm="Restricted"']);
  });

  it('with api.tls, answers over the HTTPS listener and refuses plain HTTP (403)', async () => {
    const t = makeApiRoot({ warewulfExtra: '  tls: true\n', api: { tls: true } });
    const tls = join(t.root, 'etc/warewulf/tls');
    t.write('etc/warewulf/tls/.keep', '');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(tls, 'warewulf.key'), '-out', join(tls, 'warewulf.crt')], { stdio: 'ignore' });
    const d = await startTestDaemon(t, { tlsPort: 0 });
    const plain = await httpGet(`${d.url}/api/nodes/`, { headers: { authorization: basicAuth() } });
    expect(plain.status).toBe(403);
    const secure = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpsGet(`https://127.0.0.1:${d.tlsPort}/api/nodes/n1`, { rejectUnauthorized: false, headers: { authorization: basicAuth() } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    expect(secure.status).toBe(200);
    expect(JSON.parse(secure.body)).toMatchObject({ 'image name': 'suse' });
  });
});
