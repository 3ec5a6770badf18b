/**
 * `wwctl upgrade nodes|config` (§1.10, §2.7, §3.4): legacy files in, today's
 * vocabulary out, read back by the real CLI to the same values.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { makeRoot, nodesOf, wwctl } from './helpers.js';

type Doc = { nodeprofiles: Record<string, Record<string, unknown>>; nodes: Record<string, Record<string, unknown>> };

const NODES_43 = readFileSync(join(import.meta.dirname, 'fixtures/nodes-4.3.conf'), 'utf8');

/** A 4.3 warewulf.conf: WW_INTERNAL, ipv6net, syslog, datastore, mounted exports, container mounts. */
const CONF_43 = `WW_INTERNAL: 43
ipaddr: 10.0.0.1
netmask: 255.255.255.0
ipv6net: fd00:10::/64
warewulf:
  port: 9873
  secure: false
  syslog: false
  datastore: /usr/share
dhcp:
  range start: 10.0.0.50
  range end: 10.0.0.99
nfs:
  export paths:
  - path: /home
    export options: rw,sync
    mount options: defaults,noatime
    mount: true
  - path: /opt
    export options: ro,sync
    mount: false
container mounts:
  - source: /etc/resolv.conf
    dest: /etc/resolv.conf
    readonly: true
`;

const LEGACY_KEYS = /container name|kernel args|kernel override|ipmi username|ipmi password|^\s+keys:|ipcidr|default: true|WW_INTERNAL/m;

