/**
 * LONG (about 3 minutes with a warm cache; a cold one adds about 3 minutes
 * of debootstrap): a real distribution boots from the real stack. A Debian
 * minbase root (systemd, udev, kmod, iproute2, Debian's kernel), packed as an
 * OCI archive, is imported with `wwctl image import` and built; the node is
 * made with `wwctl node add` on the shipped default profile plus the
 * systemd.networkd overlay, its root field tmpfs, so wwinit copies the image
 * into a new tmpfs and switch_roots before systemd starts. systemd reaches
 * multi-user.target with wwclient running as a Type=notify unit that fetched
 * the runtime overlay from a privileged port; the host name and the network
 * come from our overlays (hostname, systemd.netname, systemd.networkd).
 */
import { describe, expect, it } from 'vitest';
import { Netns, ensureDebianRoot, inCI, isRoot, missingTools } from '@warewulf/testenv';
import { addNode, importImage, serialLogPath, startDhcp, startVm, statusOf, testCluster, type E2eNode } from './helpers.js';

const needs = missingTools(['qemu-system-x86_64', 'dnsmasq', 'ip', 'debootstrap', 'curl']);
const secs = (ms: number) => (ms / 1000).toFixed(1);

describe.skipIf(!isRoot || (needs.length > 0 && !inCI))(`e2e LONG: a Debian image boots from warewulfd to multi-user.target with wwclient as a systemd unit (root, qemu, debootstrap)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  it('has its tools', () => expect(needs).toEqual([]));

  it('boots Debian from a tmpfs root: systemd at multi-user.target, wwclient active (notify) with the runtime overlay, host name and network from the overlays', async () => {
    const t0 = Date.now();
    const debian = await ensureDebianRoot();
    const tRoot = Date.now();
    const ns = Netns.create();
    const c = testCluster(ns);
    try {
      await importImage(c, debian.ociArchive, 'debian');
      const tImage = Date.now();
      const n: E2eNode = { id: 'n4', mac: '52:54:00:e2:e0:14', ip: `${ns.subnet}.14` };
      await addNode(c, n, [
        '--image', 'debian', '--root', 'tmpfs', '--kernelargs', 'console=ttyS0 panic=-1',
        '--system-overlays', 'systemd.networkd,e2e-debian', '--runtime-overlays', 'e2e-runtime', '--tagadd', 'e2e=v1',
      ]);
      await c.startDaemon();
      await startDhcp(c, [n]);
      const tBoot = Date.now();
      const vm = startVm(c, n, { memMiB: 2048, timeoutS: 600, serialLog: serialLogPath('debian') });
      await vm.waitFor(/E2E-DONE/, 590_000);
      const status = await statusOf(c, n.id);
      const exit = await vm.done;
      const serial = vm.serial;
      console.log('debian e2e: phases (s since qemu start):', JSON.stringify(vm.phases({
        ipxe: /iPXE initialising/, kernel: /\/kernel\/.*ok/, image: /\/image\/.*ok/, wwinit: /wwinit: Warewulf node init/,
        copied: /wwinit: running init.d\/10/, init: /wwinit: starting/, systemd: /E2E-SYSTEMD/, done: /E2E-DONE/,
      })));
      console.log(
        `debian e2e: ${secs(Date.now() - t0)} s in all: root ready ${secs(tRoot - t0)} s, import + build ${secs(tImage - tRoot)} s, ` +
          `qemu start to power-off ${secs(Date.now() - tBoot)} s`,
      );
      expect(exit.code, serial.slice(-3000)).toBe(0);
      expect(serial).toContain('wwinit: copying the image into the tmpfs root');
      expect(serial).toContain('wwinit: network left to systemd-networkd');
      expect(serial).toContain('wwinit: wwclient will be started by systemd');
      expect(serial).toMatch(/E2E-TARGET multi-user.target active/);
      // the only unit allowed to fail: the default profile's NFS /home (no NFS server in the namespace)
      const failed = [...serial.matchAll(/E2E-FAILED \S*\s*(\S+)/g)].map((m) => m[1]);
      expect(failed.filter((u) => u !== 'home.mount'), serial.slice(-3000)).toEqual([]);
      expect(serial).toMatch(/E2E-SYSTEMD (running|degraded)/);
      expect(serial).toMatch(/E2E-WWCLIENT active notify pid=[1-9]\d*/);
      expect(serial).toMatch(new RegExp(`E2E-HOSTNAME ${n.id} file=${n.id}\\r?\\n`));
      expect(serial).toMatch(/E2E-NETWORKD-FILES .*10-ww4-netname-default\.link.*10-ww4-networkd-default\.network/);
      expect(serial).toMatch(/E2E-NETWORKD eth0 ADMIN_STATE=configured NETWORK_FILE=\/etc\/systemd\/network\/10-ww4-networkd-default\.network/);
      expect(serial).toMatch(new RegExp(`E2E-NET eth0 ${n.ip.replace(/\./g, '\\.')}/24`));
      expect(serial).toMatch(/E2E-ROOT tmpfs/);
      expect(serial).toMatch(new RegExp(`E2E-RUNTIME v1 for ${n.id}`));

      expect(c.requestsOf(n.mac).filter((r) => r.stage !== 'runtime').map((r) => r.stage)).toEqual(['ipxe', 'kernel', 'image', 'system']);
      const runtime = c.requestsOf(n.mac).filter((r) => r.stage === 'runtime' && r.address === n.ip && r.port < 1024);
      expect(runtime.length).toBeGreaterThanOrEqual(1);
      expect(status).toMatchObject({ stage: 'runtime', ipaddr: n.ip });
    } finally {
      await c.destroy();
      await ns.destroy();
    }
  }, 900_000);
});
