/**
 * Where each value of a merged node comes from (§2.6), as rows: what
 * `wwctl node list -a` prints (in the seed's layout or today's) and what the
 * REST API's `fields` endpoint returns. Core computes rows; wwctl prints them.
 */
import { plainData } from '../yaml/scalar.js';
import { FIELDS, fieldPath, type FieldRef, type FieldSpec } from './fields.js';
import type { FlatValue } from './flat.js';
import { entityFromFields } from './edit.js';
import { compareFields, type MergedField, type MergedNode } from './merge.js';

/** A merged value as one line of text (lists joined by `sep`, resources as compact JSON). */
export function fieldText(f: Pick<MergedField, 'value'> | undefined, sep = ','): string | undefined {
  if (f === undefined) return undefined;
  const v = f.value;
  // a list of strings joins; a structured value (resources: a list of mappings) prints as compact JSON
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(sep);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  return compactJson(v);
}

/** Compact JSON with sorted keys (Go's map printing order); kept-text scalars as their YAML values. */
export function compactJson(v: unknown): string {
  return JSON.stringify(sortKeys(plainData(v)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
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
  if (f.node && f.profile !== undefined) return 'SUPERSEDED';
  if (f.profile === undefined) return '--';
  if (f.entry.ref.spec.kind !== 'list') return f.profile;
  // a list: every profile that contributed to it, once each (the node itself is not a profile)
  const profiles = f.node ? f.contributors.slice(0, -1) : f.contributors;
  return profiles.length === 1 ? (profiles[0] as string) : [...new Set(profiles)].join(',');
}

function origin(f: MergedField | undefined): ProvenanceRow['origin'] {
  if (f === undefined) return 'unset';
  if (f.isDefault) return 'default';
  if (f.node && f.profile !== undefined) return 'superseded';
  return f.node ? 'node' : 'profile';
}

function seedRow(node: string, label: string, f: MergedField | undefined, sep = ',', secret: boolean | undefined = false): ProvenanceRow {
  let value = fieldText(f, sep);
  if (value !== undefined && secret) value = MASK;
  const shown = value === undefined || value === '' ? '--' : f?.isDefault ? `(${value})` : value;
  return { node, field: label, source: seedSource(f), value: shown, origin: origin(f) };
}

/** The seed's rows in the seed's order (seed "Output of wwctl node list node01"), from the field table's `seed`. */
const bySeedOrder = (scope: 'top' | 'net') =>
  FIELDS.filter((f) => f.seed !== undefined && f.scope === scope && f.name !== 'Comment').sort((a, b) => (a.seed?.order ?? 0) - (b.seed?.order ?? 0));
const SEED_TOP = bySeedOrder('top');
const SEED_NET = bySeedOrder('net');
const SEED_SHOWN = new Set(['Id', 'Comment', ...SEED_TOP.map((s) => s.name)]);
const SEED_NET_SHOWN = new Set(SEED_NET.map((s) => s.name));

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
  for (const spec of SEED_TOP) {
    const f = n.fields.get(spec.name);
    const label = spec.seed?.label ?? spec.name;
    rows.push(spec.name === 'Profiles' ? { ...seedRow(n.id, label, f), source: '--' } : seedRow(n.id, label, f, spec.seed?.join ?? ',', spec.secret));
  }
  // fields the seed does not show, only when set, in data-model order
  const extras = [...n.fields.values()]
    .filter((f) => !f.isDefault && f.entry.ref.spec.scope !== 'net' && !SEED_SHOWN.has(f.entry.ref.spec.name))
    .filter((f) => f.entry.ref.spec.name !== 'PrimaryNetDev')
    .sort((a, b) => compareFields(a.entry, b.entry));
  for (const f of extras) {
    rows.push(seedRow(n.id, extraLabel(f.entry.ref.spec, f.entry.ref.keys), f, ',', f.entry.ref.spec.secret));
  }
  const primary = n.fields.get('PrimaryNetDev');
  for (const net of n.netdevs) {
    for (const spec of SEED_NET) rows.push(seedRow(n.id, `${net}:${spec.seed?.label}`, n.fields.get(fieldPath(spec, [net]))));
    const isPrimary = n.primaryNetDev === net;
    rows.push({
      node: n.id, field: `${net}:DEFAULT`,
      source: isPrimary && primary?.value === net ? seedSource(primary) : '--',
      value: String(isPrimary), origin: isPrimary && primary?.value === net ? origin(primary) : 'default',
    });
    const netExtras = [...n.fields.values()]
      .filter((f) => f.entry.ref.spec.scope === 'net' && f.entry.ref.keys[0] === net && !SEED_NET_SHOWN.has(f.entry.ref.spec.name))
      .sort((a, b) => compareFields(a.entry, b.entry));
    for (const f of netExtras) {
      const spec = f.entry.ref.spec;
      const label = spec.tagMap ? `TAG[${f.entry.ref.keys[1]}]` : spec.name.replace('NetDevs[].', '').toUpperCase();
      rows.push(seedRow(n.id, `${net}:${label}`, f));
    }
  }
  return rows;
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
      value = fieldText(f) ?? '';
    } else if (spec.kind === 'list') {
      source = f.node && f.contributors.length === 1 ? '--' : f.contributors.join(',');
      value = (f.rawList ?? []).join(',');
    } else {
      source = f.node && f.profile !== undefined ? 'SUPERSEDED' : f.profile ?? '--';
      value = spec.secret ? MASK : fieldText(f) ?? '';
    }
    rows.push({ node: n.id, field: f.entry.path, source, value, origin: origin(f) });
  }
  return rows;
}

/* ---------------- -y / -j / export ---------------- */

/** The merged node in nodes.conf's shape (built-in defaults left out, as they are not configuration). */
export function mergedEntity(n: MergedNode): Record<string, unknown> {
  const fields: { ref: FieldRef; value: FlatValue }[] = [];
  for (const f of n.fields.values()) if (!f.isDefault) fields.push({ ref: f.entry.ref, value: f.value });
  return entityFromFields(fields);
}

