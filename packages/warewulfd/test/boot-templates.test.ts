/**
 * Boot-script templates (§4.5, §7.1, §7.2) fall back to the shipped copies
 * as overlays and BMC templates do: a root without etc/warewulf/ipxe or
 * etc/warewulf/grub (a fresh WAREWULF_ROOT) still boots, a site template
 * wins over the shipped one, and a template that is nowhere is a 500 whose
 * reason is in the log.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, httpGet, makeProvisionRoot, makeRoot, provisionApp, startTestDaemon } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';
const N3 = '00:00:00:00:00:ff';

/** A provision root with no boot templates of its own. */
function bareRoot() {
  const t = makeProvisionRoot();
  for (const d of ['ipxe', 'grub']) rmSync(join(t.root, 'etc', 'warewulf', d), { recursive: true, force: true });
  return t;
}

describe('boot templates fall back to the shipped copies', () => {
  it('a root without etc/warewulf/ipxe serves the shipped default.ipxe and unconfigured.ipxe', async () => {
    const a = await provisionApp(bareRoot());
    const r = await a.request(`/ipxe/${N1}`);
    expect(r.statusCode).toBe(200);
    expect(r.body.startsWith('#!ipxe\n')).toBe(true);
    expect(r.body).toContain('set base http://10.10.0.1:9873');
    expect(r.body).toContain('kernel --name kernel ${base}/kernel/${wwid}?${params}');
    expect(a.env.status.get('n1')).toMatchObject({ stage: 'ipxe', sent: 'default.ipxe' });
    const unknown = await a.request('/ipxe/52-54-00-AA-BB-CC');
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('Hardware address: 52:54:00:aa:bb:cc');
  });

  it('a root without etc/warewulf/grub serves the shipped grub.cfg.ww, also as /efiboot/grub.cfg', async () => {
    const a = await provisionApp(bareRoot());
    const shipped = readFileSync(join(REPO, 'etc/warewulf/grub/grub.cfg.ww'), 'utf8');
    expect(shipped).toContain('Loading image, system');
    for (const url of [`/grub/${N1}`, `/efiboot/grub.cfg?wwid=${N1}`]) {
      const r = await a.request(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).toContain('Loading image, system');
    }
  });

  it('a site template overrides the shipped one, and removing it brings the shipped one back', async () => {
    const t = bareRoot();
    t.write('etc/warewulf/ipxe/default.ipxe', '#!ipxe\necho site script for {{.Hwaddr}}\n');
    t.write('etc/warewulf/grub/grub.cfg.ww', 'site grub {{.Authority}}\n');
    const a = await provisionApp(t);
    expect((await a.request(`/ipxe/${N1}`)).body).toBe(`#!ipxe\necho site script for ${N1}\n`);
    expect((await a.request(`/grub/${N1}`)).body).toBe('site grub 10.10.0.1:9873\n');
    rmSync(join(t.root, 'etc/warewulf/ipxe/default.ipxe'));
    await new Promise((res) => setTimeout(res, 1100)); // the template cache re-checks once a second
    expect((await a.request(`/ipxe/${N1}`)).body).toContain('set base http://10.10.0.1:9873');
  });

  it('a template that is neither the site\'s nor shipped is a 500 naming both places in the log; a broken one a 500 too', async () => {
    const t = makeProvisionRoot();
    t.writeNodesConf(t.readNodesConf().replace('ipxe template: test', 'ipxe template: nosuch'));
    const a = await provisionApp(t);
    const r = await a.request(`/ipxe/${N3}`);
    expect([r.statusCode, r.body]).toEqual([500, 'Internal Server Error\n']);
    const site = join(t.root, 'etc/warewulf/ipxe/nosuch.ipxe');
    const shipped = join(REPO, 'etc/warewulf/ipxe/nosuch.ipxe');
    expect(a.logs.some((l) => l.level === 50 && l.msg === `template not found: ${site} (nor a shipped copy at ${shipped})`)).toBe(true);
    t.write('etc/warewulf/ipxe/nosuch.ipxe', '{{if}}');
    await new Promise((res) => setTimeout(res, 1100));
    expect((await a.request(`/ipxe/${N3}`)).statusCode).toBe(500);
  });

  it('over TCP, the real daemon on a fresh root (no warewulf.conf, no templates) serves a script with a server address', async () => {
    const t = makeRoot(`nodes:\n  n1:\n    network devices:\n      default: {hwaddr: "${N1}"}\n`);
    const d = await startTestDaemon(t);
    const r = await httpGet(`${d.url}/ipxe/${N1}`);
    expect(r.status).toBe(200);
    // §3.3: the address is detected from this host (127.0.0.1 at least, on a loopback-only one)
    expect(r.body.toString()).toMatch(/^set base http:\/\/\d+\.\d+\.\d+\.\d+:9873$/m);
  });
});
