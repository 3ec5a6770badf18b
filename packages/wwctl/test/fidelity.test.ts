/**
 * nodes.conf is the admin's file (issue 7, "values kept exactly as written"):
 * each test is one class of input, with the issue's example and more members.
 */
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot, wwctl } from './helpers.js';

const ok = async (r: Promise<{ code: number; stdout: string; stderr: string }>) => {
  const x = await r;
  expect(x.stderr).not.toMatch(/ERROR/);
  expect(x.code).toBe(0);
  return x;
};

describe('scalars that look like numbers, bools or nulls keep their exact text', () => {
  // each line: a YAML scalar YAML 1.1 or 1.2 would resolve to something else than the string written
  const SCALARS = ['6.10', '2024.10', '012345', '001', '1e3', '0x1F', '0o17', '0755', '1_000', '+1', '-0', '.inf', '.NaN', 'True', 'FALSE', '1.0', '10'];

  it('string fields, tag values, map keys and entry names keep their text through an unrelated write', async () => {
    const lines = ['nodeprofiles:', '  default: {}', '  2024:', '    kernel:', '      version: 6.10', 'nodes:'];
    SCALARS.forEach((s, i) => {
      lines.push(`  n${i}:`, `    image name: ${s}`, '    ipmi:', `      password: ${s}`, '    tags:', `      ${s === '.NaN' ? 'nan' : `k${i}`}: ${s}`);
      lines.push('    network devices:', `      ${s.replace(/[^0-9a-zA-Z]/g, '') || 'x'}1: {mtu: "1500"}`);
    });
    lines.push('  001:', '    comment: 007', '    profiles: [2024]');
    const text = `${lines.join('\n')}\n`;
    const t = makeRoot(text);
    await ok(wwctl(t, 'node', 'set', '--yes', 'n0', '--comment', 'touched'));
    const after = t.readNodesConf();
    for (const s of SCALARS) {
      expect(after).toContain(`image name: ${s}\n`);
      expect(after).toContain(`password: ${s}\n`);
    }
    // keys that look like numbers are quoted on output: the same string, never the number
    expect(after).toContain('  "001":\n    comment: 007\n');
    expect(after).toContain('  "2024":\n');
    // node "001" stays addressable under its own name, with its own text
    const r = await ok(wwctl(t, 'node', 'list', '-y', '001'));
    expect(r.stdout).toContain('comment: "007"');
    expect(r.stdout).toMatch(/version: "6\.10"/); // inherited from profile 2024
  });

  it('the kernel version 6.10 and image name 2024.10 are what templates and listings see', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1:\n    kernel: {version: 6.10}\n    image name: 2024.10\n    ipmi: {password: 012345}\n');
    const r = await ok(wwctl(t, 'node', 'list', '-l'));
    expect(r.stdout).toContain('2024.10');
    expect(r.stdout).toContain('6.10');
    const y = await ok(wwctl(t, 'node', 'list', '-y', 'n1'));
    expect(y.stdout).toContain('password: "012345"');
    expect(y.stdout).toContain('version: "6.10"');
  });

  it('values set from the command line that look like numbers are written as strings', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes: {n1: {}}\n');
    await ok(wwctl(t, 'node', 'set', '--yes', 'n1', '--kernelversion', '6.10', '--ipmipass', '012345', '--tagadd', 'v=1e3'));
    const text = t.readNodesConf();
    expect(text).toContain('version: "6.10"');
    expect(text).toContain('password: "012345"');
    expect(text).toContain('v: "1e3"');
    const y = await ok(wwctl(t, 'node', 'list', '-y', 'n1'));
    expect(y.stdout).toContain('6.10');
  });
});

describe('aliases never make entries share state', () => {
  it('node set on n2 does not change n1 when their networks were written with &net/*net', async () => {
    const t = makeRoot(`nodeprofiles: {default: {}}
nodes:
  n1:
    network devices:
      default: &net {device: eth0, ipaddr: 10.0.0.1, netmask: 255.255.255.0}
  n2:
    network devices:
      default: *net
  n3:
    tags: &tags {a: "1"}
    ipmi: {tags: *tags}
`);
    await ok(wwctl(t, 'node', 'set', '--yes', 'n2', '--ipaddr', '10.0.0.2'));
    await ok(wwctl(t, 'node', 'set', '--yes', 'n3', '--tagadd', 'b=2'));
    const y = (await ok(wwctl(t, 'node', 'list', '-j'))).stdout;
    const nodes = JSON.parse(y) as Record<string, { 'network devices': Record<string, { ipaddr: string }>; tags?: Record<string, string>; ipmi?: { tags?: Record<string, string> } }>;
    expect(nodes.n1?.['network devices'].default?.ipaddr).toBe('10.0.0.1');
    expect(nodes.n2?.['network devices'].default?.ipaddr).toBe('10.0.0.2');
    expect(nodes.n3?.tags).toEqual({ a: '1', b: '2' });
    expect(nodes.n3?.ipmi?.tags).toEqual({ a: '1' });
    expect(t.readNodesConf()).not.toMatch(/[&*](net|tags)/);
  });

  it('an alias bomb is refused with the place named, and nodes.conf is left as it was', async () => {
    const bomb = [
      'nodeprofiles: {default: {}}',
      'nodes:',
      '  n1:',
      '    resources:',
      '      a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      '      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      '      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      '      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      '      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      '      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      '      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      '',
    ].join('\n');
    const t = makeRoot(bomb);
    for (const args of [['node', 'list', '-y'], ['node', 'set', '--yes', 'n1', '--comment', 'x'], ['node', 'list']]) {
      const r = await wwctl(t, ...args);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/nodes\.conf:\d+:\d+: invalid YAML: document contains excessive aliasing \(at nodes\.n1\.resources\.[a-g]/);
    }
    expect(t.readNodesConf()).toBe(bomb);
  });

  it('modest aliasing (a shared block used by a few nodes) is accepted, as in Go', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes:\n  n1: {tags: &t {a: "1", b: "2"}}\n  n2: {tags: *t}\n  n3: {tags: *t}\n');
    const r = await ok(wwctl(t, 'node', 'list', '-j'));
    expect(JSON.parse(r.stdout).n3.tags).toEqual({ a: '1', b: '2' });
  });
});

