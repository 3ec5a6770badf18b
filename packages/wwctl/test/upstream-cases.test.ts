/** Upstream's pinned cases (§9.2 AT-1, AT-3, AT-4, AT-10) re-expressed. */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { FIELD_BY_NAME, compressHostlist, expandHostlist, type FieldChange, type FieldSpec } from '@warewulf/core';
import { formatChangeSummary } from '../src/output/changes.js';
import { makeRoot, wwctl, type TestRoot } from './helpers.js';

const nodesOf = (t: TestRoot) => (yaml.load(t.readNodesConf()) as { nodes: Record<string, unknown> }).nodes;

describe('node list (AT-1)', () => {
  it('default table', async () => {
    const t = makeRoot('nodeprofiles: {p1: {}, p2: {}}\nnodes: {n01: {profiles: [p1, p2]}}\n');
    const r = await wwctl(t, 'node', 'list');
    expect(r.stdout).toBe('NODE NAME  PROFILES  NETWORK\n---------  --------  -------\nn01        p1,p2     --\n');
  });

  it('-a in today\'s layout (--style current): list sources accumulate, raw concatenation shown', async () => {
    const t = makeRoot(`nodeprofiles: {p1: {system overlay: [sop1], runtime overlay: [rop1, rop2]}}
nodes: {n01: {profiles: [p1], runtime overlay: [nop1, "~rop1"]}}
`);
    const r = await wwctl(t, 'node', 'list', '-a', '--style', 'current');
    expect(r.stdout).toBe(`NODE  FIELD           PROFILE  VALUE
----  -----           -------  -----
n01   Profiles        --       p1
n01   RuntimeOverlay  p1,n01   rop1,rop2,nop1,~rop1
n01   SystemOverlay   p1       sop1
`);
    const l = await wwctl(t, 'node', 'list', '-l');
    expect(l.stdout.split('\n')[2]).toBe('n01        --              --     sop1/rop2,nop1');
  });

  it('-a current with network fields', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes: {n01: {profiles: [default], network devices: {default: {hwaddr: "aa:bb:cc:dd:ee:ff", ipaddr: 1.1.1.1}}}}\n');
    const r = await wwctl(t, 'node', 'list', '-a', '--style', 'current');
    expect(r.stdout).toBe(`NODE  FIELD                    PROFILE  VALUE
----  -----                    -------  -----
n01   Profiles                 --       default
n01   NetDevs[default].Hwaddr  --       aa:bb:cc:dd:ee:ff
n01   NetDevs[default].Ipaddr  --       1.1.1.1
`);
  });

  it('-y and -j', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes: {n01: {profiles: [default]}}\n');
    expect((await wwctl(t, 'node', 'list', '-y')).stdout).toBe('n01:\n    profiles:\n        - default\n');
    expect((await wwctl(t, 'node', 'list', '-j')).stdout).toBe('{\n  "n01": {\n    "profiles": [\n      "default"\n    ]\n  }\n}\n');
  });

  it('-i shows the merged IPMI settings; an unset address of an ipmi section prints Go\'s nil IP `<nil>` (upstream\'s test, §1.3)', async () => {
    const t = makeRoot('nodeprofiles: {default: {ipmi: {username: admin}}}\nnodes: {n01: {profiles: [default], ipmi: {username: user}}, n02: {profiles: []}}\n');
    const r = await wwctl(t, 'node', 'list', '-i');
    expect(r.stdout).toBe('NODE  IPMI IPADDR  IPMI PORT  IPMI USERNAME  IPMI INTERFACE\n----  -----------  ---------  -------------  --------------\nn01   <nil>        --         user           --\nn02   --           --         --             --\n');
  });

  it('-n: unset addresses of a network print `<nil>`, empty strings `--`, a node without networks one row of `--` (§1.3)', async () => {
    const t = makeRoot('nodes: {n01: {network devices: {default: {hwaddr: "aa:bb:cc:dd:ee:ff"}}}, n02: {}}\n');
    const r = await wwctl(t, 'node', 'list', '-n');
    expect(r.stdout).toBe('NODE  NETWORK  HWADDR             IPADDR  GATEWAY  DEVICE\n----  -------  ------             ------  -------  ------\nn01   default  aa:bb:cc:dd:ee:ff  <nil>   <nil>    --\nn02   --       --                 --      --       --\n');
  });
});

