/**
 * Traversal attempts on every route (`..`, `%2e%2e`, `%2f`, `//`, absolute
 * paths, NUL, overlong UTF-8, backslashes, double encoding), in every place
 * a request can carry a path: the wwid segment, the segments after it, the
 * EFI file name, the query. Nothing outside the provision tree is ever read:
 * no body carries the planted secrets, whatever the status. Also names from
 * nodes.conf (image, node, template) and symlinks inside an image.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTE_STAGES } from '@warewulf/core/provision';
import { makeProvisionRoot, provisionApp } from '@warewulf/testenv';

const SECRET = 'TOPSECRET-4b1d';
const N1 = '00:00:00:ff:ff:ff';

const ATTACKS = [
  '..',
  '../../../../../../etc/passwd',
  '..%2f..%2f..%2f..%2fsecret.txt',
  '%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt',
  '%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt',
  '..%252f..%252fsecret.txt',
  '%252e%252e%252fsecret.txt',
  '/etc/passwd',
  '%2fetc%2fpasswd',
  '//etc//passwd',
  'secret.txt%00.img',
  '%00',
  '%c0%ae%c0%ae%c0%afsecret.txt',
  '%e0%80%ae%e0%80%ae/secret.txt',
  '..%5c..%5csecret.txt',
  '..\\..\\secret.txt',
  '.%2e/.%2e/.%2e/.%2e/secret.txt',
];

function leaks(body: string): boolean {
  return body.includes(SECRET) || body.includes('root:x:0:0');
}

describe('no request reads outside the provision tree', () => {
  it('holds for every route word with every attack in every position', async () => {
    const t = makeProvisionRoot();
    t.write('secret.txt', SECRET);
    t.write('var/lib/warewulf/secret.txt', SECRET);
    t.write('var/lib/warewulf/provision/secret.txt', SECRET);
    const a = await provisionApp(t);
    let requests = 0;
    const words = [...Object.keys(ROUTE_STAGES), 'files', 'status', 'metrics'];
    for (const word of words) {
      for (const x of ATTACKS) {
        const urls = [
          `/${word}/${x}`,
          `/${word}/${N1}/${x}`,
          `/${word}/${x}?wwid=${N1}`,
          `/${word}?wwid=${N1}&file=${x}`,
          `/${word}/${N1}?compress=${x}`,
          `/${word}/${N1}?stage=${x}`,
          `/${word}/${x}?wwid=${N1}&render=`,
        ];
        for (const url of urls) {
          for (const method of ['GET', 'HEAD'] as const) {
            const r = await a.request(url, { method });
            requests++;
            if (leaks(r.body)) throw new Error(`${method} ${url} leaked (${r.statusCode})`);
            // the only 200s are answers about a real node (its script or files), never a file named by the attack
            if (r.statusCode === 200 && !['status', 'metrics'].includes(word)) {
              expect([url, r.rawPayload.includes(Buffer.from(SECRET))]).toEqual([url, false]);
            }
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(1000);
  });

  it('refuses traversal through names in nodes.conf and symlinks inside an image', async () => {
    const t = makeProvisionRoot({
      nodesConf: `nodes:
  evil1:
    image name: ../../../../secret-dir/x
    network devices:
      default: {hwaddr: "00:00:00:00:0e:01"}
  evil2:
    image name: linky
    ipxe template: ../../../../secret
    network devices:
      default: {hwaddr: "00:00:00:00:0e:02"}
`,
    });
    t.write('secret-dir/x.img', SECRET);
    t.write('secret.ipxe', SECRET);
    t.write('outside-kernel', SECRET);
    const boot = join(t.root, 'var/lib/warewulf/chroots/linky/rootfs/boot');
    mkdirSync(boot, { recursive: true });
    symlinkSync(join(t.root, 'outside-kernel'), join(boot, 'vmlinuz-9.9.9'));
    symlinkSync('../../../../../../../../outside-kernel', join(boot, 'initramfs-9.9.9.img'));
    const a = await provisionApp(t);
    for (const url of ['/image/00:00:00:00:0e:01', '/image/00:00:00:00:0e:01?compress=gz', '/kernel/00:00:00:00:0e:01', '/kernel/00:00:00:00:0e:02', '/initramfs/00:00:00:00:0e:02', '/ipxe/00:00:00:00:0e:02']) {
      const r = await a.request(url);
      expect([url, r.statusCode]).toEqual([url, 400]);
      expect(leaks(r.body)).toBe(false);
    }
  });

  it('keeps /files inside wwfilesdir, and lists no directory', async () => {
    const t = makeProvisionRoot();
    t.write('secret.txt', SECRET);
    symlinkSync(join(t.root, 'secret.txt'), join(t.filesDir, 'link-out'));
    symlinkSync('hello.txt', join(t.filesDir, 'link-in'));
    mkdirSync(join(t.filesDir, 'sub'));
    const a = await provisionApp(t);
    const ok = await a.request(`/files/hello.txt?wwid=${N1}`);
    expect([ok.statusCode, ok.body]).toEqual([200, 'hello from wwfilesdir\n']);
    expect((await a.request(`/files/link-in?wwid=${N1}`)).body).toBe('hello from wwfilesdir\n');
    for (const p of ['link-out', 'sub', '', '../../../secret.txt', '%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt']) {
      const r = await a.request(`/files/${p}?wwid=${N1}`);
      expect([p, r.statusCode]).toEqual([p, r.statusCode === 400 ? 400 : 404]);
      expect(leaks(r.body)).toBe(false);
    }
  });
});
