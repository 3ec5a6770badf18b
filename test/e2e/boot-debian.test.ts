/**
 * LONG (about 1-2 minutes with a warm cache; a cold cache adds about 3 minutes
 * of debootstrap): a real distribution image boots the same way. A Debian
 * minbase root (systemd, udev, kmod, iproute2, Debian's kernel) is the node's
 * image; the node's root field is tmpfs, so wwinit copies the image into a
 * new tmpfs and switch_roots before systemd starts. systemd reaches
 * multi-user.target with wwclient running as a Type=notify unit that fetched
 * the runtime overlay from a privileged port; host name and network come from
 * the overlays.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, debianImageInitrd, ensureDebianRoot, ensureWwclient, inCI, isRoot, missingTools } from '@warewulf/testenv';
import { bootNode, requestsOf, serialLogPath } from './helpers.js';

const needs = missingTools(['qemu-system-x86_64', 'dnsmasq', 'ip', 'debootstrap', 'skopeo']);
const work = mkdtempSync(join(tmpdir(), 'e2e-debian-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!isRoot || (needs.length > 0 && !inCI))(`e2e LONG: a Debian image boots to multi-user.target with wwclient as a systemd unit (root, qemu, debootstrap)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  it('has its tools', () => expect(needs).toEqual([]));

  it('boots Debian from a tmpfs root: systemd running, wwclient active (notify), runtime overlay applied, host name and network from the overlays', async () => {
    const t0 = Date.now();
    ensureWwclient();
    const debian = await ensureDebianRoot();
    const tRoot = Date.now();
    // the same root as an OCI archive, for `wwctl image import`: skopeo reads it
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${debian.ociArchive}`], { encoding: 'utf8' })) as { Layers: string[]; Os: string };
    expect(inspect.Os).toBe('linux');
    expect(inspect.Layers).toHaveLength(1);
    const image = await debianImageInitrd(debian);
    const srv = join(work, 'srv');
    mkdirSync(srv, { recursive: true });
    copyFileSync(debian.kernel.vmlinuz, join(srv, 'kernel.img'));
    symlinkSync(image, join(srv, 'image.img.gz'));

    const ns = Netns.create();
    try {
      const node = { id: 'n2', mac: '52:54:00:e2:e0:22', ip: `${ns.subnet}.22`, image: 'debian', init: '/sbin/init', root: 'tmpfs', tags: { e2e: 'v1' } };
      const tBoot = Date.now();
      const { server, vm } = await bootNode({
        ns, srv, work, node, overlay: 'e2e-debian', dhcpIp: `${ns.subnet}.52`,
        vm: { memMiB: 2048, timeoutS: 420, serialLog: serialLogPath('debian') },
      });
      await vm.waitFor(/E2E-DONE/, 400_000);
      const exit = await vm.done;
      const serial = vm.serial;
      console.log('phases (s since qemu start):', JSON.stringify(vm.phases({ ipxe: /iPXE initialising/, kernel: /kernel\.img\.\.\./, wwinit: /wwinit: Warewulf node init/, copied: /wwinit: running init.d\/10/, init: /wwinit: starting/, systemd: /E2E-SYSTEMD/, done: /E2E-DONE/ })));
      console.log(
        `debian e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s in all (root ready after ${((tRoot - t0) / 1000).toFixed(1)} s), ` +
          `${((Date.now() - tBoot) / 1000).toFixed(1)} s from qemu start to power-off`,
      );
      expect(exit.code, serial.slice(-3000)).toBe(0);
      expect(serial).toContain('wwinit: copying the image into the tmpfs root');
      expect(serial).toContain('wwinit: network left to systemd-networkd');
      expect(serial).toContain('wwinit: wwclient will be started by systemd');
      expect(serial).toMatch(/E2E-SYSTEMD running/);
      expect(serial).toMatch(/E2E-TARGET multi-user.target active/);
      expect(serial).toMatch(/E2E-WWCLIENT active notify pid=[1-9]\d*/);
      expect(serial).toMatch(/E2E-HOSTNAME n2/);
      expect(serial).toMatch(new RegExp(`E2E-NET \\S+ ${node.ip.replace(/\./g, '\\.')}/24`));
      expect(serial).toMatch(/E2E-ROOT tmpfs/);
      expect(serial).toMatch(/E2E-RUNTIME v1 for n2/);

      const runtime = requestsOf(server).filter((r) => r.path === `/runtime/${node.mac}`);
      expect(runtime.length).toBeGreaterThanOrEqual(1);
      expect(runtime[0]).toMatchObject({ status: 200, remoteAddress: node.ip });
      expect(runtime.every((r) => r.remotePort < 1024)).toBe(true);
    } finally {
      await ns.destroy();
    }
  }, 900_000);
});
