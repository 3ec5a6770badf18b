/**
 * The API's zod schemas of a node and a profile (generated from the field
 * table) accept and refuse what nodes.conf's own shape check does, naming
 * the same key path; an entry's revision survives a write and a re-read.
 */
import { describe, expect, it } from 'vitest';
import {
  FIELDS, dumpNodesConf, entryRevision, flattenEntity, parseEntityMap, parseNodesConf, patchEntry, putEntry, deleteEntry,
} from '@warewulf/core';
import { FIELD_SCHEMAS, parseEntityBody } from '@warewulf/core/node-schema';
import yaml from 'js-yaml';

/** A node that sets every kind of field. */
const RICH = {
  discoverable: 'true', 'asset key': 'k', profiles: ['default'], comment: 'c', 'cluster name': 'cl', 'image name': 'rocky',
  'ipxe template': 'default', 'runtime overlay': ['generic'], 'system overlay': ['wwinit'], kernel: { version: '6.1.0', args: ['quiet'] },
  ipmi: { username: 'u', password: 'p', ipaddr: '10.1.0.1', gateway: '10.1.0.254', netmask: '255.255.0.0', port: '623', interface: 'lanplus', escapechar: '~', write: 'false', template: 'ipmitool.tmpl', tags: { vlan: '4' } },
  init: '/sbin/init', root: 'initramfs',
  'network devices': { default: { type: 'ethernet', onboot: 'true', device: 'eth0', hwaddr: 'aa:bb:cc:dd:ee:ff', ipaddr: '10.0.0.1', netmask: '255.255.255.0', gateway: '10.0.0.254', ipaddr6: 'fd00::1', prefixlen6: '64', gateway6: 'fd00::fe', mtu: '9000', tags: { role: 'mgmt' } } },
  tags: { rack: '4' }, 'primary network': 'default',
  disks: { '/dev/vda': { wipe_table: true, partitions: { scratch: { number: '1', size_mib: '100', start_mib: '0', type_guid: 'x', guid: 'y', wipe_partition_entry: true, should_exist: true, resize: false } } } },
  filesystems: { '/dev/disk/by-partlabel/scratch': { format: 'ext4', path: '/scratch', wipe_filesystem: true, label: 'l', uuid: 'u', options: ['-F'], mount_options: 'defaults' } },
  resources: { fstab: [{ spec: 'srv:/home', file: '/home' }] },
};

/** Invalid nodes and the key path both checks must name. */
const INVALID: [Record<string, unknown>, string][] = [
  [{ 'network devices': { default: { ipaddr: '10.0.0.300' } } }, 'network devices.default.ipaddr'],
  [{ 'network devices': { default: { hwaddr: 'not-a-mac' } } }, 'network devices.default.hwaddr'],
  [{ 'network devices': { default: { netmask: '255.0.255.0' } } }, 'network devices.default.netmask'],
  [{ 'network devices': { default: { mtu: '12' } } }, 'network devices.default.mtu'],
  [{ 'network devices': { default: { prefixlen6: '129' } } }, 'network devices.default.prefixlen6'],
  [{ 'network devices': { '-bad': {} } }, 'network devices.-bad'],
  [{ ipmi: { port: '0' } }, 'ipmi.port'],
  [{ ipmi: { ipaddr: 'x' } }, 'ipmi.ipaddr'],
  [{ comment: ['a', 'b'] }, 'comment'],
  [{ profiles: { a: 1 } }, 'profiles'],
  [{ tags: 'x' }, 'tags'],
  [{ disks: { 'vda': {} } }, 'disks.vda'],
];

/** The key path an error names: nodes.conf's "FILE:L:C: n1.<path>: message", the API error's `path` ("node.<path>"). */
const fileWhere = (e: unknown, path: string): string => (String((e as Error).message).startsWith(`n1.${path}: `, String((e as Error).message).indexOf(' ') + 1) ? path : String((e as Error).message));
const apiWhere = (e: unknown): string => String((e as { path: string }).path).replace(/^node\./, '');

