/** The template data object (§5.3): fields, Go printing per type, methods, aliases, AllNodes, immutability. */
import { afterAll, describe, expect, it } from 'vitest';
import { compileTemplate, NodeData, nodeTemplateData, TemplateBuild } from '../src/overlay/index.js';
import { NodeMerger, parseNodesConf } from '../src/index.js';
import { makeWorld } from './overlay-fixture.js';

const world = makeWorld();
afterAll(() => world.cleanup());

const run = (text: string, node = 'node1') =>
  compileTemplate({ overlay: 'ov', path: 'x.ww', source: '/src/x.ww' }, text, world.env).render(world.data(node)).slots[0]!.content;

describe('template data', () => {
  it('server data from warewulf.conf and the paths', () => {
    expect(run('{{ .Ipaddr }} {{ .Netmask }} {{ .Network }} {{ .IpCIDR }} {{ .NetworkCIDR }}')).toBe('192.168.0.1 255.255.255.0 192.168.0.0 192.168.0.1/24 192.168.0.0/24');
    expect(run('{{ .Ipaddr6 }} {{ .PrefixLen6 }} {{ .IpCIDR6 }} {{ .Network6 }} {{ .NetworkCIDR6 }} {{ .Ipv6 }}')).toBe('fd00::1 64 fd00::1/64 fd00:: fd00::/64 true');
    expect(run('{{ .Warewulf.Port }} {{ .Warewulf.Secure }} {{ .Warewulf.AutobuildOverlays }} {{ .Warewulf.GrubBoot }} {{ .Warewulf.TLSEnabled }}')).toBe('9873 false true false false');
    expect(run('{{ .Dhcp.Enabled }} {{ .Dhcp.Template }} {{ .Dhcp.RangeStart }} {{ .Tftp.TftpRoot }} {{ index .Tftp.IpxeBinaries "00:07" }}')).toBe('true default 192.168.0.100 /srv/tftp ipxe-snponly-x86_64.efi');
    expect(run('{{ range .Nfs.ExportsExtended }}{{ .Path }}({{ .ExportOptions }}) {{ end }}{{ .Ssh.KeyTypes }} {{ .Paths.Sysconfdir }} {{ .Paths.WWClientdir }}')).toBe('/home(rw,sync) /opt(ro,sync,no_root_squash) [ed25519 ecdsa rsa] /etc /warewulf');
    expect(run('{{ .BuildHost }} {{ .BuildTimeUnix }} {{ .Overlay }} {{ .BuildSource }} {{ .Id }} {{ .Hostname }}')).toBe('wwserver 1704164645 ov /src/x.ww node1 node1');
    expect(run('{{ .BuildTime }}')).toMatch(/^01-02-2024 \d\d:\d\d:05 \S+$/);
  });

  it('node fields, merged, with Go printing', () => {
    expect(run('{{ .ImageName }} {{ .Container }} {{ .ContainerName }} {{ .ClusterName }} {{ .Profiles }} {{ .PrimaryNetDev }}')).toBe('rockylinux-9 rockylinux-9 rockylinux-9 cluster1 [default] default');
    expect(run('{{ .Kernel.Args }}|{{ range .Kernel.Args }}<{{ . }}>{{ end }}|{{ join "," .Kernel.Args }}')).toBe(
      'quiet crashkernel=no vga=791 net.naming-scheme=v238|<quiet><crashkernel=no><vga=791><net.naming-scheme=v238>|quiet,crashkernel=no,vga=791,net.naming-scheme=v238',
    );
    expect(run('{{ .Kernel.Version }}|{{ .Kernel.Override }}')).toBe('5.14.0-427.el9.x86_64|'); // from the image's default kernel
    expect(run('{{ .Kernel.Version }}|{{ .Kernel.Override }}', 'node3')).toBe('2.6.0|2.6.0');
    expect(run('{{ .Ipmi.Ipaddr }} {{ .Ipmi.Gateway }} {{ .Ipmi.Write }} {{ .Ipmi.Write.Bool }} {{ .Ipmi.Tags.vlan }} {{ if .Ipmi.Gateway }}set{{ else }}unset{{ end }}')).toBe('192.168.4.21 <nil> true true <no value> unset');
    expect(run('{{ .Tags.localtime }} {{ .Keys.localtime }} {{ .Tags.nosuch }}')).toBe('Europe/Berlin Europe/Berlin <no value>');
  });

  it('network devices: IPs, WWbool, methods; .Primary false in the promoted copy only', () => {
    expect(run('{{ with .NetDevs.default }}{{ .Ipaddr }} {{ .Netmask }} {{ .IpCIDR }} {{ .IpCIDR6 }} {{ .Gateway6 }} {{ .MTU }} {{ .OnBoot }}/{{ .OnBoot.BoolDefaultTrue }}{{ end }}')).toBe(
      '192.168.3.21 255.255.255.0 192.168.3.21/24 fd00::21/64 fd00::1 9000 /true',
    );
    expect(run('{{ with .NetDevs.secondary }}{{ .Ipaddr6 }} {{ .IpCIDR6 }}| {{ .OnBoot }}/{{ .OnBoot.Bool }}/{{ .OnBoot.BoolDefaultTrue }} {{ if .Ipaddr6 }}v6{{ end }}{{ end }}')).toBe('<nil> | false/false/false ');
    expect(run('{{ .NetDevs.default.Primary }} {{ .ThisNode.NetDevs.default.Primary }} {{ (index .AllNodes 1).NetDevs.default.Primary }} {{ .ThisNode.NetDevs.secondary.Primary }}')).toBe('false true true false');
  });

  it('disks and file systems, sorted lists with Ids', () => {
    expect(run('{{ range .ThisNode.DiskList }}{{ .Id }} {{ .WipeTable }}:{{ range .PartitionList }} {{ .Id }}={{ .Number }}/{{ .ShouldExist }}{{ end }}{{ end }}')).toBe('/dev/vda true: scratch=1/true swap=2/false');
    expect(run('{{ range .ThisNode.FileSystemList }}{{ .Id }}:{{ .Format }}:{{ .Path }} {{ end }}')).toBe('/dev/disk/by-partlabel/scratch:btrfs:/scratch /dev/disk/by-partlabel/swap:swap:swap ');
    expect(run('{{ range .Resources.fstab }}{{ .file }} {{ end }}{{ len .Resources.localusers }}')).toBe('/home /opt 1');
  });

  it('.AllNodes is sorted by cluster name, then id, and built once per build', () => {
    expect(run('{{ range .AllNodes }}{{ .ClusterName }}/{{ .Id }} {{ end }}')).toBe('cluster0/node3 cluster1/node1 cluster1/node2 ');
    expect(world.data('node1').AllNodes).toBe(world.data('node2').AllNodes);
    expect(world.data('node1').ThisNode).toBe(world.data('node1').AllNodes[1]);
  });

  it('is read-only: a template cannot change what other nodes see', () => {
    expect(() => run('{{ $_ := set .Tags "rack" "9" }}')).toThrow(/error calling set/);
    expect(() => run('{{ $_ := set (index .Resources.fstab 0) "file" "/x" }}')).toThrow(/error calling set/);
    expect(run('{{ $t := deepCopy .Tags }}{{ $_ := set $t "rack" "9" }}{{ $t.rack }} {{ .Tags.rack }}')).toBe('9 <no value>');
  });

  it('the host pseudo node and a node outside the registry', () => {
    const host = world.build.hostData();
    expect([host.Id, host.ClusterName, host.NetDevs, host.Kernel.Args.length]).toEqual(['wwserver', 'wwserver', {}, 0]);
    const n = new NodeMerger(parseNodesConf('nodes:\n  lone: {}\n')).merge('lone')!;
    const d = nodeTemplateData(n);
    expect(d).toBeInstanceOf(NodeData);
    expect([d.Id, d.AllNodes.map((x) => x.Id), d.Warewulf.Port, d.Dhcp.Template]).toEqual(['lone', ['lone'], 9873, 'default']);
  });

  it('is cheap: per-node views are built once per build', () => {
    const doc = parseNodesConf(
      'nodeprofiles:\n  default:\n    network devices:\n      default: {netmask: 255.255.0.0}\nnodes:\n' +
        Array.from({ length: 2000 }, (_, i) => `  n${i}:\n    network devices:\n      default: {ipaddr: 10.0.${i >> 8}.${i & 255}, hwaddr: "aa:bb:cc:dd:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}"}\n`).join(''),
    );
    const merger = new NodeMerger(doc);
    const nodes = Object.keys(doc.nodes).map((id) => merger.merge(id)!);
    const build = new TemplateBuild(world.build.ctx, nodes);
    const all = nodes.map((n) => build.dataFor(n));
    expect(all[1999]!.NetDevs['default']!.IpCIDR()).toBe('10.0.7.207/16');
    expect(all[0]!.AllNodes).toHaveLength(2000);
    expect(build.info(nodes[5]!)).toBe(all[5]!.ThisNode);
  });
});
