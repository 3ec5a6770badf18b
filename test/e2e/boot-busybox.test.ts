/**
 * Busybox nodes boot from the real stack (issue 11's first acceptance
 * items): a fresh WAREWULF_ROOT; `wwctl image import` of an OCI archive made
 * from Debian packages (busybox-static, Debian's kernel, NIC modules) and
 * `wwctl image build`; nodes made with `wwctl node add` on the shipped
 * default profile; a secure warewulf.conf; the real warewulfd inside a
 * network namespace; dnsmasq's boot file the daemon's iPXE URL; Debian's
 * iPXE ROM in qemu on a tap device, so the daemon sees each node's own
 * address and source port. The second test boots a node from a nodes.conf
 * written in 4.3's vocabulary to the same result.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Netns, debianBusyboxImage, inCI, isRoot, missingTools } from '@warewulf/testenv';
import {
  UPDATE_INTERVAL, addNode, expectBusyboxBoot, importImage, phases, serialLogPath, startDhcp, startVm, statusOf, testCluster, type E2eNode,
} from './helpers.js';

const needs = missingTools(['qemu-system-x86_64', 'dnsmasq', 'ip', 'curl']);
/** What every busybox test node gets on top of the default profile. */
const BUSYBOX_NODE = ['--image', 'busybox', '--init', '/sbin/e2e-init', '--kernelargs', 'console=ttyS0 panic=-1', '--system-overlays', 'e2e-busybox', '--runtime-overlays', 'e2e-runtime'];
const secs = (ms: number) => (ms / 1000).toFixed(1);

