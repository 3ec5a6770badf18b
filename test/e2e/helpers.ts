/**
 * Shared parts of the boot tests: a node on a namespace's network, its
 * overlays rendered with the stand-in template data, the fixture server in
 * the namespace, and reading that server's request log.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BOOT_SERVER_CLI, CACHE, Vm, bootWorld, packBootOverlays, repoOverlay, runtimePath,
  type BootRequest, type BootWorld, type Netns, type Proc, type VmOptions,
} from '@warewulf/testenv';

export const FIXTURES = resolve(import.meta.dirname, 'fixtures', 'overlays');
export const PORT = 9873;
export const UPDATE_INTERVAL = 2;

export interface BootNode {
  id: string;
  mac: string;
  ip: string;
  image: string;
  init: string;
  /** The node's root field (default initramfs). */
  root?: string;
  tags?: Record<string, string>;
}

/** Where a boot's serial console is kept for post-mortems (.cache/e2e-logs/, kept after the test). */
export function serialLogPath(name: string): string {
  const dir = join(CACHE, 'e2e-logs');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.serial.log`);
}

/** A nodes.conf holding one node on the namespace's network (static address, gateway = the server). */
export function nodesConfFor(ns: Netns, n: BootNode): string {
  const tags = Object.entries(n.tags ?? {}).map(([k, v]) => `      ${k}: ${v}\n`).join('');
  return `nodeprofiles:
  default: {}
nodes:
  ${n.id}:
    image name: ${n.image}
    root: ${n.root ?? 'initramfs'}
    init: ${n.init}
${tags ? `    tags:\n${tags}` : ''}    network devices:
      default:
        device: eth0
        hwaddr: ${n.mac}
        ipaddr: ${n.ip}
        netmask: 255.255.255.0
        gateway: ${ns.serverIp}
`;
}

/** The server's warewulf.conf in the namespace: secure, a short update interval. */
export function warewulfConfFor(ns: Netns): string {
  return `ipaddr: ${ns.serverIp}\nnetmask: 255.255.255.0\nwarewulf:\n  port: ${PORT}\n  secure: true\n  update interval: ${UPDATE_INTERVAL}\n`;
}

/** The server's view of the node (core's real template data), its sysconfdir under `work`. */
export function worldFor(ns: Netns, n: BootNode, work: string): BootWorld {
  return bootWorld({ confDir: join(work, 'etc', 'warewulf'), nodesConf: nodesConfFor(ns, n), warewulfConf: warewulfConfFor(ns) });
}

/** The system overlay (wwinit, wwclient, then `extra` overlay dirs) as srv/system.img.gz. */
export async function writeSystemOverlay(srv: string, world: BootWorld, id: string, extra: string[]): Promise<void> {
  await packBootOverlays([repoOverlay('wwinit'), repoOverlay('wwclient'), ...extra], world.data(id), world.env, join(srv, 'system.img.gz'));
}

/** The runtime overlay as the plain cpio wwclient fetches from /runtime/<wwid>. */
export async function writeRuntimeOverlay(srv: string, world: BootWorld, n: BootNode): Promise<void> {
  const gz = join(srv, 'runtime.img.gz');
  await packBootOverlays([join(FIXTURES, 'e2e-runtime')], world.data(n.id), world.env, gz);
  mkdirSync(join(srv, 'runtime'), { recursive: true });
  writeFileSync(`${runtimePath(srv, n.mac)}.tmp`, gunzipSync(readFileSync(gz)));
  // rename: the server never reads a half-written overlay
  renameSync(`${runtimePath(srv, n.mac)}.tmp`, runtimePath(srv, n.mac));
}

/** iPXE script in Warewulf's single-stage shape (§7.1): kernel, image, system overlay; the arguments on the boot line. */
export function writeIpxeScript(srv: string, ns: Netns, mac: string, args: string): void {
  const base = `http://${ns.serverIp}:${PORT}`;
  const params = 'assetkey=${asset}&uuid=${uuid}';
  mkdirSync(join(srv, 'ipxe'), { recursive: true });
  writeFileSync(
    join(srv, 'ipxe', mac.replace(/:/g, '-')),
    `#!ipxe
echo Warewulf-ts e2e: booting \${mac}
kernel --name kernel ${base}/kernel.img?${params} || goto fail
initrd --name image ${base}/image.img.gz?${params} || goto fail
initrd --name system ${base}/system.img.gz?${params} || goto fail
boot kernel initrd=image initrd=system wwid=\${mac} ${args}
:fail
echo E2E-IPXE-FAIL
sleep 5
poweroff
`,
  );
}

/** The fixture server (secure) inside the namespace, serving `srv`. */
export async function startServer(ns: Netns, srv: string): Promise<Proc> {
  const p = ns.spawn(process.execPath, [BOOT_SERVER_CLI, '--dir', srv, '--host', ns.serverIp, '--port', String(PORT), '--secure'], { name: 'boot server' });
  await p.waitFor(/"listening":9873/, 10_000);
  return p;
}

/** The requests the fixture server has logged so far. */
export function requestsOf(server: Proc): BootRequest[] {
  return server.output
    .split('\n')
    .filter((l) => l.startsWith('{"time"'))
    .map((l) => JSON.parse(l) as BootRequest);
}

export interface BootSetup {
  ns: Netns;
  /** The server's files (kernel.img and image.img.gz already there). */
  srv: string;
  /** Scratch space (the server's sysconfdir goes here). */
  work: string;
  node: BootNode;
  /** The test's fixture overlay, added to the system overlay after wwinit and wwclient. */
  overlay: string;
  /** The address dnsmasq gives iPXE (the node itself then uses its static `ip`). */
  dhcpIp: string;
  vm: Omit<VmOptions, 'netns' | 'tap' | 'mac'>;
}

/**
 * Everything a boot needs around the image: overlays rendered for the node, the iPXE script,
 * the secure fixture server and dnsmasq in the namespace, then qemu started.
 */
export async function bootNode(o: BootSetup): Promise<{ server: Proc; vm: Vm; world: BootWorld }> {
  const world = worldFor(o.ns, o.node, o.work);
  await writeSystemOverlay(o.srv, world, o.node.id, [join(FIXTURES, o.overlay)]);
  await writeRuntimeOverlay(o.srv, world, o.node);
  writeIpxeScript(o.srv, o.ns, o.node.mac, 'console=ttyS0 panic=-1 quiet');
  const server = await startServer(o.ns, o.srv);
  await o.ns.startDnsmasq({
    bootUrl: `http://${o.ns.serverIp}:${PORT}/ipxe/\${mac:hexhyp}?assetkey=\${asset}&uuid=\${uuid}`,
    hosts: [{ mac: o.node.mac, ip: o.dhcpIp }],
  });
  const vm = new Vm({ netns: o.ns, tap: o.ns.addTap(), mac: o.node.mac, ...o.vm });
  return { server, vm, world };
}
