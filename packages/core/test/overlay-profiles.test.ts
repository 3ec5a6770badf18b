/**
 * The shipped default profile lists upstream's overlays (§3.2), and a
 * seed-era nodes.conf (no overlay lists: the built-in wwinit + generic)
 * still renders: every overlay that exists here renders for its nodes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorld, OVERLAYS, REPO, renderAll, slotsOf, type World } from './overlay-fixture.js';

const worlds: World[] = [];
afterAll(() => worlds.forEach((w) => w.cleanup()));

describe('overlay lists of the shipped profile and of seed-era registries', () => {
  it("the shipped default profile lists upstream's system and runtime overlays", () => {
    const w = makeWorld({ nodesConf: readFileSync(join(REPO, 'etc', 'warewulf', 'nodes.conf'), 'utf8').replace('nodes: {}', 'nodes:\n  n1: {}') });
    worlds.push(w);
    const d = w.data('n1');
    expect(d.RuntimeOverlay).toEqual(['hosts', 'ssh.authorized_keys']);
    expect(d.SystemOverlay).toEqual([
      'wwinit', 'wwclient', 'hosts', 'fstab', 'hostname', 'ssh.host_keys', 'issue', 'resolv', 'udev.netname',
      'systemd.netname', 'ifcfg', 'ifupdown', 'NetworkManager',
    ]);
    expect([d.Kernel.Args.join(' '), d.Init, d.Root, d.Ipxe, d.Ipmi.Template]).toEqual(['quiet crashkernel=no net.ifnames=1', '/sbin/init', 'initramfs', 'default', 'ipmitool.tmpl']);
    expect(slotsOf(renderAll(w, 'fstab', d)).get('etc/fstab')).toContain('warewulf:/opt /opt nfs defaults,noauto,nofail,ro 0 0\n');
  });

  it('a seed-era nodes.conf (wwinit + generic by default) renders generic: hosts, passwd, group, authorized_keys', () => {
    const w = makeWorld({
      nodesConf: 'nodeprofiles:\n  default:\n    comment: seed\n    image name: rockylinux-9\nnodes:\n  node01:\n    network devices:\n      default: {device: eth0, ipaddr: 10.10.1.11, hwaddr: 52:54:00:08:A7:C0}\n',
    });
    worlds.push(w);
    const d = w.data('node01');
    expect([d.SystemOverlay, d.RuntimeOverlay]).toEqual([['wwinit'], ['generic']]);
    const present = [...d.SystemOverlay, ...d.RuntimeOverlay].filter((o) => existsSync(join(OVERLAYS, o)));
    expect(present).toContain('generic');
    const files = slotsOf(present.flatMap((o) => renderAll(w, o, d)));
    expect([...files.keys()].sort()).toEqual(expect.arrayContaining(['etc/group', 'etc/hosts', 'etc/passwd', 'root/.ssh/authorized_keys']));
    expect(files.get('etc/hosts')).toContain('10.10.1.11 node01 node01-default node01-eth0\n');
    expect(files.get('etc/passwd')).toBe('root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\nwwuser:x:2000:2000::/home/wwuser:/bin/bash\n');
  });
});

describe('overlays/modes.txt', () => {
  it('names only paths that exist, with octal modes', () => {
    const lines = readFileSync(join(OVERLAYS, 'modes.txt'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) {
      const [path, mode] = l.split(' ');
      expect(existsSync(join(OVERLAYS, path!)), path).toBe(true);
      expect(mode).toMatch(/^0[0-7]{3}$/);
    }
  });
});
