/**
 * Field value checks are one class of rule, applied on every way in: a flag
 * (parseFieldValue, naming the flag), nodes.conf / node import / node edit
 * (parseEntityMap, naming FILE:LINE:COL and the key path) and the REST API
 * (parseEntityBody, naming the key path). Each check of the field table is
 * exercised through all three with the same good and bad values: disk,
 * partition and file system values (§2.2), interface names, ipmitool
 * interface words, escape characters and IPMI user names.
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { FIELD_BY_FLAG, parseEntityMap, parseFieldValue } from '@warewulf/core';
import { parseEntityBody } from '@warewulf/core/node-schema';

/** A node holding `value` at the field of `flag`, with its map keys filled. */
function nodeWith(flag: string, value: string): Record<string, unknown> {
  const spec = FIELD_BY_FLAG.get(flag);
  if (!spec) throw new Error(`no field for --${flag}`);
  const keys = ['/dev/vda', 'p1'];
  const path = spec.yaml.map((k) => (k === '*' ? (spec.scope === 'net' ? 'default' : spec.scope === 'fs' ? '/dev/vda1' : keys.shift()) : k)) as string[];
  const node: Record<string, unknown> = {};
  let at = node;
  for (const k of path.slice(0, -1)) at = (at[k] = {}) as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
  return node;
}

/** The outcome of each way in: undefined when accepted, else the error message. */
function viaAllWays(flag: string, value: string): { flag?: string; file?: string; api?: string } {
  const spec = FIELD_BY_FLAG.get(flag);
  if (!spec) throw new Error(`no field for --${flag}`);
  const attempt = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return String((e as Error).message);
    }
  };
  const node = nodeWith(flag, value);
  return {
    flag: attempt(() => parseFieldValue(spec, value, `--${flag}`)),
    file: attempt(() => parseEntityMap(yaml.dump({ n1: node }), '/etc/warewulf/nodes.conf')),
    api: attempt(() => parseEntityBody('node', node)),
  };
}

const CASES: [flag: string, good: string[], bad: string[], message: RegExp][] = [
  ['partnumber', ['0', '1', '2', '128'], ['abc', '129', '-1', '1.5', ' 1'], /expected a partition number \(0-128; 0: the next free one, as Ignition reads it\)/],
  ['partsize', ['0', '1', '1024', '4194304'], ['-5', 'abc', '1G', '1.5', '99999999999999999999'], /expected a whole number of MiB/],
  ['fspath', ['/', '/var', '/scratch/a-b_c.d', 'swap', 'none'], ['relative', 'var/lib', '/a b', '/a\tb', '/a\nb', 'swapx'], /expected an absolute path without whitespace/],
  ['netdev', ['eth0', 'ib0', 'enp1s0f0', 'eth0.100', 'bond0:1', 'ib0.8001', 'br-0a1b2c3d4e5f', 'x'.repeat(15)],
    ['eth0 ; reboot', 'eth0;reboot', 'a/b', '$(reboot)', "eth0'", '-eth0', '.', '..', 'x'.repeat(16), 'eth\u00e90'],
    /expected a network interface name/],
  ['ipmiinterface', ['lan', 'lanplus', 'open', 'imb', 'serial-terminal', 'usb'], ['lanplus -H 10.9.9.9', 'lan;x', '-H', '"lan"', 'lan\n'], /expected one ipmitool interface word/],
  ['ipmiescapechar', ['~', '&', '^', '!', 'x'], ['ab', ' ', '"', '\\', '`', '$', '\t', '\u00a7'], /expected a single escape character/],
  ['ipmiuser', ['admin', 'ADMIN', 'ad min', "o'brien", 'user@domain', 'a;b'], ['ad"min', 'a\\b', 'a`id`', 'a$USER', 'a\nb', 'a\u0000b'], /an IPMI user name cannot contain/],
];

describe('field value checks: the same rule for a flag, nodes.conf (FILE:LINE:COL) and the REST API', () => {
  it.each(CASES)('--%s accepts its valid values on every way in', (flag, good) => {
    for (const v of good) expect([v, viaAllWays(flag, v)]).toEqual([v, { flag: undefined, file: undefined, api: undefined }]);
  });

  it.each(CASES)('--%s refuses its invalid values on every way in, naming the flag or the key', (flag, _good, bad, message) => {
    const key = (FIELD_BY_FLAG.get(flag)?.yaml.at(-1)) as string;
    for (const v of bad) {
      const r = viaAllWays(flag, v);
      expect(r.flag, `--${flag} ${JSON.stringify(v)}`).toMatch(message);
      expect(r.flag).toContain(`--${flag}: `);
      expect(r.file, `nodes.conf ${JSON.stringify(v)}`).toMatch(message);
      expect(r.file).toMatch(new RegExp(`^/etc/warewulf/nodes\\.conf:\\d+:\\d+: n1\\..*${key.replace(/[.*]/g, '\\$&')}: `));
      expect(r.api, `API ${JSON.stringify(v)}`).toMatch(message);
    }
  });

  it('start_mib (no flag: nodes.conf and the API) has the size rule', () => {
    const node = { disks: { '/dev/vda': { partitions: { p1: { start_mib: '-1' } } } } };
    expect(() => parseEntityMap(yaml.dump({ n1: node }), 'nodes.conf')).toThrow(/nodes\.conf:\d+:\d+: n1\.disks\.\/dev\/vda\.partitions\.p1\.start_mib: expected a whole number of MiB/);
    expect(() => parseEntityBody('node', node)).toThrow(/start_mib: expected a whole number of MiB/);
    expect(() => parseEntityMap(yaml.dump({ n1: { disks: { '/dev/vda': { partitions: { p1: { start_mib: 0 } } } } } }), 'nodes.conf')).not.toThrow();
  });

  it('YAML numbers are checked as their text: number: 1 and size_mib: 0 pass, size_mib: -5 fails at its line and column', () => {
    const text = 'n1:\n  disks:\n    /dev/vda:\n      partitions:\n        p1:\n          number: 1\n          size_mib: 0\n        p2:\n          size_mib: -5\n';
    expect(() => parseEntityMap(text, 'nodes.conf')).toThrow(/^nodes\.conf:9:11: n1\.disks\.\/dev\/vda\.partitions\.p2\.size_mib: expected a whole number of MiB \(0 or more\)$/);
  });

  it('the IPMI password takes any text: it never enters the rendered command (bmc/template.ts), and an error would never print it', () => {
    const spec = FIELD_BY_FLAG.get('ipmipass');
    expect(spec?.check).toBeUndefined();
    expect(viaAllWays('ipmipass', 'pa"ss\\$`x')).toEqual({ flag: undefined, file: undefined, api: undefined });
  });

  it('UNSET still clears a checked field, and an empty value passes it', () => {
    for (const flag of ['partnumber', 'partsize', 'fspath', 'netdev', 'ipmiinterface', 'ipmiescapechar', 'ipmiuser']) {
      const spec = FIELD_BY_FLAG.get(flag);
      if (!spec) throw new Error(flag);
      expect(parseFieldValue(spec, 'UNSET', `--${flag}`)).toEqual({ kind: 'unset' });
      expect(parseFieldValue(spec, '', `--${flag}`)).toEqual({ kind: 'set', value: '' });
    }
  });
});
