/**
 * Reading and upgrading a 4.3-era site (§2.7 nodes.conf, §3.4
 * warewulf.conf): every legacy form the reader must take, what `upgrade
 * nodes|config` make of it, and what they warn about.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRoot } from '@warewulf/testenv';
import { describe, expect, it } from 'vitest';
import { memoryLogger, resolvePaths } from '../src/index.js';
import { FIELDS, NodeMerger, flattenEntity, parseNodesConf, unknownKeyWarnings, type NodesDocument } from '../src/node/index.js';
import { legacyMounts, upgradeNodesDocument, upgradeWarewulfConf, DEFAULT_FSTAB } from '../src/admin/index.js';
import { parseWarewulfConf } from '../src/config/index.js';
import { resolveKernelOverride, resolveNodeKernel } from '../src/image/index.js';
import { wwErrorOf } from './helpers.js';

type Doc = { nodeprofiles: Record<string, Record<string, unknown>>; nodes: Record<string, Record<string, unknown>> };

const upgrade = async (text: string, o: Partial<Parameters<typeof upgradeNodesDocument>[1]> = {}) => {
  const log = memoryLogger();
  const doc = await upgradeNodesDocument(parseNodesConf(text, 'nodes.conf'), { addDefaults: false, replaceOverlays: false, file: 'nodes.conf', log, ...o });
  return { doc: doc.raw as unknown as Doc, warnings: log.lines.filter((l) => l.level === 'warn').map((l) => l.msg) };
};

const merged = (doc: NodesDocument, node: string, field: string) => new NodeMerger(doc).merge(node)?.fields.get(field)?.value;

describe('legacy value shapes (§2.7): a list where a string is expected now, a string where a list is', () => {
  const FS = `nodes:
  n1:
    filesystems:
      /dev/disk/by-partlabel/scratch: {format: ext4, path: /scratch, mount_options: [defaults, noatime]}
`;

  it('a filesystem\'s mount_options list is read joined with spaces, and upgrade writes that string', async () => {
    const doc = parseNodesConf(FS, 'nodes.conf');
    expect(merged(doc, 'n1', 'FileSystems[/dev/disk/by-partlabel/scratch].MountOptions')).toBe('defaults noatime');
    const { doc: out } = await upgrade(FS);
    expect(out.nodes.n1?.filesystems).toEqual({ '/dev/disk/by-partlabel/scratch': { format: 'ext4', path: '/scratch', mount_options: 'defaults noatime' } });
    // a list of lists is still refused, with its place
    expect(wwErrorOf(() => parseNodesConf(FS.replace('[defaults, noatime]', '[[defaults]]'), 'nodes.conf')).message)
      .toMatch(/^nodes\.conf:4:\d+: nodes\.n1\.filesystems\.\/dev\/disk\/by-partlabel\/scratch\.mount_options: expected a list of single values/);
  });

  it('every field is read in both shapes an older release could have written it', () => {
    for (const spec of FIELDS) {
      if (spec.tagMap || spec.kind === 'any' || spec.kind === 'bool') continue;
      // map keys as their maps allow (a disk or filesystem is a device path)
      const keys = spec.yaml.map((k, i) => (k !== '*' ? k : spec.yaml[i - 1] === 'disks' || spec.yaml[i - 1] === 'filesystems' ? '/dev/x' : 'x'));
      // lists: 4.3's one string; strings a release wrote as a list: that list
      const legacy = spec.kind === 'list' ? 'a' : spec.listJoin !== undefined ? ['a', 'b'] : undefined;
      if (legacy === undefined) continue;
      let entity: unknown = legacy;
      for (const k of [...keys].reverse()) entity = { [k]: entity };
      const text = JSON.stringify({ nodes: { n1: entity } });
      const flat = flattenEntity(parseNodesConf(text, 'nodes.conf').nodes.n1 as Record<string, unknown>, true);
      expect([...flat.values()].map((e) => e.value), spec.name).toEqual([spec.kind === 'list' ? ['a'] : `a${spec.listJoin}b`]);
    }
    // a list is still refused where no release wrote one
    expect(wwErrorOf(() => parseNodesConf('nodes:\n  n1:\n    comment: [a, b]\n', 'nodes.conf')).message).toMatch(/comment: expected a single value, got a list/);
  });
});

/** A 4.3-era nodes.conf with every legacy key of §2.7, read or ignored. */
const FULL_43 = `WW_INTERNAL: 43
nodeprofiles:
  default:
    comment: profile
    disabled: "false"
    asset key: ignored-on-profiles
    container name: rocky-8
    kernel args: quiet crashkernel=no
    kernel override: k1
    kernel version: 5.14.0
    ipmi username: admin
    ipmi password: secret
    ipmi ipaddr: 10.1.0.1
    ipmi netmask: 255.255.0.0
    ipmi port: "623"
    ipmi gateway: 10.1.0.254
    ipmi interface: lanplus
    ipmi escapechar: "~"
    ipmi write: "true"
    ipmi:
      tags: {a: "1", b: "2"}
      tagsdel: [b]
    keys: {site: example}
    tagsdel: [gone]
    runtime overlay: generic
    system overlay: wwinit
    ipxe template: dracut
nodes:
  n1:
    disabled: "false"
    kernel: {override: k1, args: quiet}
    tags: {IPXEMenuEntry: custom}
    ipxe template: dracut
    network devices:
      eth0:
        default: "true"
        ipcidr: 10.0.0.5/24
        ip6addr: fd00::5
        prefix: "64"
        tagsdel: [x]
      ib0:
        primary: "false"
    filesystems:
      /dev/sda1: {format: ext4, path: /scratch, mount_options: [defaults, noatime], wipe_filesystem: "false"}
    disks:
      /dev/sda: {wipe_table: "true", partitions: {scratch: {number: "1", should_exist: "true"}}}
`;

