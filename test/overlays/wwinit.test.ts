/**
 * The wwinit and wwclient overlays rendered with hand-built template data
 * (§5.3 names) and checked without a VM: /warewulf/config byte for byte as
 * upstream's test expects (§8.1), every script parses in dash and busybox
 * sh, and the init.d scripts run in a busybox chroot (own UTS and network
 * namespaces, so the host's name and links are untouched) with a stub
 * ipmitool that records its arguments.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootWorld, busyboxPath, isRoot, renderBootOverlays, repoOverlay, type RenderedEntry } from '@warewulf/testenv';
import type { BootWorld } from '@warewulf/testenv';

type NodeData = ReturnType<BootWorld['data']>;
type TemplateEnv = BootWorld['env'];

const work = mkdtempSync(join(tmpdir(), 'wwinit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SERVER_CONF = 'ipaddr: 192.168.0.1\nnetmask: 255.255.255.0\nwarewulf:\n  port: 9873\n  secure: true\n';

interface Node1Options {
  user?: string;
  password?: string;
  write?: string;
  tags?: Record<string, string>;
  /** YAML of the node's `network devices` (default: eth0 with MAC and gateway, plus an off-at-boot ib0). */
  netdevs?: string;
}

const NETDEVS = `    network devices:
      default:
        device: eth0
        hwaddr: 52:54:00:00:00:01
        ipaddr: 10.0.0.11
        netmask: 255.255.255.0
        gateway: 10.0.0.1
        mtu: "9000"
      ib:
        device: ib0
        ipaddr: 10.1.0.11
        netmask: 255.255.0.0
        onboot: "false"
`;

/**
 * upstream's example node (§8.1): image rockylinux-9, ipmi user/password/addresses, write true,
 * server 192.168.0.1; rendered with core's real template data and functions.
 */
function node1(o: Node1Options = {}, withCert = false): { data: NodeData; env: TemplateEnv } {
  const tags = Object.entries(o.tags ?? {}).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}\n`).join('');
  const nodesConf = `nodeprofiles:
  default: {}
nodes:
  node1:
    image name: rockylinux-9
    init: /sbin/init
    root: initramfs
    ipmi:
      ipaddr: 192.168.4.21
      netmask: 255.255.255.0
      gateway: 192.168.4.1
      username: ${JSON.stringify(o.user ?? 'user')}
      password: ${JSON.stringify(o.password ?? 'password')}
      write: "${o.write ?? 'true'}"
${tags ? `      tags:\n${tags}` : ''}${o.netdevs ?? NETDEVS}`;
  const world = bootWorld({ confDir: join(mkdtempSync(join(work, 'etc-')), 'warewulf'), nodesConf, warewulfConf: SERVER_CONF });
  if (withCert) {
    mkdirSync(join(world.confDir, 'tls'), { recursive: true });
    writeFileSync(join(world.confDir, 'tls', 'warewulf.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  }
  return { data: world.data('node1'), env: world.env };
}

async function render(node: { data: NodeData; env: TemplateEnv }): Promise<Map<string, RenderedEntry>> {
  const entries = await renderBootOverlays([repoOverlay('wwinit'), repoOverlay('wwclient')], node.data, node.env);
  return new Map(entries.map((e) => [e.path, e]));
}

const text = (e: RenderedEntry | undefined): string => (e?.data !== undefined ? e.data : readFileSync(e!.sourcePath!, 'utf8'));

/** Write rendered entries into a directory (as the kernel unpacks them). */
function materialise(files: Map<string, RenderedEntry>, root: string): void {
  for (const e of files.values()) {
    const p = join(root, e.path);
    mkdirSync(dirname(p), { recursive: true });
    if (e.type === 'directory') mkdirSync(p, { recursive: true });
    else if (e.type === 'symlink') symlinkSync(e.target!, p);
    else if (e.sourcePath) copyFileSync(e.sourcePath, p);
    else writeFileSync(p, e.data ?? '');
    if (e.type !== 'symlink') chmodSync(p, e.mode);
  }
}

describe('wwinit overlay rendering', () => {
  it("renders /warewulf/config exactly as upstream's test expects", async () => {
    const files = await render(node1());
    expect(text(files.get('warewulf/config'))).toBe(`WWIMAGE=rockylinux-9
