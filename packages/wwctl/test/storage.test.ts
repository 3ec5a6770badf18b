/**
 * nodes.conf is changed under a lock and replaced atomically: concurrent
 * wwctl processes never lose an edit, a writer killed mid-write leaves the
 * old or the new file, and rejected input leaves the file byte-identical.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNodesConf } from '@warewulf/core';
import { makeRoot, wwctl, wwctlProcess } from './helpers.js';

function registry(n: number): string {
  let s = 'nodeprofiles:\n  default:\n    comment: base\nnodes:\n';
  for (let i = 1; i <= n; i++) s += `  n${String(i).padStart(2, '0')}:\n    profiles:\n      - default\n`;
  return s;
}

describe('concurrent writers', () => {
  it('20 `wwctl node set` processes started at once on 20 nodes: all 20 edits land', async () => {
    const t = makeRoot(registry(20));
    const runs = Array.from({ length: 20 }, (_, i) => {
      const id = `n${String(i + 1).padStart(2, '0')}`;
      return wwctlProcess(t, ['node', 'set', '--yes', id, '--comment', `edit-${id}`, '--ipaddr', `10.0.0.${i + 1}`]);
    });
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const doc = parseNodesConf(t.readNodesConf());
    for (let i = 1; i <= 20; i++) {
      const id = `n${String(i).padStart(2, '0')}`;
      expect(doc.nodes[id]?.comment).toBe(`edit-${id}`);
      expect((doc.nodes[id]?.['network devices'] as Record<string, { ipaddr: string }> | undefined)?.default?.ipaddr).toBe(`10.0.0.${i}`);
    }
    expect(statSync(t.nodesConf).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('a writer killed with SIGKILL mid-write leaves a valid nodes.conf (old or new) and a lock the next writer can take', async () => {
    const t = makeRoot(registry(3000)); // large enough that the write takes a while
    const before = t.readNodesConf();
    let sawNew = false;
    let sawOld = false;
    for (let attempt = 0; attempt < 6; attempt++) {
      const p = wwctlProcess(t, ['node', 'set', '--yes', '--all', '--comment', `kill-${attempt}`]);
      await new Promise((r) => setTimeout(r, 150 + attempt * 60));
      p.kill('SIGKILL');
      await p.done;
      const text = t.readNodesConf();
      const doc = parseNodesConf(text); // never torn: must parse
      expect(Object.keys(doc.nodes)).toHaveLength(3000);
      if (text.includes(`kill-${attempt}`)) sawNew = true;
      else sawOld = true;
    }
    expect(sawNew || sawOld).toBe(true);
    // the dead writer's lock does not block the next one
    const r = await wwctl(t, 'node', 'set', '--yes', 'n01', '--comment', 'after');
    expect(r.code, r.stderr).toBe(0);
    expect(parseNodesConf(t.readNodesConf()).nodes.n01?.comment).toBe('after');
    expect(before.length).toBeGreaterThan(0);
    // and what the killed writers left (temp files, lock candidates) is gone
    expect(readdirSync(dirname(t.nodesConf)).sort()).toEqual(['nodes.conf']);
  }, 120_000);
});

describe('bad input: a one-line error, exit non-zero, nodes.conf byte-identical', () => {
  const conf = 'nodeprofiles:\n  default:\n    comment: base\nnodes:\n  n01:\n    profiles:\n      - default\n    network devices:\n      default:\n        hwaddr: 52:54:00:00:00:01\n';
  it.each([
    ['an invalid IP', ['node', 'set', '--yes', 'n01', '--ipaddr', '10.0.1'], /^ERROR: --ipaddr: invalid IP address: "10\.0\.1"\n$/],
    ['an invalid netmask', ['node', 'set', '--yes', 'n01', '--netmask', '255.0.255.0'], /^ERROR: --netmask: invalid netmask: "255\.0\.255\.0"\n$/],
    ['an out-of-range IPMI port', ['node', 'set', '--yes', 'n01', '--ipmiport', '70000'], /^ERROR: --ipmiport: expected a port number \(1-65535\): "70000"\n$/],
    ['a non-numeric MTU', ['node', 'set', '--yes', 'n01', '--mtu', 'jumbo'], /^ERROR: --mtu: expected an MTU \(68-65535\): "jumbo"\n$/],
    ['an invalid MAC', ['node', 'set', '--yes', 'n01', '--hwaddr', '52:54:00:zz:00:01'], /^ERROR: --hwaddr: invalid MAC address/],
    ['an unknown profile', ['node', 'set', '--yes', 'n01', '--profile', 'nosuch'], /^ERROR: profile not found: nosuch\n$/],
    ['an unknown flag', ['node', 'set', '--yes', 'n01', '--colour', 'red'], /^ERROR: unknown option '--colour'/],
    ['an invalid boolean', ['node', 'set', '--yes', 'n01', '--discoverable=maybe'], /^ERROR: --discoverable: invalid boolean/],
    ['an invalid node pattern', ['node', 'set', '--yes', 'n[a-3]', '--comment', 'x'], /^ERROR: .*n\[a-3\]/],
    ['an existing node on add', ['node', 'add', 'n01'], /^ERROR: failed to add node: nodename already exists: n01\n$/],
    ['a MAC another node has', ['node', 'add', 'n02', '--hwaddr', '52:54:00:00:00:01'], /^ERROR: hwaddr 52:54:00:00:00:01 of node n02 is already used by node n01\n$/],
    ['deleting the default profile', ['profile', 'delete', '--yes', 'default'], /^ERROR: can't delete the `default` profile/],
  ])('%s', async (_what, args, message) => {
    const t = makeRoot(conf);
    const r = await wwctl(t, ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(t.readNodesConf()).toBe(conf);
  });

  it('malformed YAML names file, line and column', async () => {
    const bad = 'nodeprofiles:\n  default: {}\nnodes:\n  n01:\n    comment: [unclosed\n';
    const t = makeRoot(bad);
    const r = await wwctl(t, 'node', 'set', '--yes', 'n01', '--comment', 'x');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^ERROR: ${t.nodesConf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid YAML: `));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(t.readNodesConf()).toBe(bad);
  });

  it('a schema violation names file, line, column and field path', async () => {
    const bad = 'nodeprofiles: {}\nnodes:\n  n01:\n    network devices:\n      eth0:\n        ipaddr: 10.0.0.300\n';
    const t = makeRoot(bad);
    const r = await wwctl(t, 'node', 'list');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`ERROR: ${t.nodesConf}:6:9: nodes.n01.network devices.eth0.ipaddr: invalid IP address "10.0.0.300"\n`);
    expect(t.readNodesConf()).toBe(bad);
  });
});

describe('a 4.3-era nodes.conf', () => {
  const legacy = readFileSync(new URL('./fixtures/nodes-4.3.conf', import.meta.url), 'utf8');

  it('loads, lists, and survives node set without losing a key', async () => {
    const t = makeRoot(legacy);
    const list = await wwctl(t, 'node', 'list', '-a', 'n1');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Container          default      rocky-8');
    expect(list.stdout).toContain('IpmiUserName       default      admin');
    const r = await wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'changed');
    expect(r.code, r.stderr).toBe(0);
    const after = parseNodesConf(t.readNodesConf()).raw;
    const before = parseNodesConf(legacy).raw;
    // every key of the old file is still there with its value, but for the one comment we set
    const n1 = (after.nodes as Record<string, Record<string, unknown>>).n1 as Record<string, unknown>;
    expect(n1.comment).toBe('changed');
    delete n1.comment;
    delete ((before.nodes as Record<string, Record<string, unknown>>).n1 as Record<string, unknown>).comment;
    expect(after).toEqual(before);
    // and it still lists the same way
    const again = await wwctl(t, 'node', 'list', '-a', 'n1');
    expect(again.stdout.replace(/Comment.*\n/, '')).toBe(list.stdout.replace(/Comment.*\n/, ''));
  });

  it('an edited field is written in today\'s spelling and its legacy spelling goes, keeping what else it carried', async () => {
    const t = makeRoot(legacy);
    expect((await wwctl(t, 'profile', 'set', '--yes', 'default', '--image', 'rocky-9', '--ipmiuser', 'root')).code).toBe(0);
    expect((await wwctl(t, 'node', 'set', '--yes', 'n1', '--netname', 'ib', '--ipaddr', '192.168.0.9')).code).toBe(0);
    const raw = parseNodesConf(t.readNodesConf()).raw as Record<string, Record<string, Record<string, unknown>>>;
    const def = raw.nodeprofiles?.default as Record<string, unknown>;
    expect(def['container name']).toBeUndefined();
    expect(def['image name']).toBe('rocky-9');
    expect(def['ipmi username']).toBeUndefined();
    expect(def.ipmi).toEqual({ username: 'root' });
    expect(def['ipmi password']).toBe('secret'); // untouched legacy keys stay as they were
    const ib = ((raw.nodes?.n1 as Record<string, unknown>)['network devices'] as Record<string, Record<string, unknown>>).ib;
    expect(ib).toEqual({ device: 'ib0', type: 'infiniband', ipaddr: '192.168.0.9', netmask: '255.255.0.0' });
    const list = await wwctl(t, 'node', 'list', '-a', 'n1');
    expect(list.stdout).toContain('IpmiUserName       default      root');
    expect(list.stdout).toContain('ib:NETMASK         --           255.255.0.0');
  });
});
