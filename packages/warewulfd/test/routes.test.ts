/**
 * Every route through inject(): upstream's handler test (§4.5) first, then
 * each stage's success and error statuses, aliases, wwid forms, compress,
 * the unknown-node rules and the status table entries they leave.
 */
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { makeProvisionRoot, provisionApp } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';
const N2 = '00:00:00:00:ff:ff';
const N3 = '00:00:00:00:00:ff';

async function setup(o: Parameters<typeof makeProvisionRoot>[0] = {}) {
  const t = makeProvisionRoot(o);
  // upstream's handler test renders this grub template
  t.write('etc/warewulf/grub/grub.cfg.ww', '{{ .Tags.GrubMenuEntry }} {{ .Authority }}');
  const a = await provisionApp(t);
  return { t, a };
}

describe('upstream handler test (§4.5)', () => {
  it('serves the table of the upstream test', async () => {
    const { a, t } = await setup();
    const sys = await a.request(`/provision/${N1}?stage=system`, { peer: '10.10.10.10:9873' });
    expect([sys.statusCode, sys.body]).toEqual([200, 'system overlay']);
    const rt = await a.request(`/provision/${N1}?stage=runtime`);
    expect([rt.statusCode, rt.body]).toEqual([200, 'runtime overlay']);
    const grub = await a.request(`/provision/${N2}?stage=grub`, { peer: '10.10.10.11:9873' });
    expect([grub.statusCode, grub.body]).toEqual([200, 'dracut 10.10.0.1:9873']);
    const initramfs = await a.request(`/provision/${N1}?stage=initramfs`);
    expect(initramfs.statusCode).toBe(200);
    expect(initramfs.rawPayload.equals(t.files.initramfs)).toBe(true);
    const ipxe = await a.request(`/provision/${N3}?stage=ipxe`, { peer: '10.10.10.12:9873' });
    expect([ipxe.statusCode, ipxe.body]).toEqual([200, `1.1.1 ifname=net:${N3}  10.10.0.1 fd00:10::1 10.10.0.1:9873`]);
    const ipxe6 = await a.request(`/provision/${N3}?stage=ipxe`, { peer: '[fd00:10::10:12]:9873' });
    expect([ipxe6.statusCode, ipxe6.body]).toEqual([200, `1.1.1 ifname=net:${N3}  10.10.0.1 fd00:10::1 [fd00:10::1]:9873`]);
  });
});