describe('node add (AT-3)', () => {
  it('numbers addresses over a range', async () => {
    const t = makeRoot('');
    const r = await wwctl(t, 'node', 'add', '--ipaddr=10.10.0.1', '--netname=foo', '--ipmiaddr=10.20.0.1', 'n[01-03]');
    expect(r.code, r.stderr).toBe(0);
    expect(nodesOf(t)).toEqual({
      n01: { ipmi: { ipaddr: '10.20.0.1' }, 'network devices': { foo: { ipaddr: '10.10.0.1' } } },
      n02: { ipmi: { ipaddr: '10.20.0.2' }, 'network devices': { foo: { ipaddr: '10.10.0.2' } } },
      n03: { ipmi: { ipaddr: '10.20.0.3' }, 'network devices': { foo: { ipaddr: '10.10.0.3' } } },
    });
  });

  it('an empty node name is refused, nothing written', async () => {
    const t = makeRoot('');
    const before = t.readNodesConf();
    const r = await wwctl(t, 'node', 'add', '');
    expect([r.code, r.stderr]).toEqual([255, 'ERROR: no node name in ""\n']);
    expect(t.readNodesConf()).toBe(before);
  });

  it('bool flags: bare means true, junk is refused', async () => {
    const t = makeRoot('');
    expect((await wwctl(t, 'node', 'add', '--discoverable', 'n01')).code).toBe(0);
    expect(nodesOf(t)).toEqual({ n01: { discoverable: 'true' } });
    expect(t.readNodesConf()).toContain('discoverable: "true"');
    expect((await wwctl(t, 'node', 'add', '--discoverable=maybe', 'n02')).code).not.toBe(0);
    expect(Object.keys(nodesOf(t))).toEqual(['n01']);
  });

  it('bool flags: a true/false word after the flag is its value, never a node name (ours; pflag would take a node "false")', async () => {
    const t = makeRoot('');
    expect((await wwctl(t, 'node', 'add', 'n01', 'n02')).code).toBe(0);
    const r = await wwctl(t, 'node', 'set', '--yes', '--discoverable', 'false', 'n01');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('invalid node');
    expect((await wwctl(t, 'node', 'set', '--yes', '--onboot', 'no', '--ipmiwrite', 'TRUE', 'n02')).code).toBe(0);
    expect(nodesOf(t)).toEqual({
      n01: { discoverable: 'false' },
      n02: { ipmi: { write: 'true' }, 'network devices': { default: { onboot: 'false' } } },
    });
  });

  it('disks, partitions and file systems', async () => {
    const t = makeRoot('');
    const r = await wwctl(t, 'node', 'add', '--fsname=var', '--fspath=/var', '--fsformat=btrfs', '--partname=var', '--diskname=/dev/vda', '--partnumber=1', 'n01');
    expect(r.code, r.stderr).toBe(0);
    expect(nodesOf(t)).toEqual({
      n01: { disks: { '/dev/vda': { partitions: { var: { number: '1' } } } }, filesystems: { '/dev/disk/by-partlabel/var': { format: 'btrfs', path: '/var' } } },
    });
    expect(t.readNodesConf()).toContain('number: "1"');
    const bad = await wwctl(t, 'node', 'add', '--fsname=dev/vda1', '--fspath=/var', 'n02');
    expect(bad.stderr).toBe('ERROR: filesystems need to have a underlying blockdev\n');
  });

  it('gets the default profile when one exists', async () => {
    const t = makeRoot('nodeprofiles: {default: {}, foo: {}}\nnodes: {}\n');
    await wwctl(t, 'node', 'add', 'n01');
    await wwctl(t, 'node', 'add', '--profile=foo', 'n02');
    expect(nodesOf(t)).toEqual({ n01: { profiles: ['default'] }, n02: { profiles: ['foo'] } });
  });
});

