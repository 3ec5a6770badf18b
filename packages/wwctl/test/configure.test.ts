/**
 * `wwctl configure` (issue 12, §1.9) on a WAREWULF_ROOT: the files it writes
 * checked by the tools that read them (`dhcpd -t`, `dnsmasq --test`), the
 * TFTP root holding what each DHCP architecture branch names, a dry run
 * that leaves the root byte-identical, a second run that changes nothing,
 * backups, a symlink planted in the root, a template error, SSH keys, TLS
 * and warewulf.conf's detected network.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treeSnapshot } from '@warewulf/testenv';
import { REPO, makeRoot, wwctl, type TestRoot } from './helpers.js';

const NODES = `nodeprofiles:
  default: {}
nodes:
  n1:
    network devices:
      default: {device: eth0, ipaddr: 10.0.2.1, hwaddr: "52:54:00:00:00:01"}
  n2:
    network devices:
      default: {device: eth0, ipaddr: 10.0.2.2, hwaddr: "52:54:00:00:00:02"}
      ib: {device: ib0, type: infiniband, ipaddr: 10.0.4.2, hwaddr: "80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:1f:aa:01"}
  n3:
    network devices:
      default: {device: eth0, ipaddr: 10.0.2.3}
`;

function conf(extra = ''): string {
  return `ipaddr: 10.0.0.1
netmask: 255.255.252.0
network: 10.0.0.0
dhcp:
  range start: 10.0.1.1
  range end: 10.0.1.255
${extra}`;
}

/** A root with three nodes and a warewulf.conf; `dhcpExtra` goes into the dhcp section. */
function world(extra = ''): TestRoot {
  const t = makeRoot(NODES);
  t.write('etc/warewulf/warewulf.conf', conf(extra));
  return t;
}

const at = (t: TestRoot, rel: string) => join(t.root, rel);
// in CI a missing tool is a failure, never a silent skip (scripts/debian-packages.txt installs them)
const tool = (p: string) => existsSync(p) || !!process.env['CI'];

async function ok(t: TestRoot, ...args: string[]) {
  const r = await wwctl(t, ...args);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('ERROR'))).toEqual([]);
  expect(r.code).toBe(0);
  return r;
}