describe.skipIf(!isRoot || (needs.length > 0 && !inCI))(`e2e: busybox nodes boot from warewulfd (root, qemu TCG, ~1-2 min each)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  it('has its tools', () => expect(needs).toEqual([]));

  it('boots from the real stack; a runtime overlay change is applied within two intervals, an unchanged poll costs a 304; a wrong asset key gets no image; an unprivileged runtime request is refused', async () => {
    const t0 = Date.now();
    const image = await debianBusyboxImage();
    const ns = Netns.create();
    const c = testCluster(ns);
    try {
      await importImage(c, image.ociArchive, 'busybox');
      const n1: E2eNode = { id: 'n1', mac: '52:54:00:e2:e0:11', ip: `${ns.subnet}.11`, asset: 'rack7', uuid: '0e2e0000-0000-4000-8000-000000000011' };
      const n2: E2eNode = { id: 'n2', mac: '52:54:00:e2:e0:12', ip: `${ns.subnet}.12`, asset: 'stolen', assetKey: 'rack9' };
      await addNode(c, n1, [...BUSYBOX_NODE, '--tagadd', 'e2e=v1,e2e_change=v2']);
      await addNode(c, n2, BUSYBOX_NODE);
      await c.startDaemon();
      await startDhcp(c, [n1, n2]);
      const tReady = Date.now();
      const vm = startVm(c, n1, { timeoutS: 300, serialLog: serialLogPath('busybox') });
      const vm2 = startVm(c, n2, { timeoutS: 200, serialLog: serialLogPath('busybox-wrong-key') });

      // n2: its iPXE script request is refused, so it never learns where its image is
      await c.daemon.waitFor(/incorrect asset key for node n2/, 180_000);
      await vm2.waitFor(/Permission denied/, 30_000);
      await vm2.stop();

      await vm.waitFor(/E2E-RUNTIME /, 240_000);
      const status = await statusOf(c, 'n1');
      expect(status, c.daemon.tail()).toMatchObject({ stage: 'runtime', ipaddr: n1.ip, state: 'ok' });
      expect(status?.sent).toMatch(/^__RUNTIME__\.img/);

      // an unchanged poll is answered 304 before the overlay changes on the server
      const t304 = Date.now();
      while ((await c.metric('warewulfd_requests_total', { stage: 'runtime', code: '304' })) === 0) {
        if (Date.now() - t304 > 6 * UPDATE_INTERVAL * 1000) throw new Error(`no 304 seen:\n${c.daemon.tail()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      // the admin replaces a runtime overlay file; wwctl rebuilds the stale images (autobuild overlays)
      const template = join(c.root, 'e2e-runtime.ww');
      writeFileSync(template, '{{ .Tags.e2e_change }} for {{ .Id }}\n');
      await c.wwctlOk('overlay', 'import', '--overwrite', 'e2e-runtime', template, '/etc/e2e-runtime.ww');
      // from the moment the new image is on the server (its mtime: the rebuild renames it into place)
      const tChange = statSync(join(c.root, 'var', 'lib', 'warewulf', 'provision', 'overlays', 'n1', '__RUNTIME__.img.gz')).mtimeMs;
      await vm.waitFor(/E2E-RUNTIME2 v2 for n1/, 60_000);
      const applyMs = Math.round(Date.now() - tChange);
      await vm.waitFor(/E2E-DONE/, 60_000);
      const exit = await vm.done;
      const serial = vm.serial;
      console.log(`busybox e2e: phases (s since qemu start) ${phases(vm)}`);
      console.log(`busybox e2e: ${secs(Date.now() - t0)} s in all, ${secs(tReady - t0)} s to import, build and start, change applied after ${applyMs} ms`);

      expect(exit.code, serial.slice(-3000)).toBe(0);
      expectBusyboxBoot(c, n1, serial, 'busybox');
      // wwclient polls every interval (+-10% jitter): the change is there by the second poll at the latest
      expect(applyMs).toBeLessThan(2 * UPDATE_INTERVAL * 1100 + 1500);
      expect(await c.metric('warewulfd_requests_total', { stage: 'runtime', code: '200' })).toBeGreaterThanOrEqual(3); // first, change, --once
      const poll = c.logs().find((l) => l['hwaddr'] === n1.mac && l['stage'] === 'runtime' && Number(String(l['ipaddr']).split(':').pop()) < 1024);
      expect(poll).toBeDefined();
      expect(vm2.serial).toMatch(/\/ipxe\/52-54-00-e2-e0-12\S*\.\.\. Permission/);

      // the wrong asset key: no image, whatever it asks for; the right one: the image
      expect(c.requestsOf(n2.mac).map((r) => r.stage)).toEqual(['ipxe']);
      expect(await statusOf(c, 'n2')).toMatchObject({ stage: 'ipxe', sent: 'BAD_ASSET' });
      expect((await c.http(`/image/${n2.mac}?assetkey=stolen&compress=gz`, { discard: true })).status).toBe(401);
      expect((await c.http(`/image/${n2.mac}?assetkey=rack9&compress=gz`, { discard: true })).status).toBe(200);
      // secure: the runtime overlay only to a privileged source port
      expect((await c.http(`/runtime/${n1.mac}?assetkey=rack7`, { discard: true })).status).toBe(401);
      expect((await c.http(`/runtime/${n1.mac}?assetkey=rack7`, { discard: true, localPort: 1001 })).status).toBe(200);
      expect(await c.metric('warewulfd_refusals_total', { reason: 'bad_asset_key' })).toBeGreaterThanOrEqual(2);
      expect(await c.metric('warewulfd_refusals_total', { reason: 'insecure_port' })).toBeGreaterThanOrEqual(2);
    } finally {
      await c.destroy();
      await ns.destroy();
    }
  }, 600_000);

  it("a nodes.conf in 4.3's vocabulary (container name, kernel args string, system overlay wwinit, runtime overlay generic, netdev default) boots to the same result", async () => {
    const t0 = Date.now();
    const image = await debianBusyboxImage();
    const ns = Netns.create();
    const n3: E2eNode = { id: 'n3', mac: '52:54:00:e2:e0:13', ip: `${ns.subnet}.13`, asset: 'rack3' };
    const c = testCluster(ns, `WW_INTERNAL: 43
nodeprofiles:
  default:
    comment: This profile is automatically included for each node
    kernel args: quiet crashkernel=no net.ifnames=1
    system overlay: wwinit
    runtime overlay: generic
nodes:
  n3:
    container name: busybox
    init: /sbin/e2e-init
    asset key: ${n3.asset}
    kernel args: console=ttyS0 panic=-1
    system overlay: wwinit,e2e-busybox
    runtime overlay: generic,e2e-runtime
    keys:
      e2e: v1
    profiles:
      - default
    network devices:
      default:
        device: eth0
        hwaddr: ${n3.mac}
        ipaddr: ${n3.ip}
        netmask: 255.255.255.0
        gateway: ${ns.serverIp}
        default: true
`);
    try {
      await importImage(c, image.ociArchive, 'busybox');
      await c.startDaemon();
      await startDhcp(c, [n3]);
      const vm = startVm(c, n3, { timeoutS: 300, serialLog: serialLogPath('busybox-seed-era') });
      await vm.waitFor(/E2E-RUNTIME /, 240_000);
      expect(await statusOf(c, 'n3')).toMatchObject({ stage: 'runtime', ipaddr: n3.ip, state: 'ok' });
      await vm.waitFor(/E2E-DONE/, 60_000);
      const exit = await vm.done;
      console.log(`busybox seed-era e2e: phases ${phases(vm)}; ${secs(Date.now() - t0)} s in all`);
      expect(exit.code, vm.serial.slice(-3000)).toBe(0);
      expectBusyboxBoot(c, n3, vm.serial, 'busybox');
    } finally {
      await c.destroy();
      await ns.destroy();
    }
  }, 600_000);
});
