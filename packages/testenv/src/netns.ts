/**
 * A private network for boot tests (../shared/e2e §E): a network namespace
 * holding a bridge with the server's addresses, one tap device per VM,
 * dnsmasq for DHCP (the iPXE boot URL, pinned addresses) and IPv6 router
 * advertisements (without them iPXE waits ~14 s for a router: pitfall 9),
 * and any server process started inside it. Unlike qemu's user network,
 * the server sees each node's real address and source port. Nothing is
 * routed out of the namespace. Needs root.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Proc, pidAlive, type ProcOptions } from './proc.js';

export interface NetnsOptions {
  /** First three octets of the IPv4 network (default 192.168.200): the server is .1, DHCP hands out .100-.199. */
  subnet?: string;
  /** Prefix length of the network (default 24; 22 makes 10.0.0.1/22, the shipped warewulf.conf's). */
  prefix?: number;
}

export interface DhcpHost {
  mac: string;
  ip: string;
  hostname?: string;
}

export interface DnsmasqOptions {
  /** DHCP boot file: an iPXE script URL; `${mac:hexhyp}`, `${asset}`, `${uuid}` are expanded by iPXE. */
  bootUrl: string;
  /** Fixed addresses by MAC (`--dhcp-host`). */
  hosts?: DhcpHost[];
}

const PREFIX = 'wwt';
let counter = 0;
const open = new Set<Netns>();
let exitHookInstalled = false;

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Kill whatever still runs in a namespace, then delete it. */
function deleteNamespace(name: string): void {
  try {
    for (const pid of ip(['netns', 'pids', name]).split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  } catch {
    /* no such namespace */
  }
  try {
    ip(['netns', 'del', name]);
  } catch {
    /* already gone */
  }
}

/** Namespaces left by test processes that died without cleaning up (named wwt<pid>x<n>). */
function removeStale(): void {
  let list = '';
  try {
    list = ip(['netns', 'list']);
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const m = /^(wwt(\d+)x\d+)\b/.exec(line);
    if (m && !pidAlive(Number(m[2]))) deleteNamespace(m[1] as string);
  }
}

export class Netns {
  readonly name: string;
  readonly subnet: string;
  /** Prefix length of the IPv4 network. */
  readonly prefix: number;
  /** The server's IPv4 address on the bridge. */
  readonly serverIp: string;
  readonly serverIp6 = 'fd00:e2e::1';
  readonly bridge = 'br0';
  /** Scratch directory for dnsmasq's lease file and logs; removed with the namespace. */
  readonly workDir: string;
  private readonly procs: Proc[] = [];
  private taps = 0;
  private destroyed = false;

  private constructor(name: string, subnet: string, prefix: number) {
    this.name = name;
    this.subnet = subnet;
    this.prefix = prefix;
    this.serverIp = `${subnet}.1`;
    this.workDir = mkdtempSync(join(tmpdir(), `${name}-`));
  }

  /** Create the namespace with its bridge (server addresses on it) and loopback up. */
  static create(opts: NetnsOptions = {}): Netns {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const ns of open) ns.destroySync();
      });
    }
    removeStale();
    const prefix = opts.prefix ?? 24;
    if (!Number.isInteger(prefix) || prefix < 8 || prefix > 24) throw new Error(`prefix ${prefix}: use 8 to 24 (the server and DHCP pool are in the last octet)`);
    const ns = new Netns(`${PREFIX}${process.pid}x${counter++}`, opts.subnet ?? '192.168.200', prefix);
    open.add(ns);
    try {
      ip(['netns', 'add', ns.name]);
      const n = ['-n', ns.name];
      ip([...n, 'link', 'set', 'lo', 'up']);
      ip([...n, 'link', 'add', ns.bridge, 'type', 'bridge']);
      ip([...n, 'addr', 'add', `${ns.serverIp}/${prefix}`, 'dev', ns.bridge]);
      ip([...n, 'addr', 'add', `${ns.serverIp6}/64`, 'dev', ns.bridge, 'nodad']);
      ip([...n, 'link', 'set', ns.bridge, 'up']);
    } catch (err) {
      ns.destroySync();
      throw err;
    }
    return ns;
  }

  /** The network's IPv4 netmask (255.255.255.0 for /24). */
  get netmask(): string {
    const bits = (0xffffffff << (32 - this.prefix)) >>> 0;
    return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
  }

  /** A new tap device on the bridge, for one VM; returns its name. */
  addTap(): string {
    const tap = `tap${this.taps++}`;
    this.run('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    ip(['-n', this.name, 'link', 'set', tap, 'master', this.bridge]);
    ip(['-n', this.name, 'link', 'set', tap, 'up']);
    return tap;
  }

  /** Run a command inside the namespace to completion; returns stdout (throws on failure). */
  run(cmd: string, args: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Start a long-running process inside the namespace (its own process group; stopped by destroy). */
  spawn(cmd: string, args: readonly string[], opts: ProcOptions = {}): Proc {
    if (this.destroyed) throw new Error(`${this.name} is destroyed`);
    const p = new Proc('ip', ['netns', 'exec', this.name, cmd, ...args], { name: cmd, ...opts });
    this.procs.push(p);
    return p;
  }

  /** dnsmasq on the bridge: DHCP (boot URL, pinned hosts, pool .100-.199) and IPv6 RA. Resolves once it serves. */
  async startDnsmasq(opts: DnsmasqOptions): Promise<Proc> {
    if (opts.bootUrl.includes(',')) throw new Error('the boot URL must not contain a comma (dnsmasq option syntax)');
    const args = [
      '--keep-in-foreground',
      '--log-facility=-',
      '--log-dhcp',
      '--conf-file=/dev/null',
      '--port=0',
      `--interface=${this.bridge}`,
      '--bind-interfaces',
      '--pid-file=',
      `--dhcp-leasefile=${join(this.workDir, 'dnsmasq.leases')}`,
      `--dhcp-range=${this.subnet}.100,${this.subnet}.199,${this.netmask},10m`,
      `--dhcp-boot=${opts.bootUrl}`,
      '--enable-ra',
      `--dhcp-range=${this.serverIp6.replace(/1$/, '')},ra-only`,
      ...(opts.hosts ?? []).map((h) => `--dhcp-host=${h.mac},${h.ip}${h.hostname ? `,${h.hostname}` : ''}`),
    ];
    const p = this.spawn('dnsmasq', args, { name: 'dnsmasq' });
    await p.waitFor(/DHCP, IP range|started, version/, 10_000);
    return p;
  }

  /** The addresses dnsmasq has leased (from its lease file): MAC → IP. */
  leases(): Map<string, string> {
    const out = new Map<string, string>();
    const file = join(this.workDir, 'dnsmasq.leases');
    if (!existsSync(file)) return out;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [, mac, addr] = line.split(' ');
      if (mac && addr) out.set(mac.toLowerCase(), addr);
    }
    return out;
  }

  /** Stop every process started here (process groups), then delete the namespace and the scratch dir. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await Promise.all(this.procs.map((p) => p.stop(2000)));
    this.destroySync();
  }

  /** The same without waiting: for exit hooks. */
  destroySync(): void {
    this.destroyed = true;
    for (const p of this.procs) p.killNow('SIGKILL');
    deleteNamespace(this.name);
    rmSync(this.workDir, { recursive: true, force: true });
    open.delete(this);
  }

  /** Whether the namespace still exists (for tests of the teardown). */
  exists(): boolean {
    try {
      return ip(['netns', 'list']).split('\n').some((l) => l.split(' ')[0] === this.name);
    } catch {
      return false;
    }
  }
}