describe('wwctl upgrade nodes', () => {
  it('rewrites a 4.3 nodes.conf in today\'s vocabulary, keeps the old copy, and node list -a reads the same values', async () => {
    const t = makeRoot(NODES_43);
    const before = await wwctl(t, 'node', 'list', '-a');
    const profBefore = await wwctl(t, 'profile', 'list', '-a');
    expect(before.code, before.stderr).toBe(0);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=true');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(`${t.nodesConf}-old`, 'utf8')).toBe(NODES_43);
    expect(statSync(`${t.nodesConf}-old`).mode & 0o777).toBe(0o600); // it holds IPMI passwords
    expect(statSync(t.nodesConf).mode & 0o777).toBe(0o600);
    const upgraded = t.readNodesConf();
    expect(upgraded).not.toMatch(LEGACY_KEYS);
    expect(upgraded).toContain('some future key: kept as is');
    const after = await wwctl(t, 'node', 'list', '-a');
    const profAfter = await wwctl(t, 'profile', 'list', '-a');
    // every value reads the same, but for 4.3's runtime overlay `generic`, replaced as asked
    const runtime = /RuntimeOverlay/;
    const same = (s: string) => s.split('\n').filter((l) => !runtime.test(l));
    expect(same(after.stdout)).toEqual(same(before.stdout));
    expect(same(profAfter.stdout)).toEqual(same(profBefore.stdout));
    expect(before.stdout).toMatch(/^n1 +RuntimeOverlay +default +generic,extra$/m);
    expect(after.stdout).toMatch(/^n1 +RuntimeOverlay +default +hosts,ssh\.authorized_keys,syncuser,extra$/m);
    // a file in today's vocabulary upgrades to itself
    const again = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=true');
    expect(again.code, again.stderr).toBe(0);
    expect(t.readNodesConf()).toBe(upgraded);
    expect(readFileSync(`${t.nodesConf}-old`, 'utf8')).toBe(upgraded);
  });

  it('converts upstream\'s legacy test document as upstream does, to standard output with -o -', async () => {
    const legacy = `nodeprofiles:
  default: {comment: This profile is automatically included for each node, runtime overlay: "generic", discoverable: false}
  leap: {comment: openSUSE leap, kernel version: 5.14.21, ipmi netmask: "255.255.255.0", keys: {foo: baar}, network devices: {lan1: {gateway: 1.1.1.1}}}
nodes:
  node01: {system overlay: "nodeoverlay", discoverable: true, network devices: {eth0: {ipaddr: 1.2.3.4, default: true}}}
`;
    const t = makeRoot(legacy);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    expect(yaml.load(r.stdout)).toEqual({
      nodeprofiles: {
        default: { comment: 'This profile is automatically included for each node', 'runtime overlay': ['generic'] },
        leap: { comment: 'openSUSE leap', kernel: { version: '5.14.21' }, ipmi: { netmask: '255.255.255.0' }, 'network devices': { lan1: { gateway: '1.1.1.1' } }, tags: { foo: 'baar' } },
      },
      nodes: {
        node01: { discoverable: 'true', 'system overlay': ['nodeoverlay'], 'network devices': { eth0: { ipaddr: '1.2.3.4' } }, 'primary network': 'eth0' },
      },
    });
    expect(t.readNodesConf()).toBe(legacy); // -o - writes nothing
    expect(existsSync(`${t.nodesConf}-old`)).toBe(false);
  });

  it('--replace-overlays=false keeps wwinit and generic and says what that means', async () => {
    const t = makeRoot(NODES_43);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const doc = yaml.load(r.stdout) as { nodes: Record<string, Record<string, unknown>>; nodeprofiles: Record<string, Record<string, unknown>> };
    expect(doc.nodes.n1?.['system overlay']).toEqual(['wwinit']);
    expect(doc.nodeprofiles.default?.['runtime overlay']).toEqual(['generic', 'extra']);
    expect(r.stderr).toContain(`WARN   : ${t.nodesConf}: nodes.n1: system overlay "wwinit" kept`);
  });

  it('--add-defaults fills profile default and gives nodes without profiles [default]', async () => {
    const t = makeRoot(`nodeprofiles:
  default:
    comment: mine
    network devices:
      default:
        device: eth0
  other:
    kernel args: quiet
nodes:
  n1:
    network devices:
      default:
        ipaddr: 10.0.0.5
  n2:
    profiles: [other]
`);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=true', '--replace-overlays=false', '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const doc = yaml.load(r.stdout) as { nodes: Record<string, Record<string, unknown>>; nodeprofiles: Record<string, Record<string, unknown>> };
    const def = doc.nodeprofiles.default as Record<string, unknown>;
    expect(def.comment).toBe('mine');
    expect(def['system overlay']).toEqual(['wwinit', 'wwclient', 'fstab', 'hostname', 'ssh.host_keys', 'issue', 'resolv', 'udev.netname', 'systemd.netname', 'ifcfg', 'ifupdown', 'NetworkManager']);
    expect(def['runtime overlay']).toEqual(['hosts', 'ssh.authorized_keys', 'syncuser']);
    expect(def.kernel).toEqual({ args: ['quiet', 'crashkernel=no', 'net.ifnames=1'] });
    expect([def.init, def.root, def['ipxe template'], (def.ipmi as Record<string, unknown>).template]).toEqual(['/sbin/init', 'initramfs', 'default', 'ipmitool.tmpl']);
    expect(def['network devices']).toEqual({ default: { type: 'ethernet', device: 'eth0', netmask: '255.255.255.0' } });
    expect((def.resources as Record<string, unknown>).fstab).toEqual([
      { spec: 'warewulf:/home', file: '/home', vfstype: 'nfs', mntops: 'defaults,nofail' },
      { spec: 'warewulf:/opt', file: '/opt', vfstype: 'nfs', mntops: 'defaults,noauto,nofail,ro' },
    ]);
    expect(doc.nodeprofiles.other).toEqual({ kernel: { args: ['quiet'] } }); // only default is filled
    expect(doc.nodes.n1?.profiles).toEqual(['default']);
    expect(doc.nodes.n2?.profiles).toEqual(['other']);
    expect(r.stderr).toContain(`WARN   : ${t.nodesConf}: nodes.n1.network devices.default: no type`);
  });

  it('--with-warewulfconf turns the legacy mounted exports into fstab entries of profile default', async () => {
    const t = makeRoot('nodeprofiles:\n  default:\n    comment: x\nnodes: {}\n');
    const legacyConf = t.write('old-warewulf.conf', CONF_43);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '--with-warewulfconf', legacyConf, '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const doc = yaml.load(r.stdout) as { nodeprofiles: Record<string, Record<string, unknown>> };
    expect(doc.nodeprofiles.default?.resources).toEqual({
      fstab: [{ spec: 'warewulf:/home', file: '/home', vfstype: 'nfs', mntops: 'defaults,noatime' }],
    });
  });

  it('errors name the place, exit 255 and leave the live file alone', async () => {
    const t = makeRoot(NODES_43);
    const missing = await wwctl(t, 'upgrade', 'nodes', '--replace-overlays=true');
    expect(missing.code).toBe(255);
    expect(missing.stderr).toMatch(/^ERROR: required option '--add-defaults <bool>' not specified/);
    const badBool = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=maybe', '--replace-overlays=true');
    expect(badBool.code).toBe(255);
    expect(badBool.stderr).toMatch(/--add-defaults takes true or false/);
    const noInput = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-i', join(t.root, 'nope.conf'));
    expect(noInput.code).toBe(255);
    expect(noInput.stderr).toMatch(new RegExp(`^ERROR: cannot read ${join(t.root, 'nope.conf')}: ENOENT`));
    const conflict = t.write('conflict.conf', 'nodes:\n  n1:\n    network devices:\n      eth0:\n        ip6addr: fd00::1\n        ipaddr6: fd00::2\n');
    const c = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-i', conflict);
    expect(c.code).toBe(255);
    expect(c.stderr).toMatch(new RegExp(`^ERROR: ${conflict}: nodes.n1.network devices.eth0: ip6addr fd00::1 and ipaddr6 fd00::2 differ`));
    const badYaml = t.write('bad.conf', 'nodes:\n  n1:\n    network devices:\n      eth0:\n        ipaddr: 1.2.3\n');
    const b = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-i', badYaml);
    expect(b.code).toBe(255);
    expect(b.stderr).toMatch(new RegExp(`^ERROR: ${badYaml}:5:9: nodes.n1.network devices.eth0.ipaddr: invalid IP address`));
    expect(t.readNodesConf()).toBe(NODES_43);
    expect(existsSync(`${t.nodesConf}-old`)).toBe(false);
  });
});