describe('merge keys are honoured as upstream\'s YAML library does', () => {
  it('<<: *base fills the keys a node does not set, and is written back expanded', async () => {
    const t = makeRoot(`nodeprofiles: {default: {}}
nodes:
  n1: &base
    comment: from base
    image name: rocky
    network devices:
      default: {netmask: 255.255.0.0}
  n2:
    <<: *base
    comment: own
`);
    const r = JSON.parse((await ok(wwctl(t, 'node', 'list', '-j', 'n2'))).stdout).n2;
    expect(r.comment).toBe('own');
    expect(r['image name']).toBe('rocky');
    expect(r['network devices'].default.netmask).toBe('255.255.0.0');
    await ok(wwctl(t, 'node', 'set', '--yes', 'n2', '--ipaddr', '10.0.0.2'));
    const text = t.readNodesConf();
    expect(text).not.toContain('<<');
    expect(text).toMatch(/n2:\n {4}comment: own\n/);
    const n1 = JSON.parse((await ok(wwctl(t, 'node', 'list', '-j', 'n1'))).stdout).n1;
    expect(n1['network devices'].default.ipaddr).toBeUndefined();
  });
});

describe('bytes that are not UTF-8 are refused with FILE:LINE:COL, never replaced', () => {
  it.each([
    ['a Latin-1 byte in a comment', Buffer.from('nodeprofiles: {default: {}}\nnodes:\n  n1: {} # caf\xe9\n', 'latin1'), 3, 15],
    ['a truncated sequence in a value', Buffer.concat([Buffer.from('nodes:\n  n1: {comment: "ab'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n')]), 2, 20],
    ['an overlong encoding', Buffer.concat([Buffer.from('nodes: {n1: {comment: '), Buffer.from([0xc0, 0xaf]), Buffer.from('}}\n')]), 1, 23],
  ])('%s', async (_name, bytes, line, col) => {
    const t = makeRoot();
    writeFileSync(t.nodesConf, bytes, { mode: 0o600 });
    for (const args of [['node', 'list'], ['node', 'set', '--yes', 'n1', '--comment', 'x']]) {
      const r = await wwctl(t, ...args);
      expect(r.code).toBe(255);
      expect(r.stderr).toContain(`nodes.conf:${line}:${col}: invalid UTF-8`);
    }
    expect(readFileSync(t.nodesConf).equals(bytes)).toBe(true);
  });
});

describe('a symlinked nodes.conf is written through to its target', () => {
  it('the link stays a link and the target changes atomically', async () => {
    const t = makeRoot();
    const realDir = join(t.root, 'site-config');
    mkdirSync(realDir);
    const target = join(realDir, 'nodes.conf');
    writeFileSync(target, 'nodeprofiles: {default: {}}\nnodes: {n1: {}}\n', { mode: 0o600 });
    symlinkSync('../../site-config/nodes.conf', t.nodesConf);
    await ok(wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'through the link'));
    expect(lstatSync(t.nodesConf).isSymbolicLink()).toBe(true);
    expect(readlinkSync(t.nodesConf)).toBe('../../site-config/nodes.conf');
    expect(readFileSync(target, 'utf8')).toContain('comment: through the link');
    await ok(wwctl(t, 'node', 'add', 'n2'));
    expect(readFileSync(target, 'utf8')).toContain('n2:');
    // no temp files or lock leftovers in either directory
    expect(readdirSync(realDir).sort()).toEqual(['nodes.conf']);
  });
});

describe('the parse cache is checked before it is trusted', () => {
  it('a cache file of the wrong shape for the right text is ignored and rebuilt', async () => {
    const t = makeRoot('nodeprofiles: {default: {}}\nnodes: {n1: {comment: real}}\n');
    await ok(wwctl(t, 'node', 'list'));
    const dir = join(t.root, 'var', 'cache', 'warewulf-nodes');
    const files = readdirSync(dir).filter((f) => f.startsWith('nodes-conf-'));
    expect(files.length).toBe(1);
    const { serialize } = await import('node:v8');
    const good = readFileSync(join(dir, files[0] as string));
    const header = good.subarray(0, 36);
    const flipped = Buffer.from(good);
    flipped.writeUInt8((flipped.readUInt8(flipped.length - 3) ^ 0xff), flipped.length - 3);
    for (const bad of [
      Buffer.concat([header, serialize({ nodes: 'not a mapping', nodeprofiles: {} })]),
      Buffer.concat([header, serialize({ nodes: { n1: { 'network devices': { default: { ipaddr: 'x' } } } }, nodeprofiles: {} })]),
      Buffer.concat([Buffer.from([0, 0, 0, 1]), good.subarray(4)]), // another format
      flipped, // one byte altered
      good.subarray(0, good.length - 10), // truncated
      serialize([1, 2, 3]),
      Buffer.from('garbage'),
    ]) {
      writeFileSync(join(dir, files[0] as string), bad);
      const r = await ok(wwctl(t, 'node', 'list', '-y'));
      expect(r.stdout).toContain('comment: real');
    }
  });
});
