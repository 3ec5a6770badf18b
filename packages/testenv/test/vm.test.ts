/**
 * The VM harness itself: a namespace with a bridge and tap, dnsmasq giving
 * the iPXE boot URL and a pinned address, the boot fixture server running
 * inside the namespace, and qemu network-booting Debian's kernel with a
 * one-line busybox initrd. Also: teardown leaves no process and no namespace.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOT_SERVER_CLI, Netns, Vm, busyboxPath, ensureDebianKernel, inCI, isRoot, missingTools, packDir, type BootRequest } from '../src/index.js';

const needs = missingTools(['qemu-system-x86_64', 'dnsmasq', 'ip', 'busybox']);
const MAC = '52:54:00:e2:e0:01';
const UUID = '0e2e0000-1111-4222-8333-444455556666';
const ASSET = 'harness-asset';

const work = mkdtempSync(join(tmpdir(), 'vm-harness-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// CI installs every tool (scripts/debian-packages.txt): a missing one fails there instead of skipping
describe.skipIf(!isRoot || (needs.length > 0 && !inCI))(`VM harness: netns + dnsmasq + iPXE + qemu (root)${needs.length ? ` [missing: ${needs.join(', ')}]` : ''}`, () => {
  it('has its tools', () => expect(needs).toEqual([]));

  it('network-boots a minimal initrd from a server inside the namespace; DHCP pins the address; SMBIOS reaches iPXE and the guest', async () => {
    const kernel = ensureDebianKernel();
    const root = join(work, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(busyboxPath(), join(root, 'bin', 'busybox'));
    writeFileSync(
      join(root, 'init'),
      `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "HARNESS-OK asset=$(/bin/busybox cat /sys/class/dmi/id/chassis_asset_tag) uuid=$(/bin/busybox cat /sys/class/dmi/id/product_uuid)"
/bin/busybox poweroff -f
`,
    );
    chmodSync(join(root, 'init'), 0o755);
    const srv = join(work, 'srv');
    mkdirSync(join(srv, 'ipxe'), { recursive: true });
    copyFileSync(kernel.vmlinuz, join(srv, 'vmlinuz'));
    await packDir(root, join(srv, 'initrd.gz'));

    const ns = Netns.create();
    try {
      const port = 9873;
      const base = `http://${ns.serverIp}:${port}`;
      writeFileSync(join(srv, 'ipxe', MAC.replace(/:/g, '-')), `#!ipxe\nkernel ${base}/vmlinuz console=ttyS0 panic=-1 quiet\ninitrd ${base}/initrd.gz\nboot\n`);
      const server = ns.spawn(process.execPath, [BOOT_SERVER_CLI, '--dir', srv, '--host', ns.serverIp, '--port', String(port)], { name: 'boot server' });
      await server.waitFor(/"listening":9873/, 10_000);
      await ns.startDnsmasq({ bootUrl: `${base}/ipxe/\${mac:hexhyp}?assetkey=\${asset}&uuid=\${uuid}`, hosts: [{ mac: MAC, ip: `${ns.subnet}.50` }] });
      const tap = ns.addTap();
      const t0 = Date.now();
      const vm = new Vm({ netns: ns, tap, mac: MAC, uuid: UUID, asset: ASSET, timeoutS: 120, serialLog: join(work, 'serial.log') });
      await vm.waitFor(/HARNESS-OK asset=(\S+) uuid=(\S+)/, 110_000);
      const exit = await vm.done;
      console.log(`harness boot: ${((Date.now() - t0) / 1000).toFixed(1)} s to power-off`);
      expect(exit.code).toBe(0); // power-off with -no-reboot ends qemu cleanly, not by timeout (124)
      expect(vm.serial).toContain(`HARNESS-OK asset=${ASSET} uuid=${UUID}`);
      expect(vm.serial).toMatch(/iPXE/);

      const requests = server.output.split('\n').filter((l) => l.startsWith('{"time"')).map((l) => JSON.parse(l) as BootRequest);
      const script = requests.find((r) => r.path.startsWith('/ipxe/'));
      expect(script).toMatchObject({ path: `/ipxe/${MAC.replace(/:/g, '-')}`, status: 200, remoteAddress: `${ns.subnet}.50`, query: { assetkey: ASSET, uuid: UUID } });
      expect(requests.filter((r) => r.status === 200).map((r) => r.path)).toEqual([`/ipxe/${MAC.replace(/:/g, '-')}`, '/vmlinuz', '/initrd.gz']);
      expect(ns.leases().get(MAC)).toBe(`${ns.subnet}.50`);
    } finally {
      await ns.destroy();
    }
    expect(ns.exists()).toBe(false);
  }, 180_000);

  it('destroy() ends every process it started, even one that ignores SIGTERM, and deletes the namespace', async () => {
    const ns = Netns.create();
    expect(ns.exists()).toBe(true);
    const stubborn = ns.spawn('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done']);
    await stubborn.waitFor(/ready/, 5_000);
    const child = ns.spawn('sleep', ['1000']);
    await ns.destroy();
    expect((await stubborn.done).signal).toBe('SIGKILL');
    expect((await child.done).signal).toBe('SIGTERM');
    expect(ns.exists()).toBe(false);
  });

  it('takes a network wider than a /24 (the shipped warewulf.conf\'s 10.0.0.1/22): bridge address and netmask', async () => {
    const ns = Netns.create({ subnet: '10.0.0', prefix: 22 });
    try {
      expect(ns.serverIp).toBe('10.0.0.1');
      expect(ns.netmask).toBe('255.255.252.0');
      expect(ns.run('ip', ['-4', '-o', 'addr', 'show', 'dev', ns.bridge])).toContain('inet 10.0.0.1/22 ');
      // a node at 10.0.2.3 is on the link: no gateway needed
      expect(ns.run('ip', ['route', 'get', '10.0.2.3'])).toMatch(/^10\.0\.2\.3 dev br0 /);
    } finally {
      await ns.destroy();
    }
    expect(() => Netns.create({ prefix: 25 })).toThrow(/prefix 25/);
  });
});
