/**
 * The output modes of `wwctl node list` (§1.3). `-a` defaults to the layout
 * of the seed document (4.3's fixed-width provenance table, with built-in
 * defaults in parentheses); today's tab-aligned layout is `--style current`.
 */
import { dumpYaml } from '../yaml/document.js';
import { printfRow, tabTable } from '../table.js';
import type { FieldSpec } from './fields.js';
import { entityFromFields } from './edit.js';
import { compareFields, type MergedField, type MergedNode } from './merge.js';

const dash = (s: string | undefined): string => (s === undefined || s === '' ? '--' : s);

function text(f: MergedField | undefined, sep = ','): string | undefined {
  if (f === undefined) return undefined;
  const v = f.value;
  if (Array.isArray(v)) return v.join(sep);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  return compactJson(v);
}

/** Compact JSON with sorted keys (Go's map printing order). */
export function compactJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/* ---------------- default, -l, -n, -i (tab tables) ---------------- */

export function formatNodeList(nodes: readonly Pick<MergedNode, 'id' | 'profiles' | 'netdevs'>[]): string {
  return tabTable(
    ['NODE NAME', 'PROFILES', 'NETWORK'],
    nodes.map((n) => [n.id, dash(n.profiles.join(',')), dash(n.netdevs.join(', '))]),
  );
}

export function formatNodeListLong(nodes: readonly MergedNode[]): string {
  return tabTable(
    ['NODE NAME', 'KERNEL VERSION', 'IMAGE', 'OVERLAYS (S/R)'],
    nodes.map((n) => [
      n.id,
      dash(text(n.fields.get('Kernel.Version'))),
      dash(text(n.fields.get('ImageName'))),
      `${text(n.fields.get('SystemOverlay')) ?? ''}/${text(n.fields.get('RuntimeOverlay')) ?? ''}`,
    ]),
  );
}

export function formatNodeListNet(nodes: readonly MergedNode[]): string {
  const rows: string[][] = [];
  for (const n of nodes) {
    if (n.netdevs.length === 0) rows.push([n.id, '--', '--', '--', '--', '--']);
    for (const net of n.netdevs) {
      const g = (f: string) => dash(text(n.fields.get(`NetDevs[${net}].${f}`)));
      rows.push([n.id, net, g('Hwaddr'), g('Ipaddr'), g('Gateway'), g('Device')]);
    }
  }
  return tabTable(['NODE', 'NETWORK', 'HWADDR', 'IPADDR', 'GATEWAY', 'DEVICE'], rows);
}

export function formatNodeListIpmi(nodes: readonly MergedNode[]): string {
  return tabTable(
    ['NODE', 'IPMI IPADDR', 'IPMI PORT', 'IPMI USERNAME', 'IPMI INTERFACE'],
    nodes.map((n) => {
      const g = (f: string) => dash(text(n.fields.get(`Ipmi.${f}`)));
      return [n.id, g('Ipaddr'), g('Port'), g('UserName'), g('Interface')];
    }),
  );
}

/* ---------------- -a: provenance ---------------- */

export interface ProvenanceRow {
  node: string;
  field: string;
  /** `--`, a profile name (or names for lists), or SUPERSEDED. */
  source: string;
  /** As printed: the value, `(default)` in parentheses, or `--`. */
  value: string;
  /** Where the value comes from, for machine-readable output. */
  origin: 'node' | 'profile' | 'superseded' | 'default' | 'unset';
}

const MASK = '********';

function seedSource(f: MergedField | undefined): string {
  if (f === undefined || f.isDefault) return '--';
  const profiles = f.contributors.filter((_c, i) => !(f.node && i === f.contributors.length - 1));
  if (f.node && f.profile !== undefined) return 'SUPERSEDED';
  if (f.profile !== undefined) return f.entry.ref.spec.kind === 'list' ? [...new Set(profiles)].join(',') : f.profile;
  return '--';
}

function origin(f: MergedField | undefined): ProvenanceRow['origin'] {
  if (f === undefined) return 'unset';
  if (f.isDefault) return 'default';
  if (f.node && f.profile !== undefined) return 'superseded';
  return f.node ? 'node' : 'profile';
}