describe('wwctl upgrade nodes: a 4.3-era site', () => {
  it('a filesystem\'s mount_options list (4.4) does not stop any command, reads joined with spaces and is upgraded to that string', async () => {
    const t = makeRoot('nodes:\n  n1:\n    filesystems:\n      /dev/disk/by-partlabel/scratch: {format: ext4, path: /scratch, mount_options: [defaults, noatime]}\n');
    const list = await wwctl(t, 'node', 'list', '-a', 'n1');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^n1 +FileSystems\[\/dev\/disk\/by-partlabel\/scratch\]\.MountOptions +-- +defaults noatime$/m);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false');
    expect(r.code, r.stderr).toBe(0);
    expect(nodesOf(t).n1?.filesystems).toEqual({ '/dev/disk/by-partlabel/scratch': { format: 'ext4', path: '/scratch', mount_options: 'defaults noatime' } });
  });

  it('--add-defaults=true with --with-warewulfconf keeps the site\'s NFS mounts: upstream\'s default fstab only where there is none', async () => {
    const t = makeRoot('nodeprofiles:\n  default:\n    comment: x\nnodes: {}\n');
    const legacyConf = t.write('old-warewulf.conf', CONF_43.replace('defaults,noatime', 'defaults'));
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=true', '--replace-overlays=false', '--with-warewulfconf', legacyConf, '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const doc = yaml.load(r.stdout) as { nodeprofiles: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.nodeprofiles.default?.resources?.fstab).toEqual([{ spec: 'warewulf:/home', file: '/home', vfstype: 'nfs', mntops: 'defaults' }]);
  });

  it('kernel override NAME becomes the path of the image kernel of NAME\'s recorded version; an unresolved one is warned about', async () => {
    const t = makeRoot(`nodeprofiles:
  default: {container name: rocky-8}
nodes:
  n1: {kernel override: k1}
  n2: {kernel override: gone}
`);
    for (const k of ['vmlinuz-5.14.0-old.x86_64', 'vmlinuz-5.14.0-427.18.1.el9_4.x86_64']) t.write(`var/lib/warewulf/chroots/rocky-8/rootfs/boot/${k}`, 'k');
    t.write('var/lib/warewulf/provision/kernel/k1/version', '5.14.0-427.18.1.el9_4.x86_64\n');
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const doc = yaml.load(r.stdout) as Doc;
    expect(doc.nodes.n1?.kernel).toEqual({ version: '/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64' });
    expect(doc.nodes.n2?.kernel).toEqual({ version: 'gone' });
    expect(r.stderr).toContain(`WARN   : ${t.nodesConf}: nodes.n2: unable to resolve kernel override gone (image rocky-8)`);
  });

  it('ipxe template dracut stays when the entry sets tag IPXEMenuEntry itself, with a warning', async () => {
    const t = makeRoot('nodes:\n  n1: {ipxe template: dracut, tags: {IPXEMenuEntry: custom}}\n  n2: {ipxe template: dracut}\n');
    const list = await wwctl(t, 'node', 'list', '-a');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^n1 +Ipxe +-- +dracut$/m);
    expect(list.stdout).toMatch(/^n2 +Ipxe +-- +default$/m);
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const doc = yaml.load(r.stdout) as Doc;
    expect([doc.nodes.n1?.['ipxe template'], doc.nodes.n1?.tags]).toEqual(['dracut', { IPXEMenuEntry: 'custom' }]);
    expect([doc.nodes.n2?.['ipxe template'], doc.nodes.n2?.tags]).toEqual(['default', { IPXEMenuEntry: 'dracut' }]);
    expect(r.stderr).toContain(`WARN   : ${t.nodesConf}: nodes.n1: ipxe template "dracut" kept: tag IPXEMenuEntry is already set`);
  });

  it('the legacy keys upstream ignores are not "unknown" to any command; upgrade drops them saying so', async () => {
    const t = makeRoot('nodeprofiles:\n  default: {disabled: "false"}\nnodes:\n  n1:\n    network devices:\n      eth0: {ipaddr: 10.0.0.1, prefix: "64"}\n    ipmi: {tags: {a: "1", b: "2"}, tagsdel: [b]}\n');
    const list = await wwctl(t, 'node', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('');
    const r = await wwctl(t, 'upgrade', 'nodes', '--add-defaults=false', '--replace-overlays=false', '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    expect(yaml.load(r.stdout)).toEqual({ nodeprofiles: { default: {} }, nodes: { n1: { ipmi: { tags: { a: '1' } }, 'network devices': { eth0: { ipaddr: '10.0.0.1' } } } } });
    expect(r.stderr).toContain('ignored: disabled: false (obsolete)');
    expect(r.stderr).toContain('nodes.n1.network devices.eth0: ignored: prefix: 64 (obsolete)');
  });
});