describe('node set (AT-4)', () => {
  it('UNDEF clears; explicit false overrides a profile', async () => {
    const t = makeRoot('nodeprofiles: {default: {ipmi: {write: "true"}}}\nnodes: {n01: {comment: foo, profiles: [default]}}\n');
    await wwctl(t, 'node', 'set', '--yes', '--comment=UNDEF', 'n01');
    expect(nodesOf(t)).toEqual({ n01: { profiles: ['default'] } });
    await wwctl(t, 'node', 'set', '--yes', '--ipmiwrite=false', 'n01');
    expect(nodesOf(t)).toEqual({ n01: { profiles: ['default'], ipmi: { write: 'false' } } });
    await wwctl(t, 'node', 'set', '--yes', '--ipmiwrite', 'n01');
    expect(nodesOf(t)).toEqual({ n01: { profiles: ['default'], ipmi: { write: 'true' } } });
  });

  it('network tags: add creates the device, deleting the last tag removes it', async () => {
    const t = makeRoot('nodes: {n01: {}}\n');
    await wwctl(t, 'node', 'set', '--yes', '--nettagadd=dns1=1.1.1.1,dns2=2.2.2.2', 'n01');
    expect(nodesOf(t)).toEqual({ n01: { 'network devices': { default: { tags: { dns1: '1.1.1.1', dns2: '2.2.2.2' } } } } });
    await wwctl(t, 'node', 'set', '--yes', '--nettagdel=dns1,dns2', 'n01');
    expect(nodesOf(t)).toEqual({ n01: {} });
  });

  it('mtu on a named network; commas in a scalar are kept', async () => {
    const t = makeRoot('nodes: {n01: {}}\n');
    await wwctl(t, 'node', 'set', '--yes', '--mtu', '1234', '--netname=mynet', 'n01', '--comment', 'This is a , comment');
    expect(nodesOf(t)).toEqual({ n01: { comment: 'This is a , comment', 'network devices': { mynet: { mtu: '1234' } } } });
  });

  it('partition flags; --all; the change summary', async () => {
    const t = makeRoot('nodes: {n01: {}, n02: {}, n03: {}}\n');
    await wwctl(t, 'node', 'set', '--yes', '--partwipe', '--partname=var', '--diskname=/dev/vda', 'n01');
    expect(nodesOf(t).n01).toEqual({ disks: { '/dev/vda': { partitions: { var: { wipe_partition_entry: true } } } } });
    const r = await wwctl(t, 'node', 'set', '--yes', '--all', '--comment=batch-update');
    expect(r.stdout).toBe('Applying following changes:\nn[01-03]:\n  comment: <unset> → "batch-update"\n');
    expect(r.stderr).toBe('WARN   : this command will modify all nodes\n');
  });

  it('an unknown node is warned about once and skipped', async () => {
    const t = makeRoot('nodes: {n01: {}}\n');
    const r = await wwctl(t, 'node', 'set', '--yes', 'n01', 'n99', '--comment', 'x');
    expect(r.stderr).toBe('WARN   : invalid node: n99\n');
    expect(nodesOf(t)).toEqual({ n01: { comment: 'x' } });
  });

  it('without --yes and without a terminal nothing is written', async () => {
    const conf = 'nodes: {n01: {}}\n';
    const t = makeRoot(conf);
    const r = await wwctl(t, 'node', 'set', 'n01', '--comment', 'x');
    expect(r.stdout).toBe('n01:\n  comment: <unset> → "x"\nNo changes made!\n');
    expect(t.readNodesConf()).toBe(conf);
  });

  it('node unset clears the node value so the profile shows through; a selector alone removes the network', async () => {
    const t = makeRoot('nodeprofiles: {default: {image name: img}}\nnodes: {n01: {profiles: [default], image name: mine, network devices: {eth9: {device: eth9}}}}\n');
    expect((await wwctl(t, 'node', 'unset', '--yes', '--image', 'n01')).code).toBe(0);
    expect((await wwctl(t, 'node', 'list', '-l')).stdout).toContain('img');
    await wwctl(t, 'node', 'unset', '--yes', '--netname', 'eth9', 'n01');
    expect(nodesOf(t)).toEqual({ n01: { profiles: ['default'] } });
    const none = await wwctl(t, 'node', 'unset', '--yes', 'n01');
    expect(none.stderr).toBe('ERROR: no fields specified to unset\n');
  });
});

