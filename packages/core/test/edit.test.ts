/** Core's editing half on its own: edits on raw entities, registry operations, diffs, numbering. */
import { describe, expect, it } from 'vitest';
import {
  FIELD_BY_NAME, addEntities, applyEdit, applyEdits, deleteEntities, diffFields, dumpNodesConf, entityFromFields, flattenEntity, importEntities,
  incrementIp, parseFieldValue, parseNodesConf, type EditOp, type FieldRef, type FieldSpec,
} from '../src/index.js';
import { wwErrorOf } from './helpers.js';

const ref = (name: string, ...keys: string[]): FieldRef => ({ spec: FIELD_BY_NAME.get(name) as FieldSpec, keys });
const set = (name: string, value: unknown, ...keys: string[]): EditOp => ({ op: 'set', ref: ref(name, ...keys), value });

describe('applyEdit on a raw entity', () => {
  it('sets a nested field, creating containers in declaration order, and leaves unknown keys alone', () => {
    const doc = parseNodesConf('nodes:\n  n1:\n    zz unknown: 1\n    comment: c\n');
    const n1 = doc.nodes.n1 as Record<string, unknown>;
    applyEdit(n1, set('NetDevs[].Ipaddr', '10.0.0.1', 'default'));
    applyEdit(n1, set('Kernel.Version', '6.10'));
    expect(Object.keys(n1)).toEqual(['comment', 'kernel', 'network devices', 'zz unknown']);
    expect(dumpNodesConf(doc)).toContain('zz unknown: 1\n');
  });

  it('unset prunes containers it empties; it reports whether it found anything', () => {
    const n1 = parseNodesConf('nodes:\n  n1: {ipmi: {username: u}}\n').nodes.n1 as Record<string, unknown>;
    expect(applyEdit(n1, { op: 'unset', ref: ref('Ipmi.UserName') })).toBe(true);
    expect(n1).toEqual({});
    expect(applyEdit(n1, { op: 'unset', ref: ref('Ipmi.UserName') })).toBe(false);
  });

  it('editing a field drops its legacy spellings, keeping what they carried for other fields', () => {
    const n1 = parseNodesConf('nodes:\n  n1:\n    container name: old\n    network devices:\n      eth0: {ipcidr: 10.0.0.5/16}\n').nodes.n1 as Record<string, unknown>;
    applyEdit(n1, set('ImageName', 'new'));
    applyEdit(n1, set('NetDevs[].Ipaddr', '10.0.0.6', 'eth0'));
    expect(n1['container name']).toBeUndefined();
    expect(n1['image name']).toBe('new');
    expect(n1['network devices']).toEqual({ eth0: { ipaddr: '10.0.0.6', netmask: '255.255.0.0' } });
  });

  it('a __proto__ key is an ordinary key on every write path', () => {
    const n1 = parseNodesConf('nodes:\n  n1: {}\n').nodes.n1 as Record<string, unknown>;
    applyEdit(n1, set('NetDevs[].Tags[]', 'pwn', '__proto__', 'role'));
    applyEdit(n1, set('Tags[]', 'x', '__proto__'));
    expect(Object.getOwnPropertyDescriptor(n1['network devices'] as object, '__proto__')?.value).toEqual({ tags: { role: 'pwn' } });
    expect(Object.getOwnPropertyDescriptor(n1.tags as object, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(Object.getPrototypeOf(n1['network devices'])).toBe(null);
  });

  it('entityFromFields builds the YAML shape in declaration order', () => {
    const e = entityFromFields([{ ...ref('Tags[]', 'b'), value: '2' }, { ...ref('Comment'), value: 'c' }].map((r) => ({ ref: { spec: r.spec, keys: r.keys }, value: r.value })));
    expect(Object.keys(e)).toEqual(['comment', 'tags']);
  });
});

describe('registry operations', () => {
  const doc = () => parseNodesConf('nodeprofiles: {default: {}}\nnodes:\n  n1: {network devices: {default: {hwaddr: "52:54:00:00:00:01"}}}\n  n2: {}\n');

  it('applyEdits returns each entity\'s field changes, removals included', () => {
    const d = doc();
    const changes = applyEdits(d, 'node', ['n1', 'n2'], () => [set('Comment', 'x')]);
    expect(changes.get('n1')).toEqual([expect.objectContaining({ kind: 'field', path: 'Comment', before: undefined, after: 'x' })]);
    const removal = applyEdits(d, 'node', ['n1'], () => [{ op: 'remove', yaml: ['network devices', 'default'], what: 'no such network' }]);
    expect(removal.get('n1')?.at(-1)).toEqual({ kind: 'removed', yaml: ['network devices', 'default'], what: 'network' });
    expect(wwErrorOf(() => applyEdits(d, 'node', ['n2'], () => [{ op: 'remove', yaml: ['network devices', 'x'], what: 'no such network: x' }])).message).toBe('no such network: x');
  });

  it('set/unset changes (diffed on the named fields only) are exactly the whole-entity diff, legacy and dracut included', () => {
    const text = [
      'nodeprofiles:',
      '  default: {comment: p, asset key: ignored-on-profiles}',
      'nodes:',
      '  modern: {comment: old, kernel: {args: [quiet]}, tags: {a: "1"}, network devices: {default: {ipaddr: 10.0.0.1, netmask: 255.255.0.0}}}',
      '  legacy: {container name: img, ipmi ipaddr: 10.1.0.1, network devices: {eth0: {ipcidr: 10.0.0.5/16, primary: "true"}}}',
      '  empty: {}',
    ].join('\n');
    const cases: { section: 'node' | 'profile'; id: string; edits: EditOp[] }[] = [
      { section: 'node', id: 'modern', edits: [set('Comment', 'new')] },
      { section: 'node', id: 'modern', edits: [set('Comment', 'old')] }, // no change at all
      { section: 'node', id: 'modern', edits: [{ op: 'unset', ref: ref('Tags[]', 'a') }, set('Tags[]', '2', 'b')] },
      { section: 'node', id: 'modern', edits: [set('NetDevs[].Ipaddr', '10.0.0.9', 'default'), { op: 'unset', ref: ref('NetDevs[].Netmask', 'default') }] },
      { section: 'node', id: 'modern', edits: [set('Ipxe', 'dracut')] }, // brings in the legacy vocabulary: Ipxe and a tag derive from it
      { section: 'node', id: 'legacy', edits: [set('NetDevs[].Ipaddr', '10.0.0.6', 'eth0')] }, // ipcidr split, its mask kept
      { section: 'node', id: 'legacy', edits: [set('ImageName', 'other'), { op: 'unset', ref: ref('Ipmi.Ipaddr') }] },
      { section: 'node', id: 'empty', edits: [set('Kernel.Args', ['a', 'b']), set('Ipmi.Port', '623')] },
      { section: 'profile', id: 'default', edits: [set('AssetKey', 'k'), set('Comment', 'q')] }, // node-only field on a profile
    ];
    for (const c of cases) {
      const mine = parseNodesConf(text);
      const theirs = parseNodesConf(text);
      const all = c.section === 'node' ? theirs.nodes : theirs.profiles;
      const raw = all[c.id] as Record<string, unknown>;
      const before = flattenEntity(raw, c.section === 'node');
      for (const e of c.edits) applyEdit(raw, e);
      const whole = diffFields(before, flattenEntity(raw, c.section === 'node'));
      expect(applyEdits(mine, c.section, [c.id], () => c.edits).get(c.id), `${c.id}: ${c.edits.map((e) => e.op + ' ' + ('ref' in e ? e.ref.spec.name : '')).join(', ')}`).toEqual(whole);
    }
  });

  it('a hardware address can not be given to two nodes', () => {
    const d = doc();
    const e = wwErrorOf(() => applyEdits(d, 'node', ['n2'], () => [set('NetDevs[].Hwaddr', '52:54:00:00:00:01', 'default')]));
    expect(e.message).toBe('hwaddr 52:54:00:00:00:01 of node n2 is already used by node n1');
  });

  it('addEntities checks names, repeats and existence before changing anything', () => {
    const d = doc();
    expect(wwErrorOf(() => addEntities(d, 'node', ['n3', 'n3'], () => [])).message).toBe('node n3 is named more than once');
    expect(wwErrorOf(() => addEntities(d, 'node', ['ok', 'bad name'], () => [])).code).toBe('WW_ERR_INVALID_NAME');
    expect(Object.keys(d.nodes)).toEqual(['n1', 'n2']);
    addEntities(d, 'node', ['n3'], () => []);
    expect(d.nodes.n3).toEqual({ profiles: ['default'] });
  });

  it('the default profile can not be deleted; import replaces entries whole', () => {
    const d = doc();
    expect(wwErrorOf(() => deleteEntities(d, 'profile', ['default'])).code).toBe('WW_ERR_PROFILE_PROTECTED');
    const r = importEntities(d, 'node', { n2: { comment: 'imported' }, n4: {} });
    expect(r).toEqual({ added: ['n4'], updated: ['n2'] });
    expect(d.nodes.n2).toEqual({ comment: 'imported' });
  });
});

describe('parseFieldValue: one validation for every caller', () => {
  it.each([
    ['NetDevs[].Ipaddr', '10.0.0.1', { kind: 'set', value: '10.0.0.1' }],
    ['NetDevs[].Ipaddr', '0.0.0.0', { kind: 'unset' }],
    ['NetDevs[].Hwaddr', 'AA-BB-CC-DD-EE-FF', { kind: 'set', value: 'aa:bb:cc:dd:ee:ff' }],
    ['Ipmi.Write', 'yes', { kind: 'set', value: 'true' }],
    ['Disks[].WipeTable', 'no', { kind: 'set', value: false }],
    ['Kernel.Args', ['quiet', ' ', 'splash'], { kind: 'set', value: ['quiet', 'splash'] }],
    ['Comment', 'UNSET', { kind: 'unset' }],
  ])('%s %j', (name, raw, want) => {
    expect(parseFieldValue(FIELD_BY_NAME.get(name) as FieldSpec, raw as string)).toEqual(want);
  });

  it('errors name the caller\'s label for the field', () => {
    expect(wwErrorOf(() => parseFieldValue(FIELD_BY_NAME.get('Ipmi.Port') as FieldSpec, '99999', '--ipmiport')).message).toBe('--ipmiport: expected a port number (1-65535): "99999"');
    expect(wwErrorOf(() => parseFieldValue(FIELD_BY_NAME.get('NetDevs[].Ipaddr') as FieldSpec, 'x')).message).toBe('NetDevs[].Ipaddr: invalid IP address: "x"');
  });
});

describe('incrementIp', () => {
  it.each([
    ['10.0.0.254', 3, '10.0.1.1'],
    ['fd00::ffff', 1, 'fd00::1:0'],
    ['::ffff:10.0.0.255', 1, '::ffff:10.0.1.0'],
  ])('%s + %i = %s', (ip, n, want) => expect(incrementIp(ip, n)).toBe(want));

  it('refuses to wrap', () => {
    expect(wwErrorOf(() => incrementIp('255.255.255.255', 1)).message).toMatch(/address range overflows/);
  });
});