WWHOSTNAME=node1
WWROOT=initramfs
WWINIT=/sbin/init
WWIPMI_IPADDR="192.168.4.21"
WWIPMI_NETMASK="255.255.255.0"
WWIPMI_GATEWAY="192.168.4.1"
WWIPMI_USER="user"
WWIPMI_PASSWORD="password"
WWIPMI_WRITE="true"
WWTLS=false
WWTLSPORT=9874
WWIPADDR=192.168.0.1
`);
  });

  it('adds WWIPMI_VLAN after WWIPMI_WRITE when the ipmi tag vlan is set, and quotes values so sh reads them back unchanged', async () => {
    const password = 'pa$$w"o`rd\\x $(reboot)';
    const files = await render(node1({ password, user: 'ad min', tags: { vlan: '42' } }));
    const config = text(files.get('warewulf/config'));
    expect(config).toContain('WWIPMI_WRITE="true"\nWWIPMI_VLAN="42"\nWWTLS=false');
    const f = join(work, 'config-quoting');
    writeFileSync(f, config);
    const out = execFileSync('sh', ['-c', `. "${f}"; printf '%s|%s|%s' "$WWIPMI_PASSWORD" "$WWIPMI_USER" "$WWIPMI_VLAN"`], { encoding: 'utf8' });
    expect(out).toBe(`${password}|ad min|42`);
  });

  it('ships the files of upstream\'s wwinit and wwclient overlays, with the right kinds and modes', async () => {
    const files = await render(node1());
    const kinds = [...files.values()].filter((e) => e.type !== 'directory').map((e) => `${e.type} ${e.path} ${(e.mode & 0o777).toString(8)}`).sort();
    const expected = [
      'file etc/systemd/system/wwclient.service 644',
      'file etc/warewulf/warewulf.conf 644',
      'file init 755',
      'file warewulf/config 644',
      'file warewulf/init.d/10-hostname 755',
      'file warewulf/init.d/20-loopback 755',
      'file warewulf/init.d/30-network 755',
      'file warewulf/init.d/50-ipmi 755',
      'file warewulf/init.d/75-vnfs_fixes 755',
      'file warewulf/init.d/80-wwclient 755',
      'file warewulf/init.d/90-selinux 755',
      'file warewulf/mounts 644',
      'file warewulf/run-init 755',
      'file warewulf/run-wwinit.d 755',
      'symlink etc/systemd/system/multi-user.target.wants/wwclient.service 777',
      'symlink warewulf/wwprescripts 777',
    ];
    // the binary is placed by the build (packages/wwclient/build.mjs), not committed
    if (files.has('warewulf/wwclient')) expected.push('file warewulf/wwclient 755');
    expect(kinds).toEqual(expected.sort());
    expect(files.get('warewulf/wwprescripts')?.target).toBe('run-init');
    expect(files.get('etc/systemd/system/multi-user.target.wants/wwclient.service')?.target).toBe('../wwclient.service');
    expect(text(files.get('etc/warewulf/warewulf.conf'))).toBe(SERVER_CONF);
  });

  it('lists the node\'s native filesystems (not swap) in /warewulf/mounts for a two-stage boot', async () => {
    expect(text((await render(node1())).get('warewulf/mounts'))).toBe('');
    const fs = `    filesystems:
      /dev/disk/by-partlabel/scratch:
        format: btrfs
        path: /scratch
      /dev/disk/by-partlabel/swap:
        format: swap
        path: swap
      /dev/vdb1:
        format: ext4
        path: /var/tmp
`;
    const files = await render(node1({ netdevs: NETDEVS + fs }));
    expect(text(files.get('warewulf/mounts'))).toBe('/dev/disk/by-partlabel/scratch btrfs /scratch\n/dev/vdb1 ext4 /var/tmp\n');
  });

  it("copies the server's TLS certificate when there is one, and writes no file otherwise (abort)", async () => {
    expect((await render(node1({}, false))).has('warewulf/tls/warewulf.crt')).toBe(false);
    const withCert = await render(node1({}, true));
    expect(text(withCert.get('warewulf/tls/warewulf.crt'))).toMatch(/^-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n$/);
  });

  it('configures network devices that are on at boot, with the primary one owning the default route', async () => {
    const script = text((await render(node1())).get('warewulf/init.d/30-network'));
    const calls = script.split('\n').filter((l) => l.startsWith('netdev '));
    expect(calls).toEqual(["netdev 'default' 'eth0' '52:54:00:00:00:01' '10.0.0.11/24' '10.0.0.1' '9000' 'primary'"]);
  });

  const shells = [['dash', ['dash']], ['busybox sh', [busyboxPath(), 'sh']]] as const;
  for (const [name, sh] of shells) {
    it(`every script parses with ${name} -n`, async () => {
      const files = await render(node1({ tags: { vlan: '7', 'bit-rate': '115.2' } }));
      const scripts = [...files.values()].filter((e) => e.type === 'file' && text(e).startsWith('#!/bin/sh'));
      expect(scripts.length).toBe(10); // init, run-init, run-wwinit.d and the seven init.d scripts
      for (const e of scripts) {
        const f = join(work, `syntax-${e.path.replace(/\//g, '_')}`);
        writeFileSync(f, text(e));
        const r = spawnSync(sh[0], [...sh.slice(1), '-n', f], { encoding: 'utf8' });
        expect(r.status, `${e.path}: ${r.stderr}`).toBe(0);
      }
    });
  }
});