describe('stages', () => {
  it('renders the default iPXE script for a node, addressed with the node identity', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const r = await a.request(`/ipxe/00-00-00-FF-FF-FF?assetkey=&uuid=u1`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body.startsWith('#!ipxe\n')).toBe(true);
    expect(r.body).toContain('set base http://10.10.0.1:9873');
    expect(r.body).toContain(`set wwid ${N1}`);
    expect(r.body).toContain('kernel --name kernel ${base}/kernel/${wwid}?${params}');
    expect(r.body).toContain('Kernel:      1.1.0');
    expect(r.body).toMatch(/boot kernel initrd=image initrd=system \$\{runtime\} wwid=00:00:00:ff:ff:ff quiet crashkernel=no vga=791/);
    expect(r.body).toMatch(/^set delay [2-9]$/m);
    expect(r.body).not.toContain('imgextract');
    expect(r.body).not.toContain('https://');
    expect(a.env.status.get('n1')).toMatchObject({ stage: 'ipxe', sent: 'default.ipxe', ipaddr: '10.10.10.10' });
  });

  it('accepts the wwid in every upstream form: hyphens, upper case, percent-encoded colons, ?wwid=, path beating query', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    for (const url of [
      '/kernel/00-00-00-ff-ff-ff',
      '/kernel/00:00:00:FF:FF:FF',
      '/kernel/00%3A00%3A00%3Aff%3Aff%3Aff',
      '/kernel/?wwid=00%3A00%3A00%3Aff%3Aff%3Aff',
      '/kernel?wwid=00-00-00-ff-ff-ff',
      `/provision/?wwid=${N1}&stage=kernel`,
      `/kernel/${N1}?wwid=${N2}`,
      `//kernel//${N1}`,
    ]) {
      const r = await a.request(url);
      expect([url, r.statusCode]).toEqual([url, 200]);
      expect(r.rawPayload.equals(t.files.kernel)).toBe(true);
    }
  });

  it('streams kernel, image (and /container), initramfs and both overlays, plain and compress=gz', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const cases: [string, Buffer, string][] = [
      [`/kernel/${N1}`, t.files.kernel, 'vmlinuz-1.1.0'],
      [`/image/${N1}`, t.files.image, 'suse.img'],
      [`/image/${N1}?compress=gz`, t.files.imageGz, 'suse.img.gz'],
      [`/container/${N1}?compress=gz`, t.files.imageGz, 'suse.img.gz'],
      [`/initramfs/${N1}`, t.files.initramfs, 'initramfs-1.1.0.img'],
      [`/system/${N1}`, t.files.system, '__SYSTEM__.img'],
      [`/overlay-system/${N1}?compress=gz`, t.files.systemGz, '__SYSTEM__.img.gz'],
      [`/runtime/${N1}?compress=gz`, t.files.runtimeGz, '__RUNTIME__.img.gz'],
      [`/overlay-runtime/${N1}`, t.files.runtime, '__RUNTIME__.img'],
    ];
    for (const [url, bytes, sent] of cases) {
      const r = await a.request(url);
      expect([url, r.statusCode]).toEqual([url, 200]);
      expect(r.rawPayload.equals(bytes)).toBe(true);
      expect(Number(r.headers['content-length'])).toBe(bytes.length);
      expect(r.headers['last-modified']).toBeTruthy();
      expect(r.headers['etag']).toMatch(/^W\/"/);
      expect(a.env.status.get('n1')?.sent).toBe(sent);
    }
    expect(gunzipSync((await a.request(`/runtime/${N1}?compress=gz`)).rawPayload).toString()).toBe('runtime overlay');
  });

  it('answers HEAD, Range, If-None-Match and If-Modified-Since (an unchanged runtime poll is a 304)', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const head = await a.request(`/image/${N1}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(t.files.image.length);
    const range = await a.request(`/image/${N1}`, { headers: { range: 'bytes=100-199' } });
    expect(range.statusCode).toBe(206);
    expect(range.rawPayload.equals(t.files.image.subarray(100, 200))).toBe(true);
    expect(range.headers['content-range']).toBe(`bytes 100-199/${t.files.image.length}`);
    const bad = await a.request(`/image/${N1}`, { headers: { range: `bytes=${t.files.image.length + 10}-` } });
    expect(bad.statusCode).toBe(416);
    const first = await a.request(`/runtime/${N1}?compress=gz`);
    const etag = String(first.headers['etag']);
    const poll = await a.request(`/runtime/${N1}?compress=gz`, { headers: { 'if-none-match': etag } });
    expect(poll.statusCode).toBe(304);
    expect(poll.rawPayload.length).toBe(0);
    const since = await a.request(`/runtime/${N1}?compress=gz`, { headers: { 'if-modified-since': String(first.headers['last-modified']) } });
    expect(since.statusCode).toBe(304);
    t.write('var/lib/warewulf/provision/overlays/n1/__RUNTIME__.img.gz', 'a rebuilt overlay, another size');
    const changed = await a.request(`/runtime/${N1}?compress=gz`, { headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toBe('a rebuilt overlay, another size');
  });

  it('renders GRUB for /grub and /efiboot/grub.cfg, and serves shim and GRUB from the image', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const grub = await a.request(`/grub/${N1}`);
    expect(grub.statusCode).toBe(200);
    expect(grub.body).toContain('set base=(http,10.10.0.1:9873)');
    expect(grub.body).toContain('linux ${base}/kernel/${net_default_mac}?${params} wwid=${net_default_mac} quiet crashkernel=no vga=791');
    expect(grub.body).toContain('set default=single-stage');
    const cfg = await a.request(`/efiboot/grub.cfg?wwid=${N1}`);
    expect([cfg.statusCode, cfg.body]).toEqual([200, grub.body]);
    const shim = await a.request(`/efiboot/shim.efi?wwid=${N1}`);
    expect(shim.rawPayload.equals(t.files.shim)).toBe(true);
    const grubEfi = await a.request(`/efiboot//grub.efi?wwid=${N1}`);
    expect(grubEfi.rawPayload.equals(t.files.grubEfi)).toBe(true);
    const q = await a.request(`/efiboot?wwid=${N1}&file=shim.efi`);
    expect(q.rawPayload.equals(t.files.shim)).toBe(true);
    expect((await a.request(`/efiboot/shim.efi?wwid=${N1}&file=grub.cfg`)).rawPayload.equals(t.files.shim)).toBe(true);
    expect((await a.request(`/efiboot/bootx64.efi?wwid=${N1}`)).statusCode).toBe(404);
    expect(a.env.status.get('n1')).toMatchObject({ stage: 'efiboot', sent: 'NOT_FOUND' });
  });

  it('reports the status table (§4.7) and metrics', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t, { now: () => 1712345678 });
    // an image twice: the first read from disk, the second from memory; both counted whole
    for (let i = 0; i < 2; i++) expect((await a.request(`/image/${N1}`)).rawPayload.equals(t.files.image)).toBe(true);
    await a.request(`/runtime/${N1}?compress=gz`, { peer: '10.0.2.1:987' });
    for (const method of ['GET', 'POST'] as const) {
      const s = await a.request('/status', { method });
      expect(s.statusCode).toBe(200);
      const doc = JSON.parse(s.body) as { nodes: Record<string, unknown> };
      expect(doc.nodes['n1']).toEqual({ 'node name': 'n1', stage: 'runtime', sent: '__RUNTIME__.img.gz', ipaddr: '10.0.2.1', 'last seen': 1712345678 });
      expect(doc.nodes['n2']).toEqual({ 'node name': 'n2', stage: '', sent: '', ipaddr: '', 'last seen': 0 });
      expect(s.body).toContain('\n  "nodes": {\n');
    }
    const m = await a.request('/metrics');
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/warewulfd_requests_total\{stage="runtime",code="200"\} 1/);
    expect(m.body).toMatch(/warewulfd_bytes_sent_total\{stage="runtime"\} [1-9]/);
    expect(m.body).toContain(`warewulfd_bytes_sent_total{stage="image"} ${2 * t.files.image.length}\n`);
    expect(m.body).toContain('warewulfd_stream_queue_depth');
    expect(m.body).toContain('warewulfd_overlay_builds_total');
  });
});

