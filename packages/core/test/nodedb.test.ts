import { describe, expect, it } from 'vitest';
import { NodeDb, parseNodesConf } from '../src/index.js';

const TEXT = `
nodeprofiles:
  default:
    comment: shared comment
    kernel: {args: [quiet]}
    network devices:
      default: {netmask: 255.255.255.0}
nodes:
  n1:
    network devices:
      default: {hwaddr: 52-54-00-AA-BB-01, ipaddr: 10.0.0.1}
  n2:
    network devices:
      default: {hwaddr: 52:54:00:aa:bb:02, ipaddr: 10.0.0.2, ipaddr6: "fd00::2"}
  n3: {}
`;

const db = () => new NodeDb(parseNodesConf(TEXT), 'rev1');

describe('NodeDb: one immutable snapshot', () => {
  it('merged nodes are frozen: a reader can not change what another reader sees', () => {
    const d = db();
    const n1 = d.require('n1');
    const comment = n1.fields.get('Comment');
    expect(comment?.value).toBe('shared comment');
    expect(() => ((comment as { value: unknown }).value = 'changed')).toThrow(TypeError);
    const args = n1.fields.get('Kernel.Args')?.value as string[];
    expect(() => args.push('splash')).toThrow(TypeError);
    expect(() => (n1.fields as Map<string, unknown>).set('Comment', {})).toThrow(TypeError);
    expect(() => (n1.fields as Map<string, unknown>).delete('Comment')).toThrow(TypeError);
    expect(() => (n1.netdevs as string[]).push('x')).toThrow(TypeError);
    // n2 shares the profile's merged fields and still sees the original values
    expect(d.require('n2').fields.get('Comment')?.value).toBe('shared comment');
    expect(d.require('n2').fields.get('Kernel.Args')?.value).toEqual(['quiet']);
  });

  it('the same merged object is handed out on every call (merged once)', () => {
    const d = db();
    expect(d.get('n1')).toBe(d.get('n1'));
    expect(d.all().map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
  });

  it('raw entries are frozen too', () => {
    const d = db();
    const raw = d.rawNode('n1') as Record<string, Record<string, unknown>>;
    expect(() => (raw['network devices'] = {})).toThrow(TypeError);
  });

  it('finds nodes by hardware address in any spelling and by IPv4/IPv6 address', () => {
    const d = db();
    expect(d.byHwaddr('52:54:00:aa:bb:01')?.id).toBe('n1');
    expect(d.byHwaddr('52-54-00-AA-BB-02')?.id).toBe('n2');
    expect(d.byHwaddr('52:54:00:aa:bb:03')).toBeUndefined();
    expect(d.byIp('10.0.0.2')?.id).toBe('n2');
    expect(d.byIp('fd00::2')?.id).toBe('n2');
    expect(d.byIp('10.0.0.9')).toBeUndefined();
  });

  it('select expands patterns, keeps existing names once, in order, and reports the missing ones', () => {
    const d = db();
    const missing: string[] = [];
    expect(d.select(['n[3,1]', 'n1', 'n9', 'n2'], { onMissing: (n) => missing.push(n) })).toEqual(['n3', 'n1', 'n2']);
    expect(missing).toEqual(['n9']);
  });

  it('object-member names are ordinary names: no node "constructor" or "toString" exists', () => {
    const d = db();
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(d.hasNode(name)).toBe(false);
      expect(d.get(name)).toBeUndefined();
      expect(d.hasProfile(name)).toBe(false);
    }
  });

  it('select over 50,000 explicit names, twice over, keeps each once (bench/nodes times it)', () => {
    const lines = ['nodes:'];
    for (let i = 0; i < 50_000; i++) lines.push(`  n${String(i).padStart(5, '0')}: {}`);
    const d = new NodeDb(parseNodesConf(lines.join('\n')), '');
    const got = d.select(['n[00000-49999]', 'n[00000-49999]']);
    expect(got.length).toBe(50_000);
    expect(got[49_999]).toBe('n49999');
  });
});
