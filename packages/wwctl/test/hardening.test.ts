/**
 * Issue 7's classes of faults, each with the issue's example and further
 * members of its class: names, object-member names, the command line,
 * node add numbering, missing targets, fresh roots, scale limits, legacy
 * validation, export/import identity and concurrent edits.
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { WWCTL_BIN, fails, makeRoot, nodesOf, wwctl, type TestRoot } from './helpers.js';

const BASE = 'nodeprofiles:\n  default: {}\nnodes:\n  n1: {}\n';
describe('entry names: one rule per kind, on every way in', () => {
  const BAD_NODE_NAMES = ['', 'a b', '../../evil', 'n/1', '-x', '.', 'n1.', 'a\tb', 'x'.repeat(64)];

  it.each(BAD_NODE_NAMES)('node name %j is refused by node add, node import and a hand-written nodes.conf', async (name) => {
    const t = makeRoot(BASE);
    if (name !== '') await fails(t, ['node', 'add', '--', name], /invalid node name/);
    const file = t.write('import.yaml', `${JSON.stringify(name)}: {comment: x}\n`);
    await fails(t, ['node', 'import', '--yes', file], /import\.yaml(:1:1)?: .*invalid node name/);
    t.writeNodesConf(`nodeprofiles: {default: {}}\nnodes:\n  ${JSON.stringify(name)}: {}\n`);
    const r = await wwctl(t, 'node', 'list');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/nodes\.conf:3:3: nodes\..*: invalid node name/);
  });

  it.each([
    ['network', 'network devices:\n      "a/b": {device: eth0}', /invalid network name "a\/b"/],
    ['network', 'network devices:\n      "": {device: eth0}', /invalid network name ""/],
    ['disk', 'disks:\n      "../dev/sda": {}', /invalid disk name/],
    ['partition', 'disks:\n      /dev/sda:\n        partitions:\n          "p 1": {}', /invalid partition name "p 1"/],
    ['file system', 'filesystems:\n      "dev/x": {}', /invalid filesystem name/],
    ['tag', 'tags:\n      "a b": x', /invalid tag name "a b"/],
    ['profile', null, /invalid profile name "~p"/],
  ])('a hand-written %s name is refused with FILE:LINE:COL', async (_kind, body, message) => {
    const t = makeRoot(body === null ? 'nodeprofiles:\n  "~p": {}\nnodes: {}\n' : `nodeprofiles: {default: {}}\nnodes:\n  n1:\n    ${body}\n`);
    const r = await wwctl(t, 'node', 'list');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/nodes\.conf:\d+:\d+: /);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [['--netname', '', '--ipaddr', '10.0.0.1'], /--netname: invalid network name ""/],
    [['--netname', 'a/b', '--ipaddr', '10.0.0.1'], /--netname: invalid network name/],
    [['--diskname', '', '--diskwipe'], /--diskname: invalid disk name ""/],
    [['--diskname', '/dev/../etc', '--diskwipe'], /--diskname: invalid disk name/],
    [['--tagadd', 'a b=c'], /--tagadd: invalid tag name "a b"/],
    [['--tagadd', '=c'], /--tagadd: expected key=value/],
  ])('node set %j is refused', async (flags, message) => {
    const t = makeRoot(BASE);
    await fails(t, ['node', 'set', '--yes', 'n1', ...flags], message);
  });

  it('node edit with a bad name is refused before anything is written', async () => {
    const t = makeRoot(BASE);
    const editor = t.write('editor.sh', '#!/bin/sh\nprintf \'"a b": {}\\n\' > "$1"\n', 0o755);
    t.env.EDITOR = editor;
    await fails(t, ['node', 'edit', '--yes', 'n1'], /invalid node name "a b"/);
  });

  it('importing a whole nodes.conf by mistake says so', async () => {
    const t = makeRoot(BASE);
    const file = t.write('whole.conf', 'nodeprofiles:\n  default: {}\nnodes:\n  n9: {}\n');
    await fails(t, ['node', 'import', '--yes', file], /whole\.conf: this is a whole nodes\.conf/);
  });
});

describe('JavaScript object members are ordinary names', () => {
  it('--netname __proto__ --nettagadd writes a network named __proto__, never a top-level tags', async () => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n1', '--netname', '__proto__', '--nettagadd', 'role=pwn');
    expect(r.code).toBe(0);
    const n1 = nodesOf(t).n1 as Record<string, unknown>;
    expect(n1.tags).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(n1['network devices'] as object, '__proto__')?.value).toEqual({ tags: { role: 'pwn' } });
    expect(({} as Record<string, unknown>).role).toBeUndefined(); // nothing leaked into Object.prototype
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])('node add %s creates it; profile %s does not exist until added', async (name) => {
    const t = makeRoot(BASE);
    const add = await wwctl(t, 'node', 'add', name);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(Object.getOwnPropertyDescriptor(yaml.load(t.readNodesConf()) as object, 'nodes')?.value).toHaveProperty([name]);
    await fails(t, ['node', 'set', '--yes', 'n1', '--profile', name], new RegExp(`profile not found: ${name}`));
    await fails(t, ['profile', 'set', '--yes', name, '--comment', 'x'], /no such profile/);
    const exp = await wwctl(t, 'node', 'export', name);
    expect(exp.stdout).toContain(name);
  });

  it('a hand-written __proto__ node survives list and export', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  __proto__: {comment: special}\n  n1: {}\n');
    expect((await wwctl(t, 'node', 'list')).stdout).toMatch(/^__proto__ /m);
    expect((await wwctl(t, 'node', 'export')).stdout).toContain('__proto__:\n  comment: special');
  });
});

describe('the command line: values are taken verbatim', () => {
  it.each([
    [['--kernelargs', 'console=ttyS0,115200n8'], ['console=ttyS0,115200n8']],
    [['--kernelargs', 'quiet console=ttyS0,115200n8'], ['quiet', 'console=ttyS0,115200n8']],
    [['--kernelargs', 'quiet,splash'], ['quiet', 'splash']],
    // quotes are the admin's delimiters: nothing is glued onto a quoted value
    [['--kernelargs', '"console=ttyS0,115200",quiet'], ['console=ttyS0,115200', 'quiet']],
    [['--kernelargs', '"crashkernel=no",quiet,splash'], ['crashkernel=no', 'quiet', 'splash']],
    [['--kernelargs', 'quiet', '--kernelargs', 'ip=dhcp,noauto'], ['quiet', 'ip=dhcp,noauto']],
  ])('kernel args %j', async (flags, args) => {
    const t = makeRoot(BASE);
    expect((await wwctl(t, 'node', 'set', '--yes', 'n1', ...flags)).code).toBe(0);
    expect((nodesOf(t).n1 as { kernel: { args: string[] } }).kernel.args).toEqual(args);
  });

  it('a key=value keeps its commas: --tagadd ctl=s00,s01 and several pairs in one flag', async () => {
    const t = makeRoot(BASE);
    expect((await wwctl(t, 'node', 'set', '--yes', 'n1', '--tagadd', 'ctl=s00,s01', '--tagadd', 'a=1,b=x,y', '--nettagadd', 'dns=1.1.1.1,8.8.8.8')).code).toBe(0);
    const n1 = nodesOf(t).n1 as { tags: Record<string, string>; 'network devices': { default: { tags: Record<string, string> } } };
    expect(n1.tags).toEqual({ ctl: 's00,s01', a: '1', b: 'x,y' });
    expect(n1['network devices'].default.tags).toEqual({ dns: '1.1.1.1,8.8.8.8' });
  });

  it.each([
    [['--ipmipass', '-e'], (n: Record<string, any>) => n.ipmi.password, '-e'],
    [['--comment', '--yes'], (n: Record<string, any>) => n.comment, '--yes'],
    [['--comment', '-y'], (n: Record<string, any>) => n.comment, '-y'],
    [['--ipmiuser', '--discoverable'], (n: Record<string, any>) => n.ipmi.username, '--discoverable'],
  ])('a value that looks like a flag: %j', async (flags, get, want) => {
    const t = makeRoot(BASE);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n1', ...flags);
    expect(r.code, r.stderr).toBe(0);
    const n1 = nodesOf(t).n1 as Record<string, unknown>;
    expect(get(n1)).toBe(want);
    expect(n1.discoverable).toBeUndefined();
  });

  it('global options with values before the command: --warewulfconf FILE node set --onboot --yes', async () => {
    const t = makeRoot(BASE);
    const conf = t.write('alt.conf', 'ipaddr: 10.9.9.9\n');
    const r = await wwctl(t, '--warewulfconf', conf, 'node', 'set', 'n1', '--onboot', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect((nodesOf(t).n1 as any)['network devices'].default.onboot).toBe('true');
  });

  it('secrets are masked in change summaries (set and unset), as in tables', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1: {ipmi: {password: oldsecret}}\n');
    const set = await wwctl(t, 'node', 'set', '--yes', 'n1', '--ipmipass', 'newsecret');
    expect(set.stdout).toContain('ipmi.ipmipass: ******** → ********');
    const unset = await wwctl(t, 'node', 'unset', '--yes', 'n1', '--ipmipass');
    for (const out of [set.stdout + set.stderr, unset.stdout + unset.stderr]) {
      expect(out).not.toContain('oldsecret');
      expect(out).not.toContain('newsecret');
    }
    const preview = await wwctl(t, 'profile', 'set', 'default', '--ipmipass', 'profsecret'); // no --yes: prints the summary, answers no
    expect(preview.stdout).not.toContain('profsecret');
  });
});

describe('node add numbering keeps the family and refuses what it cannot do', () => {
  it('IPv4-mapped IPv6 stays mapped; IPv4 carries across octets', async () => {
    const t = makeRoot(BASE);
    expect((await wwctl(t, 'node', 'add', 'm[1-3]', '--ipaddr6', '::ffff:10.0.0.1', '--ipaddr', '10.0.0.255', '--ipmiaddr', '10.1.255.254')).code).toBe(0);
    const nodes = nodesOf(t) as Record<string, any>;
    expect(['m1', 'm2', 'm3'].map((n) => nodes[n]['network devices'].default.ipaddr6)).toEqual(['::ffff:10.0.0.1', '::ffff:10.0.0.2', '::ffff:10.0.0.3']);
    expect(['m1', 'm2', 'm3'].map((n) => nodes[n]['network devices'].default.ipaddr)).toEqual(['10.0.0.255', '10.0.1.0', '10.0.1.1']);
    expect(nodes.m3.ipmi.ipaddr).toBe('10.2.0.0');
  });

  it.each([
    [['x[1-2]', '--ipaddr', '255.255.255.255'], /address range overflows/],
    [['x[1-2]', '--ipaddr6', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], /address range overflows/],
    [['n2', 'n2'], /node n2 is named more than once/],
    [['x[1-3]', 'x2'], /node x2 is named more than once/],
    [['n1'], /nodename already exists: n1/],
  ])('node add %j is refused', async (args, message) => {
    const t = makeRoot(BASE);
    await fails(t, ['node', 'add', ...args], message);
  });
});

describe('targets that do not exist fail', () => {
  it.each([
    [['profile', 'set', '--yes', 'nosuch', '--comment', 'x'], /no such profile: nosuch/],
    [['profile', 'set', 'nosuch', '--comment', 'x'], /no such profile: nosuch/],
    [['profile', 'unset', '--yes', 'nosuch', '--comment'], /profile not found: nosuch/],
    [['node', 'set', '--yes', 'nosuch', '--comment', 'x'], /no such node: nosuch/],
    [['node', 'set', '--yes', 'n[7-9]', '--comment', 'x'], /no such node: n7, n8, n9/],
    [['node', 'unset', '--yes', 'n[7-9]', '--comment'], /node not found: n7/], // as upstream: the first missing one, unless --force
  ])('%j', async (args, message) => {
    await fails(makeRoot(BASE), args, message);
  });

  it('an empty network can be deleted with --netdel and with unset --netname', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1:\n    network devices:\n      eth9: {}\n      eth8:\n  n2:\n    network devices: {eth9: {}}\n');
    const a = await wwctl(t, 'node', 'set', '--yes', 'n1', '--netdel', 'eth9');
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('netdevs[eth9]: network → <removed>');
    const b = await wwctl(t, 'node', 'unset', '--yes', 'n1', '--netname', 'eth8');
    expect(b.code, b.stderr).toBe(0);
    const c = await wwctl(t, 'node', 'unset', '--yes', 'n2', '--netname', 'eth9');
    expect(c.code, c.stderr).toBe(0);
    expect(nodesOf(t)).toEqual({ n1: {}, n2: {} });
  });
});

describe('a fresh root and its environment', () => {
  it('starts from the shipped nodes.conf: node add, then profile set default', async () => {
    const t = makeRoot();
    expect((await wwctl(t, 'node', 'add', 'n1')).code).toBe(0);
    const r = await wwctl(t, 'profile', 'set', '--yes', 'default', '--comment', 'mine');
    expect(r.code, r.stderr).toBe(0);
    expect(nodesOf(t).n1).toEqual({ profiles: ['default'] });
    expect((await wwctl(t, 'profile', 'list')).stdout).toContain('default       mine');
  });

  it.each(['', ' '])('WAREWULF_ROOT=%j is refused', async (root) => {
    const t = makeRoot(BASE);
    const r = await wwctl({ env: { ...t.env, WAREWULF_ROOT: root } }, 'node', 'add', 'n5');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/WAREWULF_ROOT is set but empty/);
  });
});

describe('scale and limits', () => {
  it.each(['n[9007199254740992]', 'n[1-9007199254740993]', 'n[99999999999999999999]'])('hostlist %s is refused at once', async (p) => {
    const r = await wwctl(makeRoot(BASE), 'node', 'list', p);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/number too large|expands to more than/);
  });

  it('a profile chain 8,000 deep merges (no stack overflow)', async () => {
    const lines = ['nodeprofiles:'];
    for (let i = 0; i < 8000; i++) lines.push(`  p${i}: {profiles: [p${i + 1}]}`);
    lines.push('  p8000: {comment: deepest}', 'nodes:', '  n1: {profiles: [p0]}', '');
    const t = makeRoot(lines.join('\n'));
    const r = await wwctl(t, 'node', 'list', '-a', '--style', 'current', 'n1');
    expect(r.code, r.stderr.slice(0, 300)).toBe(0);
    expect(r.stdout).toMatch(/n1\s+Comment\s+p8000\s+deepest/);
  });
});

describe('legacy 4.3 keys get the same checks', () => {
  it.each([
    ['ipmi ipaddr: not-an-ip', /ipmi ipaddr: invalid IP address "not-an-ip"/],
    ['ipmi port: "99999"', /ipmi port: expected a port number/],
    ['ipmi netmask: 255.0.255.0', /ipmi netmask: invalid netmask/],
    ['network devices: {eth0: {ipcidr: 999.1.1.1/24}}', /ipcidr: invalid CIDR/],
    ['network devices: {eth0: {ipcidr: 10.0.0.1/33}}', /ipcidr: invalid CIDR/],
    ['network devices: {eth0: {ip6addr: "fd00::zz"}}', /ip6addr: invalid IP address/],
    ['kernel args: {a: b}', /kernel args: expected a list/],
  ])('%s', async (line, message) => {
    const t = makeRoot(`nodeprofiles: {default: {}}\nnodes:\n  n1:\n    ${line}\n`);
    const r = await wwctl(t, 'node', 'list');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/nodes\.conf:4:\d+: /);
    expect(r.stderr).toMatch(message);
  });
});

describe('export then import is the identity', () => {
  it('lists, inherited values, unknown keys and scalar text come back as they were', async () => {
    const conf = `nodeprofiles:
  default:
    kernel:
      args: [quiet]
    image name: rocky
nodes:
  n1:
    kernel:
      args: [splash]
    vendor key: {anything: [1, 2]}
    comment: 007
    network devices:
      default: {ipaddr: 10.0.0.1, mtu: "1500"}
  n2:
    profiles: [default]
`;
    const t = makeRoot(conf);
    const before = t.readNodesConf();
    const exported = (await wwctl(t, 'node', 'export')).stdout;
    const file = t.write('export.yaml', exported);
    expect((await wwctl(t, 'node', 'delete', '--yes', 'n1', 'n2')).code).toBe(0);
    const imp = await wwctl(t, 'node', 'import', '--yes', file);
    expect(imp.code, imp.stderr).toBe(0);
    const after = t.readNodesConf();
    expect(yaml.load(after)).toEqual(yaml.load(before)); // the same document (block style instead of flow style)
    expect(after).toContain('comment: 007\n');
    expect(after).toContain('vendor key:\n      anything:\n');
    const list = await wwctl(t, 'node', 'list', '-a', '--style', 'current', 'n1');
    expect(list.stdout).toMatch(/n1\s+Kernel\.Args\s+default,n1\s+quiet,splash/);
    // a second round trip is the identity too
    const again = (await wwctl(t, 'node', 'export')).stdout;
    expect(again).toBe(exported);
  });
});

describe('node edit and a concurrent change', () => {
  function editorThatAlsoRuns(t: TestRoot, edit: string, concurrent: string[]): string {
    // the "editor" changes the file and, while it is open, another wwctl changes nodes.conf
    const args = concurrent.map((a) => `'${a}'`).join(' ');
    return t.write('editor.sh', `#!/bin/sh\n${JSON.stringify(process.execPath)} ${JSON.stringify(WWCTL_BIN)} ${args} >/dev/null 2>&1\n${edit}\n`, 0o755);
  }

  it('the same node changed meanwhile: refused, both named, nothing lost', async () => {
    const t = makeRoot(BASE);
    t.env.EDITOR = editorThatAlsoRuns(t, `sed -i 's/n1: {}/n1: {comment: from-editor}/' "$1"`, ['node', 'set', '--yes', 'n1', '--comment', 'from-set']);
    const r = await wwctl(t, 'node', 'edit', '--yes', '--noheader', 'n1');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/node\(s\) n1 changed in nodes\.conf while you were editing them; nothing was written\. Your edit is kept in (\S+\.yaml)/);
    expect(nodesOf(t).n1).toEqual({ comment: 'from-set' });
    const kept = /kept in (\S+\.yaml)/.exec(r.stderr)?.[1] as string;
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(kept, 'utf8')).toContain('from-editor');
  });

  it('another node changed meanwhile: merged, and said so', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1: {}\n  n2: {}\n');
    t.env.EDITOR = editorThatAlsoRuns(t, `sed -i 's/n1: {}/n1: {comment: from-editor}/' "$1"`, ['node', 'set', '--yes', 'n2', '--comment', 'from-set']);
    const r = await wwctl(t, 'node', 'edit', '--yes', '--noheader');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/merged: n2 changed in nodes\.conf while you were editing/);
    expect(nodesOf(t)).toEqual({ n1: { comment: 'from-editor' }, n2: { comment: 'from-set' } });
  });
});
