/**
 * A Warewulf head node on the real stack inside a network namespace, for
 * the boot tests and the demo (../shared/e2e §E): its own WAREWULF_ROOT
 * seeded with the shipped etc/warewulf (nodes.conf with the default
 * profile, the iPXE templates), a warewulf.conf whose `ipaddr` is the
 * namespace's server address, the real `wwctl` binary for every admin step
 * and the real `warewulfd` binary listening on the namespace's bridge, so
 * that the daemon sees each node's own address and source port. Nothing in
 * here imports vitest: the demo uses it too.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from './netns.js';
import { REPO, WAREWULFD_BIN, WWCTL_BIN } from './paths.js';
import type { Proc } from './proc.js';

export interface ClusterOptions {
  ns: Netns;
  /** The daemon's port (default 9873, upstream's). */
  port?: number;
  /** warewulf.conf `secure` (default true): runtime overlays only to privileged source ports. */
  secure?: boolean;
  /** warewulf.conf `update interval`, seconds (default 2: wwclient's poll period). */
  updateInterval?: number;
  /** WAREWULF_ROOT (created); default a fresh temporary directory, removed by `destroy()`. */
  root?: string;
  /** nodes.conf text to start from instead of the shipped one (e.g. one in 4.3's vocabulary). */
  nodesConf?: string;
  /** Site overlays copied into the root's overlay directory: name → a directory holding `rootfs/`. */
  siteOverlays?: Record<string, string>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `warewulfd` JSON log line (pino): level, msg and the fields the daemon adds. */