describe('wwctl upgrade config', () => {
  it('rewrites a 4.3 warewulf.conf in today\'s keys, keeps the old copy, and reads back to the same values', async () => {
    const t = makeRoot();
    const live = t.write('etc/warewulf/warewulf.conf', CONF_43);
    const before = await wwctl(t, 'genconfig', 'warewulfconf', 'print');
    expect(before.code, before.stderr).toBe(0);
    // read in place, 4.3's mounts are not applied: every command says so
    expect(before.stderr).toContain(`WARN   : ${live}:18:5: NFS export /home is mounted on the nodes by the legacy warewulf.conf`);
    const r = await wwctl(t, 'upgrade', 'config');
    expect(r.code, r.stderr).toBe(0);
    // upgrading drops them, pointing to the kept original for upgrade nodes
    expect(r.stderr).toContain(`WARN   : ${live}: NFS export /home is mounted on the nodes by the legacy warewulf.conf, which today's does not do: use wwctl upgrade nodes --with-warewulfconf=${live}-old to move the mount to nodes.conf`);
    expect(r.stderr).not.toContain('NFS export /opt');
    expect(readFileSync(`${live}-old`, 'utf8')).toBe(CONF_43);
    const text = readFileSync(live, 'utf8');
    expect(text).not.toMatch(/WW_INTERNAL|ipv6net|syslog|datastore|container mounts|mount:|mount options/);
    const doc = yaml.load(text) as Record<string, Record<string, unknown>>;
    expect([doc.ipaddr6, doc.prefixlen6, doc.paths?.datadir]).toEqual(['fd00:10::', '64', '/usr/share']);
    expect(doc['image mounts']).toEqual([{ source: '/etc/resolv.conf', dest: '/etc/resolv.conf', readonly: true }]);
    // read back: the same effective config, less the export mounts that moved to nodes.conf
    const after = await wwctl(t, 'genconfig', 'warewulfconf', 'print');
    expect(after.stderr).toBe(''); // no legacy-key warnings any more
    const expected = yaml.load(before.stdout) as { nfs: { 'export paths': Record<string, unknown>[] } };
    for (const e of expected.nfs['export paths']) {
      delete e.mount;
      delete e['mount options'];
    }
    expect(yaml.load(after.stdout)).toEqual(expected);
  });

  it('-o - prints and writes nothing; -i/-o to a new file leave no -old copy', async () => {
    const t = makeRoot();
    const input = t.write('old.conf', CONF_43);
    const printed = await wwctl(t, 'upgrade', 'config', '-i', input, '-o', '-');
    expect(printed.code, printed.stderr).toBe(0);
    expect((yaml.load(printed.stdout) as Record<string, unknown>).ipaddr6).toBe('fd00:10::');
    expect(readFileSync(input, 'utf8')).toBe(CONF_43);
    const out = join(t.root, 'new.conf');
    const written = await wwctl(t, 'upgrade', 'config', '-i', input, '-o', out);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    expect(existsSync(`${out}-old`)).toBe(false);
  });

  it('names a bad input with file:line:col and a missing one by path', async () => {
    const t = makeRoot();
    const bad = t.write('bad.conf', 'warewulf:\n  port: many\n');
    const r = await wwctl(t, 'upgrade', 'config', '-i', bad);
    expect(r.code).toBe(255);
    expect(r.stderr).toContain(`ERROR: ${bad}:2:9: warewulf.port`);
    expect(readFileSync(bad, 'utf8')).toBe('warewulf:\n  port: many\n');
    const missing = await wwctl(t, 'upgrade', 'config', '-i', join(t.root, 'none.conf'));
    expect(missing.code).toBe(255);
    expect(missing.stderr).toMatch(new RegExp(`^ERROR: cannot read ${join(t.root, 'none.conf')}: ENOENT`));
  });
});
