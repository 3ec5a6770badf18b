/** Profile expansion (§2.3), merge and provenance (§2.4, §2.6, AT-5). */
import { describe, expect, it } from 'vitest';
import { NodeMerger, expandProfiles, memoryLogger, negateList, parseNodesConf, plainData } from '../src/index.js';

describe('expandProfiles (§2.3 upstream cases)', () => {
  const graph = (g: Record<string, string[]>) => (n: string) => g[n];
  it.each([
    [['p1'], { p1: ['p2'], p2: [] }, ['p2', 'p1']],
    [['p1'], { p1: ['p2'], p2: ['p3'], p3: [] }, ['p3', 'p2', 'p1']],
    [['p1', 'p2'], { p1: [], p2: ['~p1'] }, ['p2']],
    [['p1', 'p2', 'p3'], { p1: [], p2: ['~p1'], p3: ['~p1'] }, ['p2', 'p3']],
    [['p1', 'p4'], { p1: ['p2'], p2: ['p3'], p3: [], p4: ['~p2'] }, ['p3', 'p1', 'p4']],
    [['p1'], { p1: ['p2'], p2: ['p3'], p3: ['p1'] }, ['p3', 'p2', 'p1']],
    [['pa1', 'pb1'], { pa1: ['pa2'], pa2: [], pb1: ['~pa2', 'pb2'], pb2: ['pa2'] }, ['pa1', 'pb2', 'pb1']],
  ])('%j with %j -> %j', (names, g, want) => {
    expect(expandProfiles(names, graph(g))).toEqual(want);
  });

  it('skips a missing profile with a warning', () => {
    const log = memoryLogger();
    expect(expandProfiles(['nope', 'p1'], graph({ p1: [] }), log)).toEqual(['p1']);
    expect(log.lines).toEqual([{ level: 'warn', msg: 'profile not found: nope' }]);
  });
});

