/**
 * A busybox node boots with our wwinit: qemu + Debian's iPXE ROM on a tap
 * in a network namespace, DHCP from dnsmasq, kernel + busybox image + our
 * rendered wwinit/wwclient system overlay from a secure server inside the
 * namespace. /init reads the config, sets the host name, brings the network
 * up with the fallback script (busybox has no network manager), runs the
 * node's init; wwclient (started by 80-wwclient) fetches the runtime overlay
 * from a privileged port, gets 304s while it is unchanged, applies a change
 * within two update intervals; `wwclient --once` works too.
 * The server is the fixture until the lead wires warewulfd in.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, buildBusyboxImage, ensureDebianKernel, ensureWwclient, inCI, isRoot, missingTools, packDir } from '@warewulf/testenv';
import { UPDATE_INTERVAL, bootNode, requestsOf, serialLogPath, worldFor, writeRuntimeOverlay } from './helpers.js';

const UUID = '0e2e0000-0000-4000-8000-000000000011';
const needs = missingTools(['qemu-system-x86_64', 'dnsmasq', 'ip']);
const work = mkdtempSync(join(tmpdir(), 'e2e-busybox-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!isRoot || (needs.length > 0 && !inCI))(`e2e: busybox node boots with wwinit and wwclient (root, qemu, ~30-60 s)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  it('has its tools', () => expect(needs).toEqual([]));

  it('boots: config read, host name set, network up, runtime overlay fetched from a privileged port, 304 while unchanged, a change applied', async () => {
    const t0 = Date.now();
    ensureWwclient();
    const kernel = ensureDebianKernel();
    const image = join(work, 'image');
    buildBusyboxImage(image, kernel);
    const srv = join(work, 'srv');
    mkdirSync(srv, { recursive: true });
    copyFileSync(kernel.vmlinuz, join(srv, 'kernel.img'));
    await packDir(image, join(srv, 'image.img.gz'));

    const ns = Netns.create();
    try {
      const node = { id: 'n1', mac: '52:54:00:e2:e0:11', ip: `${ns.subnet}.11`, image: 'busybox', init: '/sbin/e2e-init', tags: { e2e: 'v1' } };
      const { server, vm } = await bootNode({
        ns, srv, work, node, overlay: 'e2e-busybox', dhcpIp: `${ns.subnet}.51`,
        vm: { uuid: UUID, asset: 'rack 7', timeoutS: 150, serialLog: serialLogPath('busybox') },
      });
      const tBoot = Date.now();

      await vm.waitFor(/E2E-INIT/, 120_000);
      const [, runtime] = await vm.waitFor(/E2E-RUNTIME (.*)\r?\n/, 60_000);
      if (runtime !== 'v1 for n1') await vm.done;
      expect(runtime, `serial:\n${vm.serial.slice(-3000)}\nserver:\n${server.tail(2000)}`).toBe('v1 for n1');
      // wait for an unchanged poll (304) before changing the overlay on the server
      const t304 = Date.now();
      while (!requestsOf(server).some((r) => r.path === `/runtime/${node.mac}` && r.status === 304)) {
        if (Date.now() - t304 > 4 * UPDATE_INTERVAL * 1000) throw new Error(`no 304 seen:\n${server.tail()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const tChange = Date.now();
      await writeRuntimeOverlay(srv, worldFor(ns, { ...node, tags: { e2e: 'v2' } }, join(work, 'v2')), node);
      const [, runtime2] = await vm.waitFor(/E2E-RUNTIME2 (.*) after/, 30_000);
      const applyMs = Date.now() - tChange;
      expect(runtime2).toBe('v2 for n1');
      await vm.waitFor(/E2E-DONE/, 30_000);
      const exit = await vm.done;
      const serial = vm.serial;
      console.log('phases (s since qemu start):', JSON.stringify(vm.phases({ ipxe: /iPXE initialising/, kernel: /kernel\.img\.\.\./, wwinit: /wwinit: Warewulf node init/, copied: /wwinit: running init.d\/10/, init: /wwinit: starting/, nodeinit: /E2E-INIT/, done: /E2E-DONE/ })));
      console.log(`busybox e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s in all, ${((Date.now() - tBoot) / 1000).toFixed(1)} s from qemu start to power-off; change applied after ${applyMs} ms`);

      expect(exit.code, serial.slice(-3000)).toBe(0);
      // wwinit: config sourced, host name, fallback network on the node's device name with its address
      expect(serial).toContain('wwinit: node n1, image busybox, root initramfs');
      expect(serial).toMatch(/E2E-INIT pid=1 hostname=n1 image=busybox root=initramfs/);
      expect(serial).toContain(`E2E-CONFIG 13 WWIPADDR=${ns.serverIp}`);
      expect(serial).toContain(`wwinit: network default: eth0 ${node.ip}/24 via ${ns.serverIp}`);
      expect(serial).toContain(`E2E-NET eth0 ${node.mac} ${node.ip}/24`);
      expect(serial).toContain('wwinit: wwclient started');
      expect(serial).toContain('E2E-ONCE-OK');
      // within two update intervals (the poll interval has +-10% jitter), plus the guest's 1 s check
      expect(applyMs).toBeLessThan(2 * UPDATE_INTERVAL * 1100 + 1500);

      const reqs = requestsOf(server);
      const boot = reqs.filter((r) => !r.path.startsWith('/runtime/'));
      expect(boot.map((r) => [r.path, r.status])).toEqual([
        [`/ipxe/${node.mac.replace(/:/g, '-')}`, 200],
        ['/kernel.img', 200],
        ['/image.img.gz', 200],
        ['/system.img.gz', 200],
      ]);
      expect(new Set(boot.map((r) => r.remoteAddress))).toEqual(new Set([`${ns.subnet}.51`])); // iPXE: the DHCP address
      expect(boot[0]?.query).toEqual({ assetkey: 'rack 7', uuid: UUID }); // iPXE's ${asset} and ${uuid}
      const runtimeReqs = reqs.filter((r) => r.path === `/runtime/${node.mac}`);
      expect(runtimeReqs.length).toBeGreaterThanOrEqual(4); // first, 304(s), the change, --once
      for (const r of runtimeReqs) {
        expect(r.remoteAddress).toBe(node.ip); // the node's own (static) address
        expect(r.remotePort).toBeLessThan(1024);
        expect(r.query).toEqual({ assetkey: 'rack_7', uuid: UUID }); // SMBIOS, as the node sees it
        expect([200, 304]).toContain(r.status);
      }
      expect(runtimeReqs.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3);
      expect(runtimeReqs.find((r) => r.status === 304)?.ifNoneMatch).toMatch(/^".+"$/);
    } finally {
      await ns.destroy();
    }
  }, 300_000);
});