describe('the 4.3 vocabulary', () => {
  it('a full 4.3 nodes.conf gives no unknown-key warning: every §2.7 key, read or ignored, is known', () => {
    const doc = parseNodesConf(FULL_43, 'nodes.conf');
    expect(unknownKeyWarnings(doc)).toEqual([]);
    // a real typo among them still warns
    expect(unknownKeyWarnings(parseNodesConf(FULL_43.replace('prefix:', 'prefx:'), 'nodes.conf'))).toEqual([
      'nodes.conf:39:9: unknown key "network devices.eth0.prefx" in node n1 (kept in the file, not used)',
    ]);
  });

  it('ipmi tagsdel removes ipmi tags; ipxe template dracut becomes default + tag only when the entry has no IPXEMenuEntry tag', () => {
    const doc = parseNodesConf(FULL_43, 'nodes.conf');
    const profile = flattenEntity(doc.profiles.default as Record<string, unknown>, false);
    expect(profile.get('Ipmi.Tags[a]')?.value).toBe('1');
    expect(profile.has('Ipmi.Tags[b]')).toBe(false);
    expect(profile.get('Ipxe')?.value).toBe('default');
    expect(profile.get('Tags[IPXEMenuEntry]')?.value).toBe('dracut');
    const node = flattenEntity(doc.nodes.n1 as Record<string, unknown>, true);
    expect(node.get('Ipxe')?.value).toBe('dracut');
    expect(node.get('Tags[IPXEMenuEntry]')?.value).toBe('custom');
  });

  it('upgrade nodes writes today\'s keys only, says what it ignores and that dracut stays where the tag is set', async () => {
    const { doc, warnings } = await upgrade(FULL_43);
    const text = JSON.stringify(doc);
    for (const k of ['disabled', 'prefix', 'tagsdel', 'container name', 'kernel override', 'ipcidr', 'ip6addr', '"keys"', 'override']) expect(text, k).not.toContain(k);
    expect(doc.nodeprofiles.default?.ipmi).toMatchObject({ tags: { a: '1' } });
    expect(doc.nodeprofiles.default?.['ipxe template']).toBe('default');
    expect(doc.nodes.n1?.['ipxe template']).toBe('dracut');
    expect(doc.nodes.n1?.tags).toEqual({ IPXEMenuEntry: 'custom' });
    expect(warnings).toEqual(expect.arrayContaining([
      'nodes.conf: nodeprofiles.default: ignored: disabled: false (obsolete)',
      'nodes.conf: nodeprofiles.default: ignored: asset key: ignored-on-profiles (only nodes have one)',
      'nodes.conf: nodes.n1.network devices.eth0: ignored: prefix: 64 (obsolete)',
      'nodes.conf: nodes.n1: ipxe template "dracut" kept: tag IPXEMenuEntry is already set (today\'s "default" template with that tag replaces it)',
    ]));
  });
});