describe('errors and refusals', () => {
  it('answers 404 for unknown paths and 400 for bad requests', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const nf = await a.request('/nothing/here');
    expect([nf.statusCode, nf.body]).toEqual([404, '404 page not found\n']);
    expect((await a.request(`/provision/${N1}?stage=bogus`)).statusCode).toBe(400);
    expect((await a.request(`/provision/${N1}?stage=efiboot`)).statusCode).toBe(400);
    const noWwid = await a.request('/kernel/');
    expect([noWwid.statusCode, noWwid.body]).toEqual([400, 'unable to determine wwid\n']);
    expect((await a.request(`/kernel/${N1}`, { peer: '10.10.10.10:0' })).statusCode).toBe(400);
    expect((await a.request(`/kernel/${N1}/extra`)).statusCode).toBe(400);
    expect((await a.request('/kernel/not%20a%20mac')).statusCode).toBe(400);
    expect((await a.request(`/ipxe/${N1}?compress=gz`)).statusCode).toBe(404);
    expect((await a.request(`/image/${N1}?compress=xz`)).statusCode).toBe(404);
    expect((await a.request(`/kernel/${N1}?compress=gz`)).statusCode).toBe(404);
  });

  it('treats unknown nodes as upstream: unconfigured script, grub 404, other stages 400', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const ipxe = await a.request('/ipxe/52-54-00-AA-BB-CC');
    expect(ipxe.statusCode).toBe(200);
    expect(ipxe.body).toContain('Hardware address: 52:54:00:aa:bb:cc');
    expect(ipxe.body).toContain('reboot');
    expect((await a.request('/grub/52:54:00:aa:bb:cc')).statusCode).toBe(404);
    for (const s of ['kernel', 'image', 'system', 'runtime', 'initramfs']) {
      expect([s, (await a.request(`/${s}/52:54:00:aa:bb:cc`)).statusCode]).toEqual([s, 400]);
    }
    expect(a.logs.some((l) => l.msg.includes('52:54:00:aa:bb:cc (unknown/unconfigured node)'))).toBe(true);
  });

  it('records BAD_REQUEST and NOT_FOUND for resolvable-but-missing artefacts', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    // n2's image "none" has no chroot (no kernel: 400) and no built image (404)
    expect((await a.request(`/kernel/${N2}`)).statusCode).toBe(400);
    expect(a.env.status.get('n2')).toMatchObject({ stage: 'kernel', sent: 'BAD_REQUEST' });
    expect((await a.request(`/image/${N2}`)).statusCode).toBe(404);
    expect(a.env.status.get('n2')).toMatchObject({ stage: 'image', sent: 'NOT_FOUND' });
    expect((await a.request(`/system/${N2}`)).statusCode).toBe(404);
    expect((await a.request(`/initramfs/${N2}`)).statusCode).toBe(400);
  });

  it('refuses a node without an image its kernel and image (400)', async () => {
    const t = makeProvisionRoot({ nodesConf: 'nodes:\n  bare:\n    network devices:\n      default:\n        hwaddr: 00:00:00:00:00:01\n' });
    const a = await provisionApp(t);
    expect((await a.request('/image/00:00:00:00:00:01')).statusCode).toBe(400);
    expect((await a.request('/kernel/00:00:00:00:00:01')).statusCode).toBe(400);
    const ipxe = await a.request('/ipxe/00:00:00:00:00:01');
    expect(ipxe.statusCode).toBe(200);
    expect(ipxe.body).toContain('No image defined for bare');
  });

  it('checks the asset key (missing or wrong: 401 and BAD_ASSET), logs and counts it, never logging the key', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t);
    const n4 = '00:00:00:00:00:04';
    expect((await a.request(`/kernel/${n4}`)).statusCode).toBe(401);
    expect(a.env.status.get('n4')).toMatchObject({ stage: 'kernel', sent: 'BAD_ASSET' });
    expect((await a.request(`/ipxe/${n4}?assetkey=wrong`)).statusCode).toBe(401);
    const ok = await a.request(`/kernel/${n4}?assetkey=secret-key`);
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.equals(t.files.kernel)).toBe(true);
    expect(a.logs.filter((l) => l.msg === 'DENIED : incorrect asset key for node n4')).toHaveLength(2);
    // a refused request with the right key: its URL is logged, the key's value is not
    const bad = await a.request(`/provision/${n4}?assetkey=secret-key&uuid=x&stage=bogus`);
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(a.logs.some((l) => typeof l.url === 'string' && l.url.includes('assetkey=REDACTED&uuid=x'))).toBe(true);
    expect(JSON.stringify(a.logs)).not.toContain('secret-key');
    expect((await a.request('/metrics')).body).toMatch(/warewulfd_refusals_total\{reason="bad_asset_key"\} 2/);
  });

  it('serves runtime overlays only to privileged ports when secure (401 otherwise), other stages from any port', async () => {
    const t = makeProvisionRoot({ secure: true });
    const a = await provisionApp(t);
    const high = await a.request(`/runtime/${N1}`, { peer: '10.0.0.5:40000' });
    expect(high.statusCode).toBe(401);
    expect(a.logs.some((l) => l.msg === 'DENIED : Non-privileged port: 10.0.0.5:40000')).toBe(true);
    const low = await a.request(`/runtime/${N1}`, { peer: '10.0.0.5:987' });
    expect([low.statusCode, low.body]).toEqual([200, 'runtime overlay']);
    expect((await a.request(`/system/${N1}`, { peer: '10.0.0.5:40000' })).statusCode).toBe(200);
    expect((await a.request(`/runtime/${N1}`, { peer: '[fd00::5]:1023' })).statusCode).toBe(200);
    expect((await a.request(`/runtime/${N1}`, { peer: '[fd00::5]:1024' })).statusCode).toBe(401);
    expect((await a.request('/metrics')).body).toMatch(/warewulfd_refusals_total\{reason="insecure_port"\} 2/);
  });

  it('refuses runtime overlays over plain HTTP when TLS is on (403)', async () => {
    const t = makeProvisionRoot({ warewulfExtra: '  tls: true\n' });
    const a = await provisionApp(t);
    expect((await a.request(`/runtime/${N1}`, { peer: '10.0.0.5:987' })).statusCode).toBe(403);
    expect((await a.request(`/system/${N1}`)).statusCode).toBe(200);
    const ipxe = await a.request(`/ipxe/${N1}`);
    expect(ipxe.body).not.toContain('--name runtime');
  });

  it('answers 500 for a broken template and for a missing one, sending nothing partial', async () => {
    const t = makeProvisionRoot();
    t.write('etc/warewulf/ipxe/test.ipxe', 'before {{.NoSuchField}} after');
    const a = await provisionApp(t);
    const r = await a.request(`/ipxe/${N3}`);
    expect([r.statusCode, r.body]).toEqual([500, 'Internal Server Error\n']);
    t.write('etc/warewulf/ipxe/test.ipxe', '{{if}}');
    await new Promise((res) => setTimeout(res, 1100)); // the template cache re-checks once a second
    expect((await a.request(`/ipxe/${N3}`)).statusCode).toBe(500);
    const nodes = t.readNodesConf().replace('ipxe template: test', 'ipxe template: missing');
    t.writeNodesConf(nodes);
    await a.registry.reload();
    // neither the site's nor shipped (§4.5: template errors are 500s)
    expect((await a.request(`/ipxe/${N3}`)).statusCode).toBe(500);
  });
});