describe('profiles', () => {
  it('add, set, list, delete', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes: {}\n');
    await wwctl(t, 'profile', 'add', 'gpu', '--comment', 'GPU nodes', '--tagadd', 'gres=gpu:4');
    await wwctl(t, 'profile', 'set', '--yes', 'gpu', '--kernelargs', 'quiet,"console=ttyS0,115200"');
    const l = await wwctl(t, 'profile', 'list');
    expect(l.stdout).toBe('PROFILE NAME  COMMENT/DESCRIPTION\n------------  -------------------\ndefault       --\ngpu           GPU nodes\n');
    const a = await wwctl(t, 'profile', 'list', '-a', 'gpu');
    expect(a.stdout).toContain('gpu      Kernel.Args  quiet,console=ttyS0,115200');
    expect((await wwctl(t, 'profile', 'delete', '--yes', 'gpu')).code).toBe(0);
    expect((await wwctl(t, 'profile', 'list', '-y')).stdout).toBe('default: {}\n');
  });

  it('set warns about an image or overlay that does not exist, and writes the value (ours)', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1: {}\n');
    const r = await wwctl(t, 'node', 'set', '--yes', 'n1', '--image', 'nosuch-image', '--runtime-overlays', 'hosts,nosuch-overlay,~generic');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('WARN   : image nosuch-image does not exist (yet)');
    expect(r.stderr).toContain('WARN   : overlay nosuch-overlay does not exist (yet)');
    expect(r.stderr).not.toMatch(/overlay (hosts|generic|~generic) does not exist/);
    expect(nodesOf(t).n1).toMatchObject({ 'image name': 'nosuch-image', 'runtime overlay': ['hosts', 'nosuch-overlay', '~generic'] });
  });

  it('profile delete warns about the nodes that still list the profile (ours)', async () => {
    const t = makeRoot('nodeprofiles: {default: {}, gpu: {}, other: {}}\nnodes:\n  n1: {profiles: [default, gpu]}\n  n2: {profiles: [default]}\n');
    const r = await wwctl(t, 'profile', 'delete', '--yes', 'gpu', 'other');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('WARN   : profile gpu is still listed by 1 node(s)/profile(s): n1\n');
  });
});

describe('hostlist and change summary (AT-10)', () => {
  it('patterns', () => {
    expect(expandHostlist('n[1-3],n5,n[7-8,10]')).toEqual(['n1', 'n2', 'n3', 'n5', 'n7', 'n8', 'n10']);
    expect(expandHostlist('r[1-2]-n[3-4]')).toEqual(['r1-n3', 'r1-n4', 'r2-n3', 'r2-n4']);
    expect(compressHostlist(['n01', 'n02', 'n03', 'n05'])).toBe('n[01-03,05]');
  });
  it('groups identical change sets', () => {
    const field = (name: string, before: unknown, after: unknown): FieldChange => ({
      kind: 'field', ref: { spec: FIELD_BY_NAME.get(name) as FieldSpec, keys: [] }, path: name, before, after,
    });
    const so = field('SystemOverlay', ['wwinit'], ['wwinit', 'foo']);
    const s = formatChangeSummary(new Map([['n01', [so]], ['n02', [so]], ['n03', [field('Comment', undefined, 'x')]]]));
    expect(s).toBe('n[01-02]:\n  system-overlays: [wwinit] → [wwinit, foo]\n\nn03:\n  comment: <unset> → "x"\n');
  });
});