describe('kernel override (§2.7)', () => {
  function site() {
    const t = makeRoot();
    const p = resolvePaths({ env: { WAREWULF_ROOT: t.root } });
    const boot = join(p.wwchrootdir, 'rocky-8', 'rootfs', 'boot');
    mkdirSync(boot, { recursive: true });
    for (const k of ['vmlinuz-5.14.0-old.x86_64', 'vmlinuz-5.14.0-427.18.1.el9_4.x86_64', 'vmlinuz-5.14.0-427.24.1.el9_4.x86_64']) writeFileSync(join(boot, k), 'k');
    mkdirSync(join(p.wwprovisiondir, 'kernel', 'k1'), { recursive: true });
    writeFileSync(join(p.wwprovisiondir, 'kernel', 'k1', 'version'), '5.14.0-427.18.1.el9_4.x86_64\n');
    return p;
  }

  it('resolves to the image kernel of the version recorded for the imported kernel, or to NAME when it is a file in the image', async () => {
    const p = site();
    expect(await resolveKernelOverride(p, 'rocky-8', 'k1')).toBe('/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64');
    expect(await resolveKernelOverride(p, 'rocky-8', 'boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64')).toBe('boot/vmlinuz-5.14.0-427.24.1.el9_4.x86_64');
    expect(await resolveKernelOverride(p, 'rocky-8', 'unknown')).toBeUndefined();
    expect(await resolveKernelOverride(p, undefined, 'k1')).toBeUndefined();
    // boot time resolves the same name to the same kernel
    expect((await resolveNodeKernel(p, 'rocky-8', 'k1'))?.path).toBe('/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64');
  });

  it('upgrade nodes writes the resolved path, in the image a node boots through its profiles; an unresolved one is warned about', async () => {
    const p = site();
    const text = `nodeprofiles:
  default: {container name: rocky-8}
nodes:
  n1: {kernel override: k1}
  n2: {kernel: {override: nosuch}}
  n3: {kernel override: nosuch, kernel version: 5.14.0-old}
`;
    const { doc, warnings } = await upgrade(text, { resolveKernelOverride: (name, image) => resolveKernelOverride(p, image, name) });
    expect(doc.nodes.n1?.kernel).toEqual({ version: '/boot/vmlinuz-5.14.0-427.18.1.el9_4.x86_64' });
    expect(doc.nodes.n2?.kernel).toEqual({ version: 'nosuch' });
    expect(doc.nodes.n3?.kernel).toEqual({ version: '5.14.0-old' });
    expect(warnings).toEqual([
      'nodes.conf: nodes.n2: unable to resolve kernel override nosuch (image rocky-8): kernel version nosuch written',
      'nodes.conf: nodes.n3: unable to resolve kernel override nosuch (image rocky-8): kernel version 5.14.0-old written',
    ]);
  });
});

describe('warewulf.conf NFS mounts (§2.7 --with-warewulfconf, §3.4)', () => {
  const CONF = `nfs:
  export paths:
  - path: /home
    export options: rw,sync
    mount options: defaults
    mount: true
  - path: /opt
    export options: ro,sync
    mount: false
`;

  it('upgrade nodes: warewulf.conf\'s mounts first, then --add-defaults, whose fstab is added only when there is none', async () => {
    const mounts = legacyMounts(parseWarewulfConf(CONF));
    expect(mounts).toEqual([{ path: '/home', mountOptions: 'defaults' }]);
    const { doc } = await upgrade('nodeprofiles:\n  default: {comment: x}\nnodes: {}\n', { addDefaults: true, mounts });
    expect((doc.nodeprofiles.default?.resources as Record<string, unknown>).fstab).toEqual([
      { spec: 'warewulf:/home', file: '/home', vfstype: 'nfs', mntops: 'defaults' },
    ]);
    const none = await upgrade('nodeprofiles:\n  default: {comment: x}\nnodes: {}\n', { addDefaults: true });
    expect((none.doc.nodeprofiles.default?.resources as Record<string, unknown>).fstab).toEqual(DEFAULT_FSTAB);
    // an fstab that is not a list is left alone, with a warning
    const odd = await upgrade('nodeprofiles:\n  default: {resources: {fstab: {x: y}}}\nnodes: {}\n', { mounts });
    expect(odd.doc.nodeprofiles.default?.resources).toEqual({ fstab: { x: 'y' } });
    expect(odd.warnings).toEqual(['nodes.conf: nodeprofiles.default: unable to port NFS mounts from warewulf.conf: the fstab resource of profile default is not a list']);
  });

  it('upgrade config drops the mounts with a warning naming the original file; the live configuration warns where they are', () => {
    const log = memoryLogger();
    const out = upgradeWarewulfConf(CONF, 'warewulf.conf', log, 'warewulf.conf-old');
    expect(out).not.toMatch(/mount:|mount options/);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'warewulf.conf: NFS export /home is mounted on the nodes by the legacy warewulf.conf, which today\'s does not do: use wwctl upgrade nodes --with-warewulfconf=warewulf.conf-old to move the mount to nodes.conf',
    ]);
    const live = memoryLogger();
    parseWarewulfConf(CONF, { file: 'warewulf.conf', logger: live, warnLegacyMounts: true });
    expect(live.lines.map((l) => l.msg)).toEqual([
      'warewulf.conf:6:5: NFS export /home is mounted on the nodes by the legacy warewulf.conf, which today\'s does not do: use wwctl upgrade nodes --with-warewulfconf=warewulf.conf to move the mount to nodes.conf (ignored here)',
    ]);
    // 4.2's plain list: every path was mounted
    const old = memoryLogger();
    parseWarewulfConf('nfs:\n  exports:\n  - /home\n  - /srv\n', { file: 'w.conf', logger: old, warnLegacyMounts: true });
    expect(old.lines.map((l) => /^(\S+): NFS export (\S+) /.exec(l.msg)?.slice(1))).toEqual([['w.conf:3:5', '/home'], ['w.conf:4:5', '/srv']]);
    // without the option (the upgrade commands): silent
    const quiet = memoryLogger();
    parseWarewulfConf(CONF, { logger: quiet });
    expect(quiet.lines).toEqual([]);
  });
});
