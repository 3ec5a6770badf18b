/**
 * The configuration files the overlays render are accepted by the programs
 * that read them: ISC dhcpd (`dhcpd -t`, default and static templates),
 * dnsmasq (`--test`), and sshd (`sshd -t`) with the host keys ssh.host_keys
 * places (generated here with ssh-keygen into the keys directory).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeWorld, renderAll, slotsOf, type World } from './overlay-fixture.js';

const tool = (p: string) => existsSync(p) || !!process.env['CI'];
let world: World | undefined;
afterEach(() => world?.cleanup());

function confWith(extra: string): string {
  return readFileSync(join(FIXTURES, 'warewulf.conf'), 'utf8').replace('dhcp:\n  enabled: true\n', `dhcp:\n  enabled: true\n${extra}`);
}

describe('rendered host configuration passes the real tools', () => {
  it.skipIf(!tool('/usr/sbin/dhcpd')).each(['default', 'static'])('dhcpd -t accepts dhcpd.conf (%s template)', (template) => {
    world = makeWorld({ warewulfConf: confWith(`  template: ${template}\n`) });
    const files = slotsOf(renderAll(world, 'host', world.data('wwserver')));
    const conf = files.get('etc/dhcp/dhcpd.conf')!;
    expect(conf).toContain(`dhcp template: ${template}`);
    if (template === 'static') {
      expect(conf).toContain('host node1-default {\n    hardware ethernet e6:92:39:49:7b:03;\n    fixed-address 192.168.3.21;');
      expect(conf).toContain('hardware infiniband 9a:77:29:73:14:f1;');
      expect(conf).not.toContain('range ');
    } else expect(conf).toContain('range 192.168.0.100 192.168.0.200;');
    const file = join(world.dir, 'dhcpd.conf');
    writeFileSync(file, conf);
    const r = spawnSync('/usr/sbin/dhcpd', ['-t', '-cf', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(file, conf.replace('next-server', 'next-srvr')); // the check would notice a mistake
    expect(spawnSync('/usr/sbin/dhcpd', ['-t', '-cf', file], { encoding: 'utf8' }).status).not.toBe(0);
  });

  it.skipIf(!tool('/usr/sbin/dnsmasq'))('dnsmasq --test accepts the dnsmasq configuration', () => {
    world = makeWorld();
    const conf = slotsOf(renderAll(world, 'host', world.data('wwserver'))).get('etc/dnsmasq.d/ww4-dnsmasq.conf')!;
    expect(conf).toContain('dhcp-host=e6:92:39:49:7b:03,192.168.3.21,node1-default');
    const file = join(world.dir, 'dnsmasq.conf');
    // tftp-root must exist for dnsmasq's check
    writeFileSync(file, conf.replace('tftp-root=/srv/tftp', `tftp-root=${world.dir}`));
    const r = spawnSync('/usr/sbin/dnsmasq', ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/syntax check OK/);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root || !tool('/usr/sbin/sshd') || !tool('/usr/bin/ssh-keygen'))('sshd -t accepts the host keys ssh.host_keys places (root: sshd wants /run/sshd)', () => {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    world = makeWorld({ keys: {} });
    const keys = join(world.env.confDir, 'keys');
    mkdirSync(keys, { recursive: true });
    for (const type of ['rsa', 'ecdsa', 'ed25519']) {
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'wwtest', '-f', join(keys, `ssh_host_${type}_key`)]);
    }
    const files = slotsOf(renderAll(world, 'ssh.host_keys', world.data('node1')));
    // no dsa key in the keys dir: that template aborts, so no file
    expect([...files.keys()].sort()).toEqual([
      'etc/ssh/ssh_host_ecdsa_key', 'etc/ssh/ssh_host_ecdsa_key.pub', 'etc/ssh/ssh_host_ed25519_key', 'etc/ssh/ssh_host_ed25519_key.pub',
      'etc/ssh/ssh_host_rsa_key', 'etc/ssh/ssh_host_rsa_key.pub',
    ]);
    const etc = join(world.dir, 'node-root');
    const args = ['-t', '-f', '/dev/null'];
    for (const [path, text] of files) {
      const out = join(etc, path);
      mkdirSync(join(out, '..'), { recursive: true });
      writeFileSync(out, text);
      chmodSync(out, path.endsWith('.pub') ? 0o644 : 0o600);
      expect(text).toBe(readFileSync(join(keys, path.slice('etc/ssh/'.length)), 'utf8'));
      if (!path.endsWith('.pub')) args.push('-h', out);
    }
    const r = spawnSync('/usr/sbin/sshd', args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // and a damaged key is refused, so the check above means something
    const bad = join(etc, 'etc/ssh/ssh_host_ed25519_key');
    writeFileSync(bad, files.get('etc/ssh/ssh_host_ed25519_key')!.replace(/[A-Za-z]/g, 'A'));
    expect(spawnSync('/usr/sbin/sshd', ['-t', '-f', '/dev/null', '-h', bad], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