export interface DaemonLogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A row of `wwctl node status --json` (core's NodeStatusRow). */
export interface StatusRow {
  name: string;
  stage: string;
  sent: string;
  ipaddr: string;
  lastSeen: number;
  ago?: number;
  state: 'ok' | 'late' | 'lost' | 'unseen';
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export class Cluster {
  readonly ns: Netns;
  readonly root: string;
  readonly port: number;
  /** Environment of every wwctl and warewulfd run: WAREWULF_ROOT, PATH, TZ=UTC. */
  readonly env: NodeJS.ProcessEnv;
  /** `http://<server>:<port>`, reachable inside the namespace only. */
  readonly url: string;
  private daemonProc: Proc | undefined;
  private readonly ownRoot: boolean;

  private constructor(o: Pick<ClusterOptions, 'ns' | 'port'>, root: string, ownRoot: boolean) {
    this.ns = o.ns;
    this.root = root;
    this.ownRoot = ownRoot;
    this.port = o.port ?? 9873;
    this.env = { PATH: process.env.PATH, WAREWULF_ROOT: root, TZ: 'UTC' };
    this.url = `http://${o.ns.serverIp}:${this.port}`;
  }

  /**
   * A head node whose WAREWULF_ROOT is already laid out (the demo's state directory): nothing is
   * written, and `destroy()` leaves the root alone.
   */
  static open(o: Pick<ClusterOptions, 'ns' | 'port'> & { root: string }): Cluster {
    return new Cluster(o, o.root, false);
  }

  /**
   * Lay out the head node's files: the shipped etc/warewulf (or `nodesConf`), a warewulf.conf for the
   * namespace (ipaddr = its server address, `secure`, the update interval, autobuild on), the server's
   * resolv.conf (image import copies it into images) and the site overlays. Synchronous; no daemon yet.
   */
  static create(o: ClusterOptions): Cluster {
    const root = o.root ?? mkdtempSync(join(tmpdir(), 'ww-cluster-'));
    const c = new Cluster(o, root, o.root === undefined);
    const etc = join(root, 'etc', 'warewulf');
    mkdirSync(etc, { recursive: true });
    cpSync(join(REPO, 'etc', 'warewulf'), etc, { recursive: true });
    if (o.nodesConf !== undefined) writeFileSync(join(etc, 'nodes.conf'), o.nodesConf, { mode: 0o600 });
    writeFileSync(join(etc, 'warewulf.conf'), c.warewulfConf(o.secure ?? true, o.updateInterval ?? 2));
    if (existsSync('/etc/resolv.conf')) cpSync('/etc/resolv.conf', join(root, 'etc', 'resolv.conf'), { dereference: true });
    for (const [name, dir] of Object.entries(o.siteOverlays ?? {})) c.installOverlay(name, dir);
    return c;
  }

  private warewulfConf(secure: boolean, updateInterval: number): string {
    return [
      `ipaddr: ${this.ns.serverIp}`,
      `netmask: ${this.ns.netmask}`,
      'warewulf:',
      `  port: ${this.port}`,
      `  secure: ${secure}`,
      `  update interval: ${updateInterval}`,
      '  autobuild overlays: true',
      // the namespace's head node runs no DHCP/TFTP/NFS services of its own (dnsmasq is the test's)
      'dhcp:',
      '  enabled: false',
      'tftp:',
      '  enabled: false',
      'nfs:',
      '  enabled: false',
      '',
    ].join('\n');
  }

  /** Copy an overlay directory (holding `rootfs/`) into the site overlays as `name`, replacing one there. */
  installOverlay(name: string, dir: string): void {
    const dest = join(this.root, 'var', 'lib', 'warewulf', 'overlays', name);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    cpSync(dir, dest, { recursive: true, verbatimSymlinks: true });
  }

  /** The real wwctl binary, run inside the namespace (so `node status` reaches the daemon). Never rejects. */
  wwctl(...args: string[]): Promise<CommandResult> {
    return run('ip', ['netns', 'exec', this.ns.name, process.execPath, WWCTL_BIN, ...args], this.env);
  }

  /** The same, throwing with its output when it exits non-zero; resolves stdout. */
  async wwctlOk(...args: string[]): Promise<string> {
    const r = await this.wwctl(...args);
    if (r.code !== 0) throw new Error(`wwctl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout.slice(-2000)}`);
    return r.stdout;
  }

  /** Start the real `warewulfd` on the namespace's server address; resolves once it listens. */
  async startDaemon(timeoutMs = 60_000): Promise<Proc> {
    if (this.daemonProc) throw new Error('warewulfd is already running');
    const p = this.ns.spawn(process.execPath, [WAREWULFD_BIN, '--listen', this.ns.serverIp, '--port', String(this.port)], { name: 'warewulfd', env: this.env });
    this.daemonProc = p;
    await p.waitFor(/warewulfd listening/, timeoutMs);
    return p;
  }

  /** The running daemon (started by `startDaemon`). */
  get daemon(): Proc {
    if (!this.daemonProc) throw new Error('warewulfd is not running');
    return this.daemonProc;
  }

  /** The daemon's JSON log lines so far. */
  logs(): DaemonLogLine[] {
    const out: DaemonLogLine[] = [];
    for (const line of (this.daemonProc?.output ?? '').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as DaemonLogLine);
      } catch {
        /* a line still being written */
      }
    }
    return out;
  }

  /** The requests the daemon logged for a hardware address (§4.4 step 1): stage and peer address:port. */
  requestsOf(hwaddr: string): { stage: string; address: string; port: number; time: number }[] {
    return this.logs()
      .filter((l) => l['hwaddr'] === hwaddr.toLowerCase() && typeof l['stage'] === 'string' && typeof l['ipaddr'] === 'string')
      .map((l) => {
        const m = /^(.*):(\d+)$/.exec(l['ipaddr'] as string);
        return { stage: l['stage'] as string, address: m?.[1] ?? '', port: Number(m?.[2] ?? -1), time: Number(l['time'] ?? 0) };
      });
  }

  /** The DHCP boot file for dnsmasq: the node's iPXE script URL with its identity (§7.0). */
  bootUrl(): string {
    return `${this.url}/ipxe/\${mac:hexhyp}?assetkey=\${asset}&uuid=\${uuid}`;
  }

  /** `wwctl node status --json`, parsed. */
  async nodeStatus(...names: string[]): Promise<StatusRow[]> {
    return JSON.parse(await this.wwctlOk('node', 'status', '--json', ...names)) as StatusRow[];
  }

  /**
   * An HTTP request to the daemon from inside the namespace with curl: the status code, and the body
   * unless `discard`. `localPort` pins the source port (below 1024 is a privileged one).
   */
  async http(path: string, o: { localPort?: number; discard?: boolean } = {}): Promise<{ status: number; body: string }> {
    const args = ['netns', 'exec', this.ns.name, 'curl', '-sS', '-w', '\n%{http_code}', '--max-time', '60'];
    if (o.localPort !== undefined) args.push('--local-port', String(o.localPort));
    if (o.discard) args.push('-o', '/dev/null');
    const r = await run('ip', [...args, `${this.url}${path}`], this.env);
    if (r.code !== 0) throw new Error(`curl ${path}: exit ${r.code}: ${r.stderr}`);
    const i = r.stdout.lastIndexOf('\n');
    return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
  }

  /** A counter or gauge from the daemon's `/metrics` (0 when the series does not exist yet). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { body } = await this.http('/metrics');
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    let sum = 0;
    for (const line of body.split('\n')) {
      const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = (m[2] ?? '').split(',');
      if (want.every((w) => have.includes(w))) sum += Number(m[3]);
    }
    return sum;
  }

  /** Stop the daemon (SIGTERM, then SIGKILL) and remove the root when this object made it. */
  async destroy(): Promise<void> {
    await this.daemonProc?.stop(5000);
    if (this.ownRoot) rmSync(this.root, { recursive: true, force: true });
  }
}