function seedRow(node: string, label: string, f: MergedField | undefined, sep = ',', secret = false): ProvenanceRow {
  let value = text(f, sep);
  if (value !== undefined && secret) value = MASK;
  const shown = value === undefined || value === '' ? '--' : f?.isDefault ? `(${value})` : value;
  return { node, field: label, source: seedSource(f), value: shown, origin: origin(f) };
}

/** The seed's rows, in the seed's order (seed "Output of wwctl node list node01"). */
const SEED_TOP: readonly [string, string, string?][] = [
  ['Cluster', 'ClusterName'],
  ['Profiles', 'Profiles'],
  ['Discoverable', 'Discoverable'],
  ['Container', 'ImageName'],
  ['KernelOverride', 'Kernel.Version'],
  ['KernelArgs', 'Kernel.Args', ' '],
  ['SystemOverlay', 'SystemOverlay'],
  ['RuntimeOverlay', 'RuntimeOverlay'],
  ['Ipxe', 'Ipxe'],
  ['Init', 'Init'],
  ['Root', 'Root'],
  ['AssetKey', 'AssetKey'],
  ['IpmiIpaddr', 'Ipmi.Ipaddr'],
  ['IpmiNetmask', 'Ipmi.Netmask'],
  ['IpmiPort', 'Ipmi.Port'],
  ['IpmiGateway', 'Ipmi.Gateway'],
  ['IpmiUserName', 'Ipmi.UserName'],
  ['IpmiInterface', 'Ipmi.Interface'],
  ['IpmiWrite', 'Ipmi.Write'],
];
const SEED_NET: readonly [string, string][] = [
  ['DEVICE', 'Device'], ['HWADDR', 'Hwaddr'], ['IPADDR', 'Ipaddr'], ['IPADDR6', 'Ipaddr6'],
  ['NETMASK', 'Netmask'], ['GATEWAY', 'Gateway'], ['TYPE', 'Type'], ['ONBOOT', 'OnBoot'],
];
const SEED_SHOWN = new Set(['Id', 'Comment', ...SEED_TOP.map((r) => r[1])]);
const SEED_NET_SHOWN = new Set(SEED_NET.map((r) => r[1]));

/** Seed label of a field the seed does not show: `IpmiPassword`, `Tag[role]`, `IpmiTag[vlan]`, `Disks[/dev/vda].WipeTable`. */
function extraLabel(spec: FieldSpec, keys: readonly string[]): string {
  switch (spec.name) {
    case 'Tags[]':
      return `Tag[${keys[0]}]`;
    case 'Ipmi.Tags[]':
      return `IpmiTag[${keys[0]}]`;
    case 'PrimaryNetDev':
      return 'PrimaryNetwork';
    default: {
      let i = 0;
      const filled = spec.name.replace(/\[\]/g, () => `[${keys[i++] ?? ''}]`);
      return filled.startsWith('Ipmi.') ? filled.replace('Ipmi.', 'Ipmi') : filled;
    }
  }
}