describe('node schema generated from the field table', () => {
  it('has one schema per field', () => {
    expect([...FIELD_SCHEMAS.keys()]).toEqual(FIELDS.map((f) => f.name));
  });

  it('accepts the node that nodes.conf accepts, with the same fields', () => {
    const fromFile = parseEntityMap(yaml.dump({ n1: RICH }), 'nodes.conf').n1 ?? {};
    const fromApi = parseEntityBody('node', RICH);
    const flat = (e: Record<string, unknown>) => [...flattenEntity(e, true).values()].map((x) => [x.path, x.value]);
    expect(flat(fromApi)).toEqual(flat(fromFile));
    expect(flat(fromApi).length).toBeGreaterThanOrEqual(FIELDS.length - 3);
  });

  it('refuses what nodes.conf refuses, at the same key path', () => {
    for (const [node, path] of INVALID) {
      let fileErr: unknown;
      let apiErr: unknown;
      try {
        parseEntityMap(yaml.dump({ n1: node }), 'nodes.conf');
      } catch (e) {
        fileErr = e;
      }
      try {
        parseEntityBody('node', node);
      } catch (e) {
        apiErr = e;
      }
      expect([path, fileErr !== undefined, apiErr !== undefined]).toEqual([path, true, true]);
      expect([path, fileWhere(fileErr, path), apiWhere(apiErr)]).toEqual([path, path, path]);
    }
  });

  it('refuses unknown keys and 4.3 spellings (which nodes.conf keeps), naming today\'s key', () => {
    expect(() => parseEntityBody('node', { 'kernel args': 'quiet' })).toThrow('node.kernel args: a 4.3 spelling: use "kernel.args"');
    expect(() => parseEntityBody('node', { ipmi: { colour: 'x' } })).toThrow('node.ipmi.colour: unknown field');
    expect(() => parseEntityBody('profile', { discoverable: true })).toThrow('profile.discoverable: only nodes have this field (field Discoverable)');
  });
});

describe('entry revisions and whole-entry writes', () => {
  const TEXT = 'nodeprofiles:\n  default: {}\nnodes:\n  n1:\n    comment: one\n    kernel:\n      version: 6.10\n  n2: {}\n';

  it('a revision survives a write and a re-read, and changes only with the entry', async () => {
    const doc = parseNodesConf(TEXT);
    const r1 = entryRevision(doc.nodes.n1);
    const again = parseNodesConf(dumpNodesConf(doc));
    expect(entryRevision(again.nodes.n1)).toBe(r1);
    const p = await patchEntry(again, { section: 'node', id: 'n2' }, parseEntityBody('node', { comment: 'two' }));
    expect(p.changed).toBe(true);
    expect(entryRevision(again.nodes.n1)).toBe(r1);
    const reread = parseNodesConf(dumpNodesConf(again));
    expect(entryRevision(reread.nodes.n2)).toBe(p.revision);
    expect(String(reread.nodes.n1?.kernel && (reread.nodes.n1.kernel as Record<string, unknown>).version)).toBe('6.10');
  });

  it('If-Match: a stale revision throws WW_ERR_PRECONDITION and leaves the document alone; PUT, PATCH and DELETE honour it', async () => {
    const doc = parseNodesConf(TEXT);
    const before = dumpNodesConf(doc);
    const stale = { ifMatch: ['nope'] as const };
    await expect(patchEntry(doc, { section: 'node', id: 'n1', condition: stale }, { comment: 'x' })).rejects.toMatchObject({ code: 'WW_ERR_PRECONDITION' });
    await expect(putEntry(doc, { section: 'node', id: 'n1', condition: stale }, { comment: 'x' })).rejects.toMatchObject({ code: 'WW_ERR_PRECONDITION' });
    expect(() => deleteEntry(doc, { section: 'node', id: 'n1', condition: stale })).toThrow(expect.objectContaining({ code: 'WW_ERR_PRECONDITION' }));
    expect(dumpNodesConf(doc)).toBe(before);
    const ok = await patchEntry(doc, { section: 'node', id: 'n1', condition: { ifMatch: [entryRevision(doc.nodes.n1)] } }, { comment: 'x' });
    expect(ok.changed).toBe(true);
  });
});