describe.skipIf(!isRoot)('wwinit scripts run in a busybox chroot (root: chroot, namespaces)', () => {
  /** A busybox root with the rendered overlays, a stub ipmitool, and a final init that reports. */
  async function chrootWith(node: { data: NodeData; env: TemplateEnv }): Promise<string> {
    const root = mkdtempSync(join(work, 'chroot-'));
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(busyboxPath(), join(root, 'bin', 'busybox'));
    for (const a of ['sh', 'ls', 'cat', 'grep', 'sed', 'sleep', 'hostname', 'mkdir', 'chmod', 'rm', 'readlink', 'echo', 'ip', 'tail', 'setsid', 'tr', 'modprobe', 'uname']) {
      symlinkSync('busybox', join(root, 'bin', a));
    }
    materialise(await render(node), root);
    mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
    writeFileSync(join(root, 'usr', 'bin', 'ipmitool'), '#!/bin/sh\necho "$*" >> /ipmitool.log\n', { mode: 0o755 });
    mkdirSync(join(root, 'sbin'), { recursive: true });
    writeFileSync(join(root, 'sbin', 'init'), '#!/bin/sh\necho "FINAL-INIT pid=$$ hostname=$(hostname) WWHOSTNAME=$WWHOSTNAME"\n', { mode: 0o755 });
    mkdirSync(join(root, 'etc', 'pam.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'pam.d', 'common-account'), 'account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so \naccount\trequisite\tpam_deny.so\n');
    return root;
  }
  const inChroot = (root: string, cmd: string[]): { status: number | null; out: string } => {
    // a private mount namespace: /dev bound into the chroot for /dev/null, gone when the command ends
    mkdirSync(join(root, 'dev'), { recursive: true });
    const r = spawnSync('unshare', ['--uts', '--net', '--mount', 'sh', '-c', 'mount --bind /dev "$0/dev" && exec chroot "$0" "$@"', root, ...cmd], {
      encoding: 'utf8',
      env: { PATH: '/bin:/usr/bin:/sbin:/usr/sbin' },
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('run-init runs every init.d script in order, then execs the node\'s init with the config in its environment', async () => {
    const root = await chrootWith(node1({ write: 'false', netdevs: '' }));
    const { status, out } = inChroot(root, ['/warewulf/run-init']);
    expect(status, out).toBe(0);
    const ran = [...out.matchAll(/running init\.d\/(\S+)/g)].map((m) => m[1]);
    expect(ran).toEqual(['10-hostname', '20-loopback', '30-network', '50-ipmi', '75-vnfs_fixes', '80-wwclient', '90-selinux']);
    expect(out).not.toContain('no interface');
    expect(out).toMatch(/FINAL-INIT pid=\d+ hostname=node1 WWHOSTNAME=node1/);
    // 75-vnfs_fixes: broken_shadow added once to pam_unix's account line
    expect(readFileSync(join(root, 'etc/pam.d/common-account'), 'utf8')).toBe(
      'account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so  broken_shadow\naccount\trequisite\tpam_deny.so\n',
    );
    inChroot(root, ['/bin/sh', '/warewulf/init.d/75-vnfs_fixes']);
    expect(readFileSync(join(root, 'etc/pam.d/common-account'), 'utf8').match(/broken_shadow/g)).toHaveLength(1);
    // 80-wwclient started the binary (when built): with no wwid on this command line it logged why it stopped
    if (existsSync(join(root, 'warewulf/wwclient'))) {
      expect(out).toMatch(/wwclient started \(pid \d+\)/);
      for (let i = 0; i < 50 && !existsSync(join(root, 'var/log/wwclient.log')); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(join(root, 'var/log/wwclient.log'), 'utf8')).toMatch(/ERROR|wwid/);
    }
    expect(existsSync(join(root, 'ipmitool.log'))).toBe(false); // ipmi write is false
  });

  it('80-wwclient leaves wwclient to systemd when systemd is the init', async () => {
    const root = await chrootWith(node1({ write: 'false', netdevs: '' }));
    mkdirSync(join(root, 'lib', 'systemd'), { recursive: true });
    writeFileSync(join(root, 'lib', 'systemd', 'systemd'), '#!/bin/sh\n', { mode: 0o755 });
    rmSync(join(root, 'sbin', 'init'));
    symlinkSync('/lib/systemd/systemd', join(root, 'sbin', 'init'));
    const { out } = inChroot(root, ['/bin/sh', '/warewulf/init.d/80-wwclient']);
    expect(out).toContain('wwclient will be started by systemd');
  });

  it('50-ipmi configures the BMC with ipmitool when ipmi write is true, without printing the password', async () => {
    const root = await chrootWith(node1({ password: 's3cr$t', tags: { vlan: '42', 'bit-rate': '115.2' }, netdevs: '' }));
    const { status, out } = inChroot(root, ['/bin/sh', '/warewulf/init.d/50-ipmi']);
    expect(status, out).toBe(0);
    expect(out).toContain('wwinit: BMC configured (192.168.4.21)');
    expect(out).not.toContain('s3cr$t');
    expect(readFileSync(join(root, 'ipmitool.log'), 'utf8').split('\n').filter(Boolean)).toEqual([
      'lan set 1 vlan id 42',
      'lan set 1 ipsrc static',
      'lan set 1 ipaddr 192.168.4.21',
      'lan set 1 netmask 255.255.255.0',
      'lan set 1 defgw ipaddr 192.168.4.1',
      'lan set 1 access on',
      'user set name 2 user',
      'user set password 2 s3cr$t',
      'user priv 2 4 1',
      'user enable 2',
      'sol set enabled true 1',
      'sol payload enable 1 2',
      'sol set volatile-bit-rate 115.2 1',
      'sol set non-volatile-bit-rate 115.2 1',
    ]);
  });

  it('50-ipmi says so and does nothing when the image has no ipmitool', async () => {
    const root = await chrootWith(node1());
    rmSync(join(root, 'usr', 'bin', 'ipmitool'));
    const { status, out } = inChroot(root, ['/bin/sh', '/warewulf/init.d/50-ipmi']);
    expect(status).toBe(0);
    expect(out).toContain('the image has no ipmitool');
  });
});