export function seedProvenanceRows(n: MergedNode): ProvenanceRow[] {
  const rows: ProvenanceRow[] = [];
  rows.push({ node: n.id, field: 'Id', source: '--', value: n.id, origin: 'node' });
  rows.push(seedRow(n.id, 'Comment', n.fields.get('Comment')));
  for (const [label, name, sep] of SEED_TOP) {
    const f = n.fields.get(name);
    rows.push(label === 'Profiles' ? { ...seedRow(n.id, label, f), source: '--' } : seedRow(n.id, label, f, sep ?? ','));
  }
  // fields the seed does not show, only when set, in data-model order
  const extras = [...n.fields.values()]
    .filter((f) => !f.isDefault && f.entry.ref.spec.scope !== 'net' && !SEED_SHOWN.has(f.entry.ref.spec.name))
    .filter((f) => f.entry.ref.spec.name !== 'PrimaryNetDev')
    .sort((a, b) => compareFields(a.entry, b.entry));
  for (const f of extras) {
    rows.push(seedRow(n.id, extraLabel(f.entry.ref.spec, f.entry.ref.keys), f, ',', f.entry.ref.spec.name === 'Ipmi.Password'));
  }
  const primary = n.fields.get('PrimaryNetDev');
  for (const net of n.netdevs) {
    for (const [label, field] of SEED_NET) rows.push(seedRow(n.id, `${net}:${label}`, n.fields.get(`NetDevs[${net}].${field}`)));
    const isPrimary = n.primaryNetDev === net;
    rows.push({
      node: n.id, field: `${net}:DEFAULT`,
      source: isPrimary && primary?.value === net ? seedSource(primary) : '--',
      value: String(isPrimary), origin: isPrimary && primary?.value === net ? origin(primary) : 'default',
    });
    const netExtras = [...n.fields.values()]
      .filter((f) => f.entry.ref.spec.scope === 'net' && f.entry.ref.keys[0] === net && !SEED_NET_SHOWN.has(f.entry.ref.spec.name.replace('NetDevs[].', '')))
      .sort((a, b) => compareFields(a.entry, b.entry));
    for (const f of netExtras) {
      const spec = f.entry.ref.spec;
      const label = spec.tagMap ? `TAG[${f.entry.ref.keys[1]}]` : spec.name.replace('NetDevs[].', '').toUpperCase();
      rows.push(seedRow(n.id, `${net}:${label}`, f));
    }
  }
  return rows;
}

/** `-a` in the seed's layout: per node a line of 80 `#`, the header, then rows. */
export function formatNodeListAllSeed(nodes: readonly MergedNode[]): string {
  const widths = [20, 18, 12];
  let out = '';
  for (const n of nodes) {
    out += `${'#'.repeat(80)}\n`;
    out += printfRow(widths, ['NODE', 'FIELD', 'PROFILE', 'VALUE']);
    for (const r of seedProvenanceRows(n)) out += printfRow(widths, [r.node, r.field, r.source, r.value]);
  }
  return out;
}

/** Today's provenance rows (§2.6): only fields that have a value, dotted field names, list sources accumulated. */
export function currentProvenanceRows(n: MergedNode): ProvenanceRow[] {
  const rows: ProvenanceRow[] = [];
  const fields = [...n.fields.values()].filter((f) => !f.isDefault).sort((a, b) => compareFields(a.entry, b.entry));
  for (const f of fields) {
    const spec = f.entry.ref.spec;
    let source: string;
    let value: string;
    if (spec.name === 'Profiles') {
      source = '--';
      value = text(f) ?? '';
    } else if (spec.kind === 'list') {
      source = f.node && f.contributors.length === 1 ? '--' : f.contributors.join(',');
      value = (f.rawList ?? []).join(',');
    } else {
      source = f.node && f.profile !== undefined ? 'SUPERSEDED' : f.profile ?? '--';
      value = spec.name === 'Ipmi.Password' ? MASK : text(f) ?? '';
    }
    rows.push({ node: n.id, field: f.entry.path, source, value, origin: origin(f) });
  }
  return rows;
}

export function formatNodeListAllCurrent(nodes: readonly MergedNode[]): string {
  const rows = nodes.flatMap((n) => currentProvenanceRows(n).map((r) => [r.node, r.field, r.source, r.value]));
  return tabTable(['NODE', 'FIELD', 'PROFILE', 'VALUE'], rows);
}

/* ---------------- -y / -j / export ---------------- */

/** The merged node in nodes.conf's shape (built-in defaults left out, as they are not configuration). */
export function mergedEntity(n: MergedNode): Record<string, unknown> {
  const fields = [...n.fields.values()].filter((f) => !f.isDefault).sort((a, b) => compareFields(a.entry, b.entry));
  return entityFromFields(fields.map((f) => ({ ref: f.entry.ref, value: f.value })));
}

export function formatYamlMap(map: Record<string, unknown>, indent: number): string {
  return dumpYaml(map, indent);
}

/** Go's encoding/json escapes <, > and & in strings. */
export function formatJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

