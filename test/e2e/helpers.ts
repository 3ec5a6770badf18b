/**
 * Shared parts of the boot tests on the real stack: a head node (Cluster:
 * its own WAREWULF_ROOT, the real wwctl and warewulfd) in a network
 * namespace with dnsmasq, nodes made with `wwctl node add` on the shipped
 * default profile, VMs network-booted by Debian's iPXE, and the checks
 * every booted busybox node must pass whichever nodes.conf vocabulary made it.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { CACHE, Cluster, Vm, type Netns, type StatusRow, type VmOptions } from '@warewulf/testenv';

export const FIXTURES = resolve(import.meta.dirname, 'fixtures', 'overlays');
/** warewulf.conf `update interval` of the test clusters, seconds (wwclient polls this often). */
export const UPDATE_INTERVAL = 2;

export interface E2eNode {
  id: string;
  mac: string;
  /** The node's address (DHCP pins iPXE to it too, as a site's dhcpd would). */
  ip: string;
  /** SMBIOS chassis asset tag of the VM (iPXE `${asset}`); the node's asset key when `assetKey` is not given. */
  asset?: string;
  /** The node's `asset key` field, when it differs from what the VM carries. */
  assetKey?: string;
  uuid?: string;
}

/** Where a boot's serial console is kept for post-mortems (.cache/e2e-logs/, kept after the test). */
export function serialLogPath(name: string): string {
  const dir = join(CACHE, 'e2e-logs');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.serial.log`);
}

/** A head node in `ns` with the test fixture overlays installed as site overlays. */
export function testCluster(ns: Netns, nodesConf?: string): Cluster {
  const siteOverlays = Object.fromEntries(['e2e-busybox', 'e2e-debian', 'e2e-runtime'].map((n) => [n, join(FIXTURES, n)]));
  return Cluster.create({ ns, updateInterval: UPDATE_INTERVAL, siteOverlays, ...(nodesConf !== undefined ? { nodesConf } : {}) });
}

/** `wwctl image import` of an OCI archive, then `wwctl image build`. */
export async function importImage(c: Cluster, ociArchive: string, name: string): Promise<void> {
  await c.wwctlOk('image', 'import', `oci-archive:${ociArchive}:latest`, name);
  await c.wwctlOk('image', 'build', name);
}

/**
 * `wwctl node add` as an admin does it: the shipped default profile (its overlay lists and kernel
 * arguments), the node's network device on the namespace's subnet, and the given extra flags (added
 * to the profile's lists: `--system-overlays x` appends x).
 */
export async function addNode(c: Cluster, n: E2eNode, extra: string[]): Promise<void> {
  const key = n.assetKey ?? n.asset;
  await c.wwctlOk(
    'node', 'add', n.id, '--netdev', 'eth0', '--hwaddr', n.mac, '--ipaddr', n.ip, '--netmask', c.ns.netmask, '--gateway', c.ns.serverIp,
    ...(key ? ['--asset', key] : []), ...extra,
  );
}

/** dnsmasq for the nodes (each pinned to its address; the boot file is the daemon's iPXE URL), started once per namespace. */
export async function startDhcp(c: Cluster, nodes: readonly E2eNode[]): Promise<void> {
  await c.ns.startDnsmasq({ bootUrl: c.bootUrl(), hosts: nodes.map((n) => ({ mac: n.mac, ip: n.ip })) });
}

/** A VM for the node on a new tap of the namespace, network-booting. */
export function startVm(c: Cluster, n: E2eNode, o: Omit<VmOptions, 'netns' | 'tap' | 'mac'>): Vm {
  return new Vm({ netns: c.ns, tap: c.ns.addTap(), mac: n.mac, ...(n.uuid ? { uuid: n.uuid } : {}), ...(n.asset ? { asset: n.asset } : {}), ...o });
}

/** The node's row of `wwctl node status --json` (run inside the namespace, from the daemon's /status). */
export async function statusOf(c: Cluster, id: string): Promise<StatusRow | undefined> {
  return (await c.nodeStatus(id)).find((r) => r.name === id);
}

/** Phases of a boot, seconds since qemu started, for the test's log line. */
export function phases(vm: Vm): string {
  return JSON.stringify(vm.phases({
    ipxe: /iPXE initialising/, script: /Warewulf provisioning/, kernel: /\/kernel\/.*ok/, image: /\/image\/.*ok/, wwinit: /wwinit: Warewulf node init/,
    init: /wwinit: starting/, runtime: /E2E-RUNTIME /, done: /E2E-DONE/,
  }));
}

/**
 * What every busybox node booted from the real stack shows, whatever made its nodes.conf: the daemon
 * served the iPXE script, kernel, image and system overlay to the node's address; iPXE's own runtime
 * request (an unprivileged port) was refused in secure mode; wwinit read the config, set the host name
 * and brought the network up; /etc/hostname, the ifupdown and systemd.netname files and the seed's
 * /etc/issue are in place; wwclient fetched the runtime overlay from a privileged port; `--once` works.
 */
export function expectBusyboxBoot(c: Cluster, n: E2eNode, serial: string, image: string): void {
  const ctx = `serial:\n${serial.slice(-4000)}\ndaemon:\n${c.daemon.tail(3000)}`;
  expect(serial, ctx).toContain('E2E-DONE');
  // iPXE, with the shipped default.ipxe rendered for the node
  expect(serial).toContain(`Warewulf provisioning: ${n.id}`);
  expect(serial).toMatch(/\/runtime\/\S+\.\.\. Permission/); // iPXE wraps at 80 columns
  expect(serial).toContain('Unable to download runtime overlay. (ignored)');
  // wwinit
  expect(serial).toContain(`wwinit: node ${n.id}, image ${image}, root initramfs`);
  expect(serial).toContain(`wwinit: hostname ${n.id}`);
  expect(serial).toContain(`wwinit: network default: eth0 ${n.ip}/24 via ${c.ns.serverIp}`);
  expect(serial).toContain('wwinit: wwclient started');
  expect(serial).toContain('wwinit: starting /sbin/e2e-init');
  expect(serial).toContain(`E2E-INIT pid=1 hostname=${n.id} image=${image} root=initramfs`);
  expect(serial).toContain(`WWIPADDR=${c.ns.serverIp}`);
  // the overlays' files
  expect(serial).toMatch(new RegExp(`E2E-HOSTNAME-FILE ${n.id}\\r?\\n`));
  expect(serial).toContain(`E2E-NET eth0 ${n.mac} ${n.ip}/24`);
  expect(serial).toContain(`E2E-IFUPDOWN iface eth0 inet static address ${n.ip}/24 gateway ${c.ns.serverIp}`);
  expect(serial).toContain(`E2E-NETNAME MACAddress=${n.mac} Name=eth0`);
  const issue = /E2E-ISSUE-BEGIN\r?\n([\s\S]*?)E2E-ISSUE-END/.exec(serial)?.[1] ?? '';
  expect(issue).toMatch(new RegExp(`^Warewulf Node: +${n.id}\\r?$`, 'm'));
  expect(issue).toMatch(new RegExp(`^Container: +${image}\\r?$`, 'm'));
  expect(issue).toMatch(/^Kernel: +\d+\.\d+/m);
  expect(issue).toContain(`default: ${n.ip}/24`);
  // wwclient
  expect(serial).toContain(`E2E-RUNTIME v1 for ${n.id}`);
  expect(serial).toMatch(new RegExp(`E2E-HOSTS ${n.ip.replace(/\./g, '\\.')} +${n.id} +${n.id}-default`)); // hosts (today) or generic (4.3)
  expect(serial).toContain('E2E-ONCE-OK');

  const reqs = c.requestsOf(n.mac);
  const boot = reqs.filter((r) => r.stage !== 'runtime');
  expect(boot.map((r) => r.stage), ctx).toEqual(['ipxe', 'kernel', 'image', 'system']);
  for (const r of boot) expect(r.address).toBe(n.ip);
  const runtime = reqs.filter((r) => r.stage === 'runtime');
  // iPXE's try (refused), then wwclient: the first fetch, the polls, --once
  expect(runtime[0]?.port).toBeGreaterThanOrEqual(1024);
  const fromWwclient = runtime.slice(1);
  expect(fromWwclient.length).toBeGreaterThanOrEqual(2);
  for (const r of fromWwclient) {
    expect(r.address).toBe(n.ip);
    expect(r.port).toBeLessThan(1024);
  }
  const denied = c.logs().filter((l) => String(l.msg).startsWith('DENIED : Non-privileged port:'));
  expect(denied.map((l) => l.msg)).toContain(`DENIED : Non-privileged port: ${n.ip}:${runtime[0]?.port}`);
}
