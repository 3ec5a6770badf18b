/** edit, import, export, delete, and the CLI's own behaviour (help, errors, --debug). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { fails, makeRoot, nodesOf, wwctl } from './helpers.js';

const conf = `nodeprofiles:
  default:
    comment: base
nodes:
  n01:
    comment: first
    profiles:
      - default
  n02:
    profiles:
      - default
`;

describe('node edit', () => {
  it('applies what the editor changed, removed and added', async () => {
    const t = makeRoot(conf);
    const script = join(t.root, 'editor.sh');
    // the "admin": change n01's comment, drop n02, add n03
    writeFileSync(script, `#!/bin/sh\nsed -i -e 's/comment: first/comment: edited/' -e '/^n02:/,/^[^ ]/{/^n02:/d;/^  /d}' "$1"\nprintf 'n03:\\n  comment: new\\n' >> "$1"\n`, { mode: 0o755 });
    t.env.EDITOR = script;
    const r = await wwctl(t, 'node', 'edit', '--yes');
    expect(r.code, r.stderr).toBe(0);
    const nodes = (yaml.load(t.readNodesConf()) as { nodes: Record<string, { comment?: string }> }).nodes;
    expect(Object.keys(nodes).sort()).toEqual(['n01', 'n03']);
    expect(nodes.n01?.comment).toBe('edited');
    expect(nodes.n03?.comment).toBe('new');
  });

  it('an edit that does not parse writes nothing', async () => {
    const t = makeRoot(conf);
    const script = join(t.root, 'editor.sh');
    writeFileSync(script, `#!/bin/sh\nprintf 'n09:\\n  network devices:\\n    eth0:\\n      ipaddr: 1.2.3\\n' >> "$1"\n`, { mode: 0o755 });
    t.env.EDITOR = script;
    const r = await wwctl(t, 'node', 'edit', '--yes');
    expect(r.stderr).toMatch(/ipaddr: invalid IP address/);
    expect(t.readNodesConf()).toBe(conf);
  });
});

describe('node edit: problems are named before anything is written', () => {
  const withNic = `nodeprofiles:
  default:
    comment: base
nodes:
  n01:
    profiles: [default]
  n02:
    profiles: [default]
    vendor key: kept
    network devices:
      default:
        hwaddr: aa:bb:cc:dd:ee:02
`;

  it('a rename onto an existing name says so (not a concurrent change)', async () => {
    const t = makeRoot(withNic);
    t.env.EDITOR = 'sed -i s/^n02:/n01:/';
    await fails(t, ['node', 'edit', 'n02', '--yes'], /ERROR: node n01 already exists: the edit renames n02 onto it/);
    const r = await wwctl(t, 'node', 'edit', 'n02', '--yes');
    expect(r.stderr).not.toMatch(/while you were editing/);
    // a new entry named like one not being edited: the same refusal, worded for it
    t.env.EDITOR = t.write('ed.sh', `#!/bin/sh\nprintf 'n01:\\n  comment: x\\n' >> "$1"\n`, 0o755);
    await fails(t, ['node', 'edit', 'n02', '--yes'], /ERROR: node n01 already exists and was not among the nodes being edited/);
  });

  it('a mistyped key is refused with its FILE:LINE:COL; a key already in nodes.conf is not', async () => {
    const t = makeRoot(withNic);
    t.env.EDITOR = 'sed -i s/hwaddr:/hwadr:/';
    const before = t.readNodesConf();
    const r = await wwctl(t, 'node', 'edit', 'n02', '--yes');
    expect(r.code, r.stderr).toBe(255);
    const m = /ERROR: (\S+):(\d+):(\d+): unknown key "network devices\.default\.hwadr" in node n02\n/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(r.stderr).toMatch(/nothing was changed: the edited text has keys the field table does not know/);
    expect(t.readNodesConf()).toBe(before);
    // the edit is kept, and the line and column point at the key in it
    const kept = /Your edit is kept in (\S+\.yaml)/.exec(r.stderr)?.[1] as string;
    const line = readFileSync(kept, 'utf8').split('\n')[Number(m?.[2]) - 1] ?? '';
    expect(line.slice(Number(m?.[3]) - 1)).toMatch(/^hwadr:/);
    // profiles too
    t.env.EDITOR = 'sed -i s/comment:/coment:/';
    await fails(t, ['profile', 'edit', 'default', '--yes'], /ERROR: \S+:\d+:\d+: unknown key "coment" in profile default/);
    // `vendor key` was in nodes.conf already (a newer field, kept): editing n02 otherwise is fine
    t.env.EDITOR = 'sed -i s/aa:bb:cc:dd:ee:02/aa:bb:cc:dd:ee:03/';
    const ok = await wwctl(t, 'node', 'edit', 'n02', '--yes');
    expect(ok.code, ok.stderr).toBe(0);
    expect(nodesOf(t).n02).toMatchObject({ 'vendor key': 'kept', 'network devices': { default: { hwaddr: 'aa:bb:cc:dd:ee:03' } } });
  });

  it('node import warns about unknown keys, naming FILE:LINE:COL', async () => {
    const t = makeRoot(withNic);
    const file = t.write('import.yaml', 'n05:\n  profiles: [default]\n  imagename: rocky\n');
    const r = await wwctl(t, 'node', 'import', '--yes', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${file}:3:3: unknown key "imagename" in node n05`);
  });
});

describe('node import / export / delete', () => {
  it('import creates and replaces; export prints merged nodes', async () => {
    const t = makeRoot(conf);
    const file = join(t.root, 'import.yaml');
    writeFileSync(file, 'n02:\n  profiles: [default]\n  comment: imported\nn05:\n  image name: rocky\n');
    const r = await wwctl(t, 'node', 'import', '--yes', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Imported 2 node(s): 1 added, 1 updated\n');
    expect(r.stderr).toMatch(/^WARN {3}: 1 existing node\(s\) replaced whole by .*import\.yaml: fields not in the file are gone \(n02\)$/m);
    const e = await wwctl(t, 'node', 'export', 'n0[1-2]'.replace('0[', '[0'));
    expect(yaml.load(e.stdout)).toEqual({ n01: { profiles: ['default'], comment: 'first' }, n02: { profiles: ['default'], comment: 'imported' } });
    const bad = join(t.root, 'bad.yaml');
    writeFileSync(bad, 'n06:\n  ipmi:\n    ipaddr: nope\n');
    const before = t.readNodesConf();
    const b = await wwctl(t, 'node', 'import', '--yes', bad);
    expect(b.stderr).toMatch(/bad\.yaml:3:5: n06\.ipmi\.ipaddr: invalid IP address/);
    expect(t.readNodesConf()).toBe(before);
  });

  it('delete removes matching nodes and reports the others', async () => {
    const t = makeRoot(conf);
    const r = await wwctl(t, 'node', 'delete', '--yes', 'n[01-03]');
    expect(r.stderr).toBe('ERROR: No match for node: n03\n');
    expect(r.code).toBe(0);
    expect((yaml.load(t.readNodesConf()) as { nodes: object }).nodes).toEqual({});
  });
});

describe('node set', () => {
  it('network fields without --netname on a node whose networks have other names (4.3 eth0): a new "default" network, as upstream, with a warning', async () => {
    const t = makeRoot('nodeprofiles:\n  default: {}\nnodes:\n  n1:\n    network devices:\n      eth0: {ipaddr: 10.0.0.1}\n  n2:\n    network devices:\n      default: {ipaddr: 10.0.0.2}\n');
    const r = await wwctl(t, 'node', 'set', 'n1,n2', '--ipaddr', '10.0.0.9', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARN {3}: no --netname: the change goes to a new network "default" on 1 node\(s\) whose networks have other names \(n1: eth0\)/);
    const n = yaml.load(t.readNodesConf()) as { nodes: Record<string, { 'network devices': Record<string, { ipaddr: string }> }> };
    expect(Object.keys(n.nodes.n1?.['network devices'] ?? {}).sort()).toEqual(['default', 'eth0']);
    // named: no warning, the existing network changes
    const named = await wwctl(t, 'node', 'set', 'n1', '--netname', 'eth0', '--ipaddr', '10.0.0.8', '--yes');
    expect(named.stderr).not.toMatch(/no --netname/);
    expect((yaml.load(t.readNodesConf()) as typeof n).nodes.n1?.['network devices'].eth0?.ipaddr).toBe('10.0.0.8');
  });
});

describe('unknown nodes.conf keys', () => {
  it('node list warns with FILE:LINE:COL (a typo is kept, not used), from the parse and from the cache alike', async () => {
    const t = makeRoot('nodeprofiles:\n  default: {}\nnodes:\n  n1:\n    kernal:\n      args: [quiet]\n');
    for (let i = 0; i < 2; i++) {
      const r = await wwctl(t, 'node', 'list');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^n1 /m);
      expect(r.stderr).toBe(`WARN   : ${t.nodesConf}:5:5: unknown key "kernal" in node n1 (kept in the file, not used)\n`);
    }
    expect(t.readNodesConf()).toContain('kernal:');
  });
});

describe('duplicate addresses', () => {
  it('node add and node set warn when an address (network or BMC) is given to more than one node, and still write it', async () => {
    const t = makeRoot('nodeprofiles:\n  default: {}\nnodes: {}\n');
    expect((await wwctl(t, 'node', 'add', 'n[01-04]', '--ipaddr', '10.0.2.1')).stderr).toBe('');
    const set = await wwctl(t, 'node', 'set', '--yes', 'n[03-04]', '--ipaddr', '10.0.2.60');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toBe('WARN   : address 10.0.2.60 is given to more than one node: n03, n04 (DHCP configs with both will not load)\n');
    expect(t.readNodesConf().match(/10\.0\.2\.60/g)).toHaveLength(2);
    const add = await wwctl(t, 'node', 'add', 'n05', '--ipaddr', '10.0.2.1');
    expect(add.stderr).toBe('WARN   : address 10.0.2.1 is given to more than one node: n01, n05 (DHCP configs with both will not load)\n');
    // a BMC on a node's address (n02's own network address is its own business)
    expect((await wwctl(t, 'node', 'set', '--yes', 'n02', '--ipmiaddr', '10.0.2.2')).stderr).toBe('');
    const bmc = await wwctl(t, 'node', 'set', '--yes', 'n02', '--ipmiaddr', '10.0.2.1');
    expect(bmc.stderr).toBe('WARN   : address 10.0.2.1 is given to more than one node: n01, n02, n05 (DHCP configs with both will not load)\n');
    // node import is a way in too
    const file = join(t.root, 'dup.yaml');
    writeFileSync(file, 'n06:\n  network devices:\n    default: {ipaddr: 10.0.2.60}\n');
    const imp = await wwctl(t, 'node', 'import', '--yes', file);
    expect(imp.stderr).toBe('WARN   : address 10.0.2.60 is given to more than one node: n03, n04, n06 (DHCP configs with both will not load)\n');
    // a change that makes no duplicate says nothing
    expect((await wwctl(t, 'node', 'set', '--yes', 'n04', '--ipaddr', '10.0.2.4')).stderr).toBe('');
  });
});

describe('profile list', () => {
  it('-a prints structured values (resources) as compact JSON, as node list -a does: the shipped default profile of a fresh root', async () => {
    const t = makeRoot();
    const r = await wwctl(t, 'profile', 'list', '-a');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^default +Resources\[fstab\] +\[\{"file":"\/home","mntops":"defaults,nofail","spec":"warewulf:\/home","vfstype":"nfs"\},.*\]$/m);
    expect(r.stdout).toMatch(/^default +Kernel\.Args +quiet,crashkernel=no/m);
  });
});

describe('the CLI itself', () => {
  it('--help exits 0 and lists the commands', async () => {
    const t = makeRoot(conf);
    const r = await wwctl(t, 'node', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/list\|ls \[options\] \[pattern\.\.\.\]/);
  });

  it('an unknown command is one ERROR line, exit 255', async () => {
    const t = makeRoot(conf);
    const r = await wwctl(t, 'node', 'frobnicate');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^ERROR: unknown command 'frobnicate'/);
  });

  it('the stack trace only with --debug', async () => {
    const t = makeRoot(conf);
    const plain = await wwctl(t, 'node', 'set', '--yes', 'n01', '--ipaddr', 'x');
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await wwctl(t, '--debug', 'node', 'set', '--yes', 'n01', '--ipaddr', 'x');
    expect(debug.stderr).toMatch(/^ERROR: --ipaddr: invalid IP address: "x"\nWwError: .*\n\s+at /);
  });

  it('warewulf.conf errors name file, line and column', async () => {
    const t = makeRoot(conf);
    writeFileSync(join(t.root, 'etc', 'warewulf', 'warewulf.conf'), 'warewulf:\n  port: abc\n');
    const r = await wwctl(t, 'node', 'list');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/warewulf\.conf:2:\d+: warewulf\.port: /);
  });
});