describe('configure dhcp: the files pass the tools that read them', () => {
  it.skipIf(!tool('/usr/sbin/dhcpd')).each(['default', 'static'])('dhcpd -t -cf accepts the dhcpd.conf written (%s template)', async (template) => {
    const t = world(`  template: ${template}\n`);
    await ok(t, 'configure', 'dhcp');
    const file = at(t, 'etc/dhcp/dhcpd.conf');
    const text = readFileSync(file, 'utf8');
    expect(readlinkSync(at(t, 'etc/dhcpd.conf'))).toBe('dhcp/dhcpd.conf');
    if (template === 'static') {
      // fixed entries for every interface with both addresses, none for n3 (no hwaddr), no dynamic range
      expect(text).toContain('host n1-default {');
      expect(text).toMatch(/host n2-ib \{\n\s+hardware infiniband 80:00/);
      expect(text).not.toContain('n3-default');
      expect(text).not.toContain('range 10.0.1.1');
    } else {
      expect(text).toContain('range 10.0.1.1 10.0.1.255;');
    }
    const r = spawnSync('/usr/sbin/dhcpd', ['-t', '-cf', file], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    // the check can fail: the same file with a broken subnet line is refused
    writeFileSync(`${file}.bad`, text.replace(/subnet \S+ netmask/, 'subnet netmask'));
    expect(spawnSync('/usr/sbin/dhcpd', ['-t', '-cf', `${file}.bad`], { encoding: 'utf8' }).status).not.toBe(0);
  });

  it.skipIf(!tool('/usr/sbin/dnsmasq')).each(['default', 'static'])('dnsmasq --test accepts the dnsmasq configuration written (%s template)', async (template) => {
    const t = world(`  template: ${template}\n`);
    // tftp first: dnsmasq checks that tftp-root exists
    await ok(t, 'configure', 'tftp');
    await ok(t, 'configure', 'dhcp');
    const file = at(t, 'etc/dnsmasq.d/ww4-dnsmasq.conf');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`tftp-root=${at(t, 'var/lib/tftpboot')}`);
    expect(text).toContain('dhcp-host=52:54:00:00:00:01,10.0.2.1,n1-default');
    const r = spawnSync('/usr/sbin/dnsmasq', ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('syntax check OK');
    expect(r.status).toBe(0);
    writeFileSync(`${file}.bad`, `${text}dhcp-range=not-an-address\n`);
    expect(spawnSync('/usr/sbin/dnsmasq', ['--test', `--conf-file=${file}.bad`], { encoding: 'utf8' }).status).not.toBe(0);
  });

  it('DHCP without the server network is refused, naming warewulf.conf, and writes nothing', async () => {
    const t = makeRoot(NODES);
    t.write('etc/warewulf/warewulf.conf', 'ipaddr: 10.0.0.1\n');
    const before = treeSnapshot(t.root);
    // netmask cannot be detected for an address no interface has
    const r = await wwctl(t, 'configure', 'dhcp');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ERROR: .*warewulf\.conf: netmask, network not set and not detected/);
    expect(treeSnapshot(t.root)).toEqual(before);
  });
});

describe('configure tftp', () => {
  it.skipIf(!tool('/usr/lib/ipxe/undionly.kpxe'))('puts the binaries where each architecture branch of the DHCP configuration points', async () => {
    const t = world();
    await ok(t, 'configure', 'dhcp');
    const r = await ok(t, 'configure', 'tftp');
    const dhcpd = readFileSync(at(t, 'etc/dhcp/dhcpd.conf'), 'utf8');
    const branches = [...dhcpd.matchAll(/if option architecture-type = ([0-9A-Fa-f:]+) \{\s*filename "([^"]+)";/g)].map((m) => ({ arch: m[1]!, file: m[2]! }));
    // every architecture of warewulf.conf's (default) map has a branch
    expect(branches.map((b) => b.arch).sort()).toEqual(['00:00', '00:07', '00:09', '00:0B']);
    const tftproot = at(t, 'var/lib/tftpboot');
    // architectures whose binary is not packaged are reported (Debian amd64 has no arm64 iPXE)
    const warned = [...r.stderr.matchAll(/nodes of client architecture ([0-9A-Fa-f:, ]+) cannot PXE boot/g)].flatMap((m) => m[1]!.split(', '));
    expect(warned.every((a) => a === '00:0B')).toBe(true);
    for (const b of branches) {
      expect(existsSync(join(tftproot, b.file)), `${b.arch} -> ${b.file}`).toBe(!warned.includes(b.arch));
    }
    // the x86 ones are Debian's, byte for byte (upstream's EFI name maps to Debian's snponly.efi)
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(sha(join(tftproot, 'warewulf/undionly.kpxe'))).toBe(sha('/usr/lib/ipxe/undionly.kpxe'));
    expect(sha(join(tftproot, 'warewulf/ipxe-snponly-x86_64.efi'))).toBe(sha('/usr/lib/ipxe/snponly.efi'));
    // dnsmasq's dhcp-boot names (relative to tftp-root) are the same files
    const dnsmasq = readFileSync(at(t, 'etc/dnsmasq.d/ww4-dnsmasq.conf'), 'utf8');
    for (const m of dnsmasq.matchAll(/dhcp-boot=tag:!ipxe,tag:arch(\d+),(\S+)/g)) {
      const branch = branches.find((b) => parseInt(b.arch.replace(':', ''), 16) === Number(m[1]));
      expect(branch && `/${m[2]}`).toBe(branch?.file);
    }
    // PXE-booted GRUB's menu, written by the host overlay's `file` into the real TFTP root (not root/root/...)
    expect(readFileSync(join(tftproot, 'warewulf/grub.cfg'), 'utf8')).toContain('configfile (http,10.0.0.1:9873)/efiboot/grub.cfg');
  });

  it('a map naming two binaries with one file name is refused', async () => {
    const t = makeRoot(NODES);
    t.write('etc/warewulf/warewulf.conf', `${conf()}tftp:\n  ipxe:\n    "00:07": x86_64-efi/snponly.efi\n    "00:0B": arm64-efi/snponly.efi\n`);
    const r = await wwctl(t, 'configure', 'tftp');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('tftp.ipxe 00:07 (x86_64-efi/snponly.efi) and 00:0B (arm64-efi/snponly.efi) would both be /warewulf/snponly.efi');
  });
});

describe('configure --all', () => {
  /** A fresh root as the demo makes it: the shipped etc/warewulf and nodes. */
  function fresh(): TestRoot {
    const t = makeRoot();
    for (const f of ['warewulf.conf', 'nodes.conf']) t.write(`etc/warewulf/${f}`, readFileSync(join(REPO, 'etc/warewulf', f)));
    t.writeNodesConf(`${readFileSync(join(REPO, 'etc/warewulf/nodes.conf'), 'utf8').replace(/nodes: \{\}\n?$/, '')}${NODES.slice(NODES.indexOf('nodes:'))}`);
    return t;
  }

  it('--dry-run prints the planned changes and leaves the root byte-identical', async () => {
    const t = fresh();
    const before = treeSnapshot(t.root);
    const r = await ok(t, 'configure', '--all', '--dry-run');
    expect(treeSnapshot(t.root)).toEqual(before);
    // a unified diff per text file, the binaries and the commands
    expect(r.stdout).toContain(`--- /dev/null\n+++ ${at(t, 'etc/dhcp/dhcpd.conf')}\n@@ -0,0 +1,`);
    expect(r.stdout).toContain(`+++ ${at(t, 'etc/hosts')}\n`);
    expect(r.stdout).toMatch(/\+10\.0\.2\.2 n2 n2-default n2-eth0\n/);
    expect(r.stdout).toContain(`+++ ${at(t, 'etc/exports')}\n`);
    expect(r.stdout).toMatch(/would run: \S*ssh-keygen -q -t ed25519 -f \S+\/etc\/warewulf\/keys\/ssh_host_ed25519_key -C '' -N ''/);
    expect(r.stdout).toMatch(/not run: \S*systemctl restart dhcpd\.service .*WAREWULF_ROOT is set/);
    expect(r.stdout).toMatch(/dry run: \d+ file change\(s\) and \d+ command\(s\) planned; nothing was changed/);
    // `--dry-run` also works after a subcommand and before it
    expect((await ok(t, 'configure', 'nfs', '--dry-run')).stdout).toContain(`+++ ${at(t, 'etc/exports')}`);
    expect((await ok(t, 'configure', '--dry-run', 'hostfile')).stdout).toContain(`+++ ${at(t, 'etc/hosts')}`);
    expect(treeSnapshot(t.root)).toEqual(before);
  });

  it('a second run after a first changes nothing, and says so', async () => {
    const t = fresh();
    const first = await ok(t, 'configure', '--all');
    expect(first.stdout).toMatch(/configure: \d+ file change\(s\) made, 4 command\(s\) run/);
    for (const f of ['etc/dhcp/dhcpd.conf', 'etc/exports', 'etc/hosts', 'etc/warewulf/keys/ssh_host_rsa_key', 'root/.ssh/authorized_keys']) {
      expect(existsSync(at(t, f)), f).toBe(true);
    }
    const after = treeSnapshot(t.root);
    const second = await ok(t, 'configure', '--all');
    expect(second.stdout).toContain('configure: nothing to change, everything is up to date');
    expect(second.stdout).not.toMatch(/created|replaced|ran:|not run:/);
    expect(treeSnapshot(t.root)).toEqual(after);
    expect((await ok(t, 'configure', '--all', '--dry-run')).stdout).toContain('dry run: nothing to change');
  });

  it('without --all prints the help and changes nothing', async () => {
    const t = fresh();
    const before = treeSnapshot(t.root);
    const r = await ok(t, 'configure');
    expect(r.stdout).toContain('Usage: wwctl configure');
    expect(r.stdout).toMatch(/dhcp\s/);
    expect(treeSnapshot(t.root)).toEqual(before);
  });
});

describe('writes', () => {
  it('/etc/hosts keeps the admin block, gets a .wwbackup once, and is refreshed when nodes change', async () => {
    const t = world();
    const original = '127.0.0.1 localhost\n192.168.9.9 printer\n# Do not edit after this line\nold generated stuff\n';
    t.write('etc/hosts', original);
    await ok(t, 'configure', 'hostfile');
    const hosts = readFileSync(at(t, 'etc/hosts'), 'utf8');
    expect(hosts.startsWith('127.0.0.1 localhost\n192.168.9.9 printer\n# Do not edit after this line\n')).toBe(true);
    expect(hosts).not.toContain('old generated stuff');
    expect(hosts).toMatch(/^10\.0\.2\.1 n1 n1-default n1-eth0$/m);
    expect(readFileSync(at(t, 'etc/hosts.wwbackup'), 'utf8')).toBe(original);
    t.writeNodesConf(NODES.replace('10.0.2.3', '10.0.2.33'));
    const r = await ok(t, 'configure', 'hostfile', '--dry-run');
    expect(r.stdout).toContain('-10.0.2.3 n3 n3-default n3-eth0\n+10.0.2.33 n3 n3-default n3-eth0');
    await ok(t, 'configure', 'hostfile');
    expect(readFileSync(at(t, 'etc/hosts'), 'utf8')).toContain('10.0.2.33 n3');
    // the backup is the admin's original, not the previous generated file
    expect(readFileSync(at(t, 'etc/hosts.wwbackup'), 'utf8')).toBe(original);
  });

  it('a template calling nobackup replaces without a backup', async () => {
    const t = world();
    t.write('var/lib/warewulf/overlays/host/rootfs/etc/exports.ww', '{{ nobackup }}# exports of {{ .BuildHost }}\n');
    t.write('etc/exports', '/old *(ro)\n');
    await ok(t, 'configure', 'nfs');
    expect(readFileSync(at(t, 'etc/exports'), 'utf8')).toMatch(/^# exports of /);
    expect(existsSync(at(t, 'etc/exports.wwbackup'))).toBe(false);
  });

  it('a symlink planted in the root that leads outside it is refused, and nothing is written', async () => {
    const t = world();
    const outside = makeRoot();
    symlinkSync(join(outside.root, 'etc'), at(t, 'etc/dhcp'));
    const before = treeSnapshot(t.root);
    const r = await wwctl(t, 'configure', 'dhcp');
    expect(r.code).not.toBe(0);
    // the host overlay's directory etc/dhcp is the first thing refused
    expect(r.stderr).toContain(`ERROR: refusing to write ${at(t, 'etc/dhcp')}: ${at(t, 'etc/dhcp')} is a symlink to ${join(outside.root, 'etc')}, outside the output root`);
    expect(readdirSync(join(outside.root, 'etc'))).toEqual(['warewulf']);
    expect(treeSnapshot(t.root)).toEqual(before);
    // the same for a link in the last component
    const t2 = world();
    t2.write('etc/.keep', '');
    symlinkSync(join(outside.root, 'hosts'), at(t2, 'etc/hosts'));
    const r2 = await wwctl(t2, 'configure', 'hostfile');
    expect(r2.stderr).toContain('outside the output root');
    expect(existsSync(join(outside.root, 'hosts'))).toBe(false);
  });

  it('a link that stays inside the root is written through', async () => {
    const t = world();
    t.write('srv/hosts.real', '10.9.9.9 keep\n# Do not edit after this line\n');
    symlinkSync('../srv/hosts.real', at(t, 'etc/hosts'));
    await ok(t, 'configure', 'hostfile');
    expect(lstatSync(at(t, 'etc/hosts')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at(t, 'srv/hosts.real'), 'utf8')).toMatch(/^10\.9\.9\.9 keep\n# Do not edit after this line\n[\s\S]*10\.0\.2\.1 n1/);
    expect(readFileSync(at(t, 'srv/hosts.real.wwbackup'), 'utf8')).toBe('10.9.9.9 keep\n# Do not edit after this line\n');
  });

  it('a template error names overlay, file, line and column, and nothing is written', async () => {
    const t = world();
    // a site host overlay: the shipped files plus a broken one
    const site = 'var/lib/warewulf/overlays/host/rootfs';
    t.write(`${site}/etc/exports.ww`, readFileSync(join(REPO, 'overlays/host/rootfs/etc/exports.ww')));
    t.write(`${site}/etc/zz-broken.ww`, 'fine\n{{ .Ipaddr }}\n  {{ if .Nfs.Enabled }}{{ index .Nfs.ExportsExtended 7 }}{{ end }}\n');
    const before = treeSnapshot(t.root);
    const r = await wwctl(t, 'configure', 'nfs');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^ERROR: overlay host: etc\/zz-broken\.ww:3:\d+: .*index/m);
    expect(treeSnapshot(t.root)).toEqual(before);
  });
});

describe('configure ssh', () => {
  it('makes one host key per type and the user key, authorized; then nothing', async () => {
    const t = world();
    const r = await ok(t, 'configure', 'ssh', '-t', 'ed25519,rsa');
    expect(r.stdout).toContain('ran:');
    const keys = at(t, 'etc/warewulf/keys');
    expect(readdirSync(keys).sort()).toEqual(['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub', 'ssh_host_rsa_key', 'ssh_host_rsa_key.pub']);
    for (const type of ['ed25519', 'rsa']) {
      const key = join(keys, `ssh_host_${type}_key`);
      expect(statSync(key).mode & 0o077).toBe(0);
      // the public half is the private key's
      const derived = spawnSync('ssh-keygen', ['-y', '-f', key], { encoding: 'utf8' }).stdout.trim().split(' ').slice(0, 2).join(' ');
      expect(readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')).toBe(derived);
    }
    // the user's home is relocated under the root (root's is /root)
    const home = at(t, (await import('node:os')).userInfo().homedir.slice(1));
    expect(readFileSync(join(home, '.ssh/authorized_keys'), 'utf8')).toBe(readFileSync(join(home, '.ssh/id_ed25519.pub'), 'utf8'));
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    const before = treeSnapshot(t.root);
    expect((await ok(t, 'configure', 'ssh', '-t', 'ed25519,rsa')).stdout).toContain('configure: nothing to change');
    expect(treeSnapshot(t.root)).toEqual(before);
    const bad = await wwctl(t, 'configure', 'ssh', '-t', '../x');
    expect(bad.stderr).toContain('ERROR: invalid SSH key type "../x"');
  });
});

describe('configure tls', () => {
  it('says TLS is off; when on, makes a self-signed RSA 4096 certificate with the SANs of §1.9, once', async () => {
    const off = world();
    expect((await ok(off, 'configure', 'tls')).stdout).toContain('TLS is not enabled in warewulf.conf');
    expect(existsSync(at(off, 'etc/warewulf/tls'))).toBe(false);

    const t = makeRoot(NODES);
    t.write('etc/warewulf/warewulf.conf', `fqdn: head.example.org\n${conf()}warewulf:\n  tls: true\n`);
    const r = await ok(t, 'configure', 'tls');
    expect(r.stdout).toContain('Key: ');
    expect(r.stdout).toContain('rsa 4096 bits');
    const cert = new X509Certificate(readFileSync(at(t, 'etc/warewulf/tls/warewulf.crt')));
    expect(cert.subject).toContain('CN=Warewulf Server');
    expect(cert.subject).toContain('O=Warewulf');
    expect(cert.subjectAltName).toBe('IP Address:10.0.0.1, DNS:head.example.org, DNS:warewulf');
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600e3);
    expect(Math.round(years)).toBe(10);
    expect(statSync(at(t, 'etc/warewulf/tls/warewulf.key')).mode & 0o777).toBe(0o600);
    expect((await ok(t, 'configure', 'tls')).stdout).toContain('configure: nothing to change');
    expect(new X509Certificate(readFileSync(at(t, 'etc/warewulf/tls/warewulf.crt'))).fingerprint256).toBe(cert.fingerprint256);
  });
});

describe('configure tls --export / --import', () => {
  it('copies the pair out and into another root', async () => {
    const a = makeRoot(NODES);
    a.write('etc/warewulf/warewulf.conf', `${conf()}warewulf:\n  tls: true\n`);
    await ok(a, 'configure', 'tls');
    const out = makeRoot();
    await ok(a, 'configure', 'tls', '--export', join(out.root, 'pair'));
    expect(readFileSync(join(out.root, 'pair/warewulf.crt'))).toEqual(readFileSync(at(a, 'etc/warewulf/tls/warewulf.crt')));
    expect(statSync(join(out.root, 'pair/warewulf.key')).mode & 0o777).toBe(0o600);
    const b = makeRoot(NODES);
    b.write('etc/warewulf/warewulf.conf', conf());
    // the private key is never shown, the certificate is
    const dry = await ok(b, 'configure', 'tls', '--import', join(out.root, 'pair'), '--dry-run');
    expect(dry.stdout).toMatch(/warewulf\.key \(0600, from \S+, private, \d+ bytes, content not shown\)/);
    expect(dry.stdout).not.toContain('PRIVATE KEY');
    expect(dry.stdout).toContain('+-----BEGIN CERTIFICATE-----');
    const r = await ok(b, 'configure', 'tls', '--import', join(out.root, 'pair'));
    expect(r.stdout).toContain(`SHA256 fingerprint: ${new X509Certificate(readFileSync(at(a, 'etc/warewulf/tls/warewulf.crt'))).fingerprint256}`);
    expect(readFileSync(at(b, 'etc/warewulf/tls/warewulf.key'))).toEqual(readFileSync(at(a, 'etc/warewulf/tls/warewulf.key')));
    const missing = await wwctl(b, 'configure', 'tls', '--import', join(out.root, 'nothing'));
    expect(missing.stderr).toContain(`ERROR: cannot read the TLS key pair in ${join(out.root, 'nothing')}`);
  });
});

describe('services and grubboot', () => {
  it('configure warewulfd names the restart it would do; an empty unit name only warns', async () => {
    const t = makeRoot(NODES);
    t.write('etc/warewulf/warewulf.conf', `${conf()}warewulf:\n  systemd name: warewulfd\n`);
    const r = await ok(t, 'configure', 'warewulfd');
    expect(r.stdout).toMatch(/not run: \S*systemctl restart warewulfd\.service {2}# asked for by name; WAREWULF_ROOT is set/);
    const t2 = makeRoot(NODES);
    // the built-in default is "" (§3.1; the shipped file says warewulfd)
    t2.write('etc/warewulf/warewulf.conf', conf());
    const r2 = await ok(t2, 'configure', 'warewulfd');
    expect(r2.stderr).toContain('warewulf.systemd name is empty in warewulf.conf');
    expect(r2.stdout).not.toContain('systemctl');
  });

  it('with warewulf.grubboot, tftp copies shim and GRUB (or says which are missing) instead of iPXE', async () => {
    const t = world();
    t.write('etc/warewulf/warewulf.conf', `${conf()}warewulf:\n  grubboot: true\n`);
    const r = await ok(t, 'configure', 'tftp');
    const dir = at(t, 'var/lib/tftpboot/warewulf');
    expect(existsSync(join(dir, 'undionly.kpxe'))).toBe(false);
    const names = readdirSync(dir).sort();
    expect(names.includes('shim.efi')).toBe(!r.stderr.includes('no shim found'));
    expect(names.includes('grubx64.efi')).toBe(!r.stderr.includes('no network GRUB found'));
  });
});

describe('warewulf.conf network values', () => {
  it('--all writes a detected network value into warewulf.conf, keeping the rest of the file', async () => {
    const t = makeRoot(NODES);
    const text = '# site comment\nipaddr: 10.0.0.1\nnetmask: 255.255.252.0\ndhcp:\n  enabled: false\nnfs:\n  enabled: false\n';
    t.write('etc/warewulf/warewulf.conf', text);
    const dry = await ok(t, 'configure', '--all', '--dry-run');
    expect(dry.stdout).toContain(' netmask: 255.255.252.0\n+network: 10.0.0.0\n');
    expect(readFileSync(at(t, 'etc/warewulf/warewulf.conf'), 'utf8')).toBe(text);
    await ok(t, 'configure', '--all');
    expect(readFileSync(at(t, 'etc/warewulf/warewulf.conf'), 'utf8')).toBe(text.replace('netmask: 255.255.252.0\n', 'netmask: 255.255.252.0\nnetwork: 10.0.0.0\n'));
    expect(readFileSync(at(t, 'etc/warewulf/warewulf.conf.wwbackup'), 'utf8')).toBe(text);
    // DHCP and NFS off: their templates abort, and the step says so
    expect(existsSync(at(t, 'etc/dhcp/dhcpd.conf'))).toBe(false);
    expect(existsSync(at(t, 'etc/exports'))).toBe(false);
    expect((await ok(t, 'configure', 'dhcp')).stderr).toContain('DHCP is not enabled in warewulf.conf');
  });
});

describe('hardening', () => {
  it('every file --all writes lies inside the root', async () => {
    const t = world();
    mkdirSync(at(t, 'var/lib/tftpboot'), { recursive: true });
    const r = await ok(t, 'configure', '--all', '--dry-run');
    const paths = [...r.stdout.matchAll(/^\s+(?:create|replace|mkdir|symlink|update) (\S+)/gm)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) expect(p.startsWith(`${t.root}/`), p).toBe(true);
  });
});