describe('merge', () => {
  const merge = (yaml: string, id: string) => {
    const m = new NodeMerger(parseNodesConf(yaml)).merge(id);
    if (!m) throw new Error('no node');
    return m;
  };

  it('lists concatenate over profiles, then ~x removes x; raw value and sources kept for -a', () => {
    const n = merge(
      `nodeprofiles:
  default: {kernel: {version: v1.0.0, args: [arg1, arg2]}, runtime overlay: [ro1, ro2], system overlay: [so1, so2]}
nodes:
  node1: {profiles: [default], kernel: {args: ["~arg2", arg3]}, runtime overlay: ["~ro1", ro3], system overlay: [so4, "~so2"]}
`,
      'node1',
    );
    const args = n.fields.get('Kernel.Args');
    expect(args?.value).toEqual(['arg1', 'arg3']);
    expect(args?.rawList).toEqual(['arg1', 'arg2', '~arg2', 'arg3']);
    expect(args?.contributors).toEqual(['default', 'node1']);
    expect(n.fields.get('RuntimeOverlay')?.value).toEqual(['ro2', 'ro3']);
    expect(n.fields.get('SystemOverlay')?.value).toEqual(['so1', 'so4']);
    expect(n.fields.get('Kernel.Version')).toMatchObject({ value: 'v1.0.0', profile: 'default', node: false });
  });

  it('scalars: right-most profile wins, the node beats profiles (SUPERSEDED)', () => {
    const doc = `nodeprofiles:
  p1: {tags: {tag: p1 tag}}
  p2: {tags: {tag: p2 tag}}
nodes:
  n1: {profiles: [p1, p2]}
  n2: {profiles: [p1, p2], tags: {tag: node tag}}
`;
    expect(merge(doc, 'n1').fields.get('Tags[tag]')).toMatchObject({ value: 'p2 tag', profile: 'p2', node: false });
    expect(merge(doc, 'n2').fields.get('Tags[tag]')).toMatchObject({ value: 'node tag', profile: 'p2', node: true });
  });

  it('maps merge per key: netmask from a profile, address from the node; default netmask only when unset', () => {
    const n = merge(
      `nodeprofiles:
  p1: {network devices: {default: {netmask: 255.255.0.0}}}
nodes:
  n1: {profiles: [p1], network devices: {default: {ipaddr: 10.0.0.1}, ib: {ipaddr: 10.1.0.1}}}
`,
      'n1',
    );
    expect(n.fields.get('NetDevs[default].Netmask')).toMatchObject({ value: '255.255.0.0', profile: 'p1', isDefault: false });
    expect(n.fields.get('NetDevs[default].Ipaddr')).toMatchObject({ value: '10.0.0.1', node: true });
    expect(n.fields.get('NetDevs[ib].Netmask')).toMatchObject({ value: '255.255.255.0', isDefault: true });
    expect(n.primaryNetDev).toBe('default'); // first by name when none is named
  });

  it('an explicit "false" WWbool overrides a profile "true"', () => {
    const n = merge('nodeprofiles: {p: {ipmi: {write: "true"}}}\nnodes: {n1: {profiles: [p], ipmi: {write: "false"}}}\n', 'n1');
    expect(n.fields.get('Ipmi.Write')?.value).toBe('false');
  });

  it('resources: maps deep-merged, lists appended profile first', () => {
    const n = merge(
      `nodeprofiles:
  p1: {resources: {fstab: [{spec: a}], opts: {x: 1, y: {z: 1}}}}
nodes:
  n1: {profiles: [p1], resources: {fstab: [{spec: b}], opts: {y: {w: 2}}}}
`,
      'n1',
    );
    expect(n.fields.get('Resources[fstab]')?.value).toEqual([{ spec: 'a' }, { spec: 'b' }]);
    // templates and JSON see YAML values; the document keeps the text (YamlScalar)
    expect(plainData(n.fields.get('Resources[opts]')?.value)).toEqual({ x: 1, y: { z: 1, w: 2 } });
    expect(n.fields.get('Resources[fstab]')?.contributors).toEqual(['p1', 'n1']);
  });

  it('a node without profiles gets default; the comment is inherited (the seed, not today\'s upstream)', () => {
    const n = merge('nodeprofiles: {default: {comment: from profile}}\nnodes: {n1: {}}\n', 'n1');
    expect(n.profiles).toEqual(['default']);
    expect(n.fields.get('Comment')).toMatchObject({ value: 'from profile', profile: 'default' });
  });

  it('an explicit empty profile list means no profiles', () => {
    const n = merge('nodeprofiles: {default: {comment: c}}\nnodes: {n1: {profiles: []}}\n', 'n1');
    expect(n.profiles).toEqual([]);
    expect(n.fields.has('Comment')).toBe(false);
  });

  it('built-in defaults fill only what no layer set', () => {
    const n = merge('nodeprofiles: {}\nnodes: {n1: {init: /bin/sh}}\n', 'n1');
    expect(n.fields.get('Init')).toMatchObject({ value: '/bin/sh', isDefault: false });
    expect(n.fields.get('Root')).toMatchObject({ value: 'initramfs', isDefault: true });
    expect(n.fields.get('Kernel.Args')).toMatchObject({ value: ['quiet', 'crashkernel=no', 'vga=791'], isDefault: true });
  });

  it('UNSET/UNDEF written in the file clear the value, as upstream does on save', () => {
    const n = merge('nodeprofiles: {p: {comment: from p, kernel: {args: [a]}}}\nnodes: {n1: {profiles: [p], comment: UNSET, runtime overlay: [x, UNDEF]}}\n', 'n1');
    expect(n.fields.get('Comment')).toMatchObject({ value: 'from p', node: false });
    expect(n.fields.get('RuntimeOverlay')).toMatchObject({ isDefault: true });
  });

  it('summary() gives the same profiles and networks as merge()', () => {
    const doc = parseNodesConf(`nodeprofiles:
  default: {network devices: {ib: {netmask: 255.255.0.0}}}
  p2: {profiles: [default], network devices: {eth1: {mtu: "9000"}}}
  neg: {profiles: ["~default"]}
nodes:
  a: {}
  b: {profiles: [p2], network devices: {eth0: {ipaddr: 10.0.0.1}, empty: {}}}
  c: {profiles: [p2, neg]}
  d: {profiles: []}
  e: {profiles: [nosuch], network devices: {x: {device: UNSET}}}
`);
    const m = new NodeMerger(doc);
    for (const id of Object.keys(doc.nodes)) {
      const full = m.merge(id);
      expect(m.summary(id)).toEqual({ id, profiles: full?.profiles, netdevs: full?.netdevs });
    }
    expect(m.summary('b')?.netdevs).toEqual(['eth0', 'eth1', 'ib']);
    expect(m.summary('c')?.netdevs).toEqual(['eth1']);
  });

  it('negateList', () => {
    expect(negateList(['rop1', 'rop2', 'nop1', '~rop1'])).toEqual(['rop2', 'nop1']);
  });
});

describe('the 4.3–4.5 vocabulary is read transparently (§2.7)', () => {
  it('maps legacy keys where the modern key is empty', () => {
    const doc = parseNodesConf(`nodeprofiles:
  leap: {kernel version: 5.14.21, ipmi netmask: "255.255.255.0", keys: {foo: baar}, runtime overlay: "generic,extra"}
nodes:
  node01:
    profiles: [leap]
    system overlay: nodeoverlay
    container name: rocky
    kernel args: "quiet splash"
    network devices: {eth0: {ipcidr: 1.2.3.4/24, ip6addr: "fd00::5", default: true}}
`);
    const n = new NodeMerger(doc).merge('node01');
    const v = (p: string) => n?.fields.get(p)?.value;
    expect(v('Kernel.Version')).toBe('5.14.21');
    expect(v('Ipmi.Netmask')).toBe('255.255.255.0');
    expect(v('Tags[foo]')).toBe('baar');
    expect(v('RuntimeOverlay')).toEqual(['generic', 'extra']);
    expect(v('SystemOverlay')).toEqual(['nodeoverlay']);
    expect(v('ImageName')).toBe('rocky');
    expect(v('Kernel.Args')).toEqual(['quiet', 'splash']);
    expect(v('NetDevs[eth0].Ipaddr')).toBe('1.2.3.4');
    expect(v('NetDevs[eth0].Netmask')).toBe('255.255.255.0');
    expect(v('NetDevs[eth0].Ipaddr6')).toBe('fd00::5');
    expect(v('PrimaryNetDev')).toBe('eth0');
  });
});
