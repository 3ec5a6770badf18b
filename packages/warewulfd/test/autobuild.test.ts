/**
 * The daemon on core's overlay builder (autobuild): a missing image is built
 * on the first request, an edit of nodes.conf is built once and served, and
 * a plain runtime request (wwclient's) is the decompressed archive with an
 * ETag of its own (an unchanged poll is a 304).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpGet, makeRoot, startTestDaemon, wwctl } from '@warewulf/testenv';

const cpioFile = (archive: Buffer, f: string) => execFileSync('cpio', ['-i', '--to-stdout', '--quiet', f], { input: archive }).toString();

function world() {
  const t = makeRoot(`nodeprofiles:
  default:
    system overlay: [who]
    runtime overlay: [who]
nodes:
  n1:
    network devices:
      default: {device: eth0, hwaddr: "52:54:00:00:00:01", ipaddr: 10.0.0.1}
`);
  t.write('etc/warewulf/warewulf.conf', 'ipaddr: 10.0.0.254\nnetmask: 255.255.255.0\nwarewulf:\n  port: 9873\n  secure: false\n  autobuild overlays: true\n');
  t.write('var/lib/warewulf/overlays/who/rootfs/etc/who.ww', '{{ .Id }} {{ .Comment }}\n');
  return t;
}

describe('warewulfd builds overlays on demand (autobuild)', () => {
  it('builds a missing image at the first request, and what an edit made stale at the next', async () => {
    const t = world();
    const d = await startTestDaemon(t, { autobuild: true, watchDelayMs: 20 });
    const sys = await httpGet(`${d.url}/system/52-54-00-00-00-01?compress=gz`);
    expect(sys.status).toBe(200);
    expect(cpioFile(execFileSync('gzip', ['-dc'], { input: sys.body }), 'etc/who')).toBe('n1 \n');
    expect((await wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'edited')).code).toBe(0);
    await d.reload();
    const again = await httpGet(`${d.url}/system/52-54-00-00-00-01?compress=gz`);
    expect(cpioFile(execFileSync('gzip', ['-dc'], { input: again.body }), 'etc/who')).toBe('n1 edited\n');
  });

  it('serves the plain runtime archive decompressed, with an ETag that makes an unchanged poll a 304', async () => {
    const t = world();
    const d = await startTestDaemon(t, { autobuild: true });
    const r = await httpGet(`${d.url}/runtime/52-54-00-00-00-01`);
    expect(r.status).toBe(200);
    expect(cpioFile(r.body, 'etc/who')).toBe('n1 \n');
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^W\/".*-plain"$/);
    const again = await httpGet(`${d.url}/runtime/52-54-00-00-00-01`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // the gzip form keeps send's own ETag and Range
    const gz = await httpGet(`${d.url}/runtime/52-54-00-00-00-01?compress=gz`, { headers: { range: 'bytes=0-1' } });
    expect(gz.status).toBe(206);
    expect([...gz.body]).toEqual([0x1f, 0x8b]);
  });

  it('a node whose template fails gets a 404 while its image is missing, and the others are served', async () => {
    const t = world();
    t.writeNodesConf(t.readNodesConf() + '  n2:\n    comment: x\n    network devices:\n      default: {hwaddr: "52:54:00:00:00:02"}\n');
    writeFileSync(join(t.root, 'var/lib/warewulf/overlays/who/rootfs/etc/bad.ww'), '{{ if eq .Id "n2" }}{{ .Nosuch }}{{ end }}\n');
    const d = await startTestDaemon(t, { autobuild: true });
    expect((await httpGet(`${d.url}/system/52-54-00-00-00-02?compress=gz`)).status).toBe(404);
    expect((await httpGet(`${d.url}/system/52-54-00-00-00-01?compress=gz`)).status).toBe(200);
    expect(d.logs.some((l) => /overlay build failed/.test(String(l.msg)) && /Nosuch/.test(String(l.msg)))).toBe(true);
  });
});
