/** `overlay show --render` formatting (§5.7, AT-9) and `overlay info` (§5.8). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTemplate, notTemplateWarning, showRenderText, templateInfo, templateReferences } from '../src/overlay/index.js';
import { makeWorld, OVERLAYS } from './overlay-fixture.js';

const AT9_NODES = `nodeprofiles:
  default: {}
nodes:
  node1:
    network devices:
      default: {device: wwnet0, ipaddr: 192.168.3.21}
      secondary: {device: wwnet1, ipaddr: 192.168.3.22}
  node2:
    network devices:
      default: {device: wwnet0, ipaddr: 192.168.3.23}
`;
const AT9_CONF = 'ipaddr: 192.168.0.1/24\n';

const world = makeWorld({ nodesConf: AT9_NODES, warewulfConf: AT9_CONF });
afterAll(() => world.cleanup());

const compile = (overlay: string, path: string, text?: string) =>
  compileTemplate({ overlay, path, source: join(OVERLAYS, overlay, 'rootfs', path) }, text ?? readFileSync(join(OVERLAYS, overlay, 'rootfs', path), 'utf8'), world.env);

describe('overlay show --render', () => {
  it('renders the hosts overlay as upstream AT-9 pins it', () => {
    const out = showRenderText(compile('hosts', 'etc/hosts.ww').render(world.data('node1')));
    expect(out.trim()).toBe(`backupFile: true
writeFile: true
Filename: etc/hosts
127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4
::1         localhost localhost.localdomain localhost6 localhost6.localdomain6

# Warewulf Server
192.168.0.1 wwserver warewulf
# Entry for node1
192.168.3.21 node1 node1-default node1-wwnet0
192.168.3.22  node1-secondary node1-wwnet1
# Entry for node2
192.168.3.23 node2 node2-default node2-wwnet0`);
  });

  it('one block per written slot, symlinks without content, -q hides the INFO lines', () => {
    const r = compile('x', 'etc/x.ww', 'gone{{ file "a" }}A\n{{ file "b" }}{{ softlink "/t" }}{{ nobackup }}').render(world.data('node1'));
    expect(showRenderText(r)).toBe('backupFile: false\nwriteFile: true\nFilename: a\nA\nbackupFile: false\nwriteFile: true\nFilename: b\nSymlink: /t\n');
    expect(showRenderText(r, { quiet: true })).toBe('A\n');
  });

  it('an aborted template shows writeFile: false, its partial text and Aborted', () => {
    const r = compile('x', 'etc/x.ww', 'partial {{ .Id }}{{ abort }}rest').render(world.data('node1'));
    expect(showRenderText(r)).toBe('backupFile: true\nwriteFile: false\npartial node1\nAborted\n');
  });

  it('an unknown node renders for the host pseudo node, and non-templates get a warning', () => {
    const r = compile('x', 'etc/x.ww', '{{ .Id }} {{ .ClusterName }}').render(world.data('no-such-node'));
    expect(r.slots[0]!.content).toBe('wwserver wwserver');
    expect(notTemplateWarning('etc/hosts')).toBe("etc/hosts lacks the '.ww' suffix, will not be rendered in an overlay");
    expect(notTemplateWarning('etc/hosts.ww')).toBeUndefined();
  });
});

describe('overlay info', () => {
  it('lists the fields a template uses with their flag, type and help (§5.8 example)', () => {
    const t = compile('x', 'x.ww', '{{ .Kernel.Args }} {{ .Ipmi.UserName }} {{ .Ipmi.Ipaddr }} {{ .Warewulf.Port }}');
    expect(templateInfo(t.template, t.text).rows).toEqual([
      { variable: '.Ipmi.Ipaddr', option: '--ipmiaddr', type: 'IP', help: 'the IPMI IP address' },
      { variable: '.Ipmi.UserName', option: '--ipmiuser', type: 'string', help: 'the IPMI username' },
      { variable: '.Kernel.Args', option: '--kernelargs', type: '[]string', help: 'kernel arguments' },
      { variable: '.Warewulf.Port', option: '', type: 'int', help: '' },
    ]);
  });

  it('resolves range and assignment variables, wwdoc lines first, comment help overrides', () => {
    const t = compile('x', 'x.ww', `{{/* wwdoc2: second line */}}{{/* wwdoc1: first line */}}{{/* .Tags.rack: the rack number */}}
{{ range $name, $nd := .NetDevs }}{{ $nd.Ipaddr }} {{ $nd.IpCIDR }}{{ end }}{{ $n := .ThisNode }}{{ $n.ClusterName }}
{{ .Tags.rack }} {{ .Nosuch.Field }} {{ with .Ipmi }}{{ .Port }}{{ end }}`);
    const info = templateInfo(t.template, t.text);
    expect(info.doc).toEqual(['first line', 'second line']);
    expect(info.rows).toEqual([
      { variable: '.Ipmi.Port', option: '--ipmiport', type: 'string', help: 'the IPMI port' },
      { variable: '.NetDevs[].IpCIDR', option: '', type: 'string', help: '' },
      { variable: '.NetDevs[].Ipaddr', option: '--ipaddr', type: 'IP', help: 'IPv4 address in given network' },
      { variable: '.Tags.rack', option: '', type: 'string', help: 'the rack number' },
      { variable: '.ThisNode.ClusterName', option: '--cluster', type: 'string', help: 'cluster group' },
    ]);
  });

  it('tells the builder what a template reads', () => {
    expect(templateReferences(compile('hosts', 'etc/hosts.ww').template)).toMatchObject({ wholeData: false });
    expect(templateReferences(compile('hosts', 'etc/hosts.ww').template).paths).toContain('.AllNodes');
    expect(templateReferences(compile('hostname', 'etc/hostname.ww').template)).toEqual({ paths: ['.Id'], wholeData: false });
    expect(templateReferences(compile('x', 'x.ww', '{{ toJson . }}').template).wholeData).toBe(true);
    expect(templateReferences(compile('x', 'x.ww', '{{ $d := . }}{{ $d.Id }}').template).paths).toEqual(['.Id']);
  });
});
