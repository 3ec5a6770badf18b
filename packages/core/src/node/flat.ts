/**
 * A node or profile as a flat map of concrete fields
 * (`NetDevs[default].Ipaddr` -> "10.0.0.1"). Inheritance, provenance, diffs
 * and listings all work on this form; the raw YAML stays the source of truth
 * for writing. Reading maps the 4.3–4.5 vocabulary (§2.7) on the way in.
 */
import { FIELD_BY_NAME, fieldPath, yamlPath, type FieldRef, type FieldSpec } from './fields.js';
import { FIELD_TREE, type FieldTreeNode } from './field-tree.js';
import type { RawEntity } from './document.js';
import { bitsToNetmask } from '../ip.js';
import { isUnspecifiedIp, normalizeMac, parseBoolWord } from './values.js';
import { cloneData, isMapping } from '../yaml-value.js';
import { YamlScalar, scalarText } from '../yaml/scalar.js';
import { seedSystemOverlays } from './seed-overlays.js';
import { LEGACY_READ_KEYS } from './legacy-keys.js';

export type FlatValue = string | string[] | boolean | unknown;

export interface FlatEntry {
  readonly ref: FieldRef;
  readonly path: string;
  readonly value: FlatValue;
}

export type FlatFields = Map<string, FlatEntry>;


const scalarString = scalarText;

/** `UNSET`/`UNDEF` in the file clear a field, as upstream clears them on save (§2.5). */
const isUnsetWord = (v: unknown): boolean => v === 'UNSET' || v === 'UNDEF';

/** Normalise one raw leaf to its flat value; undefined when it is empty. */
function leafValue(spec: FieldSpec, v: unknown): FlatValue | undefined {
  if (isUnsetWord(v) || (Array.isArray(v) && v.some(isUnsetWord))) return undefined;
  switch (spec.kind) {
    case 'string': {
      const s = Array.isArray(v) && spec.listJoin !== undefined
        ? v.map(scalarString).map((x) => x.trim()).filter((x) => x !== '').join(spec.listJoin)
        : scalarString(v);
      return s === '' ? undefined : s;
    }
    case 'ip': {
      const s = scalarString(v);
      return s === '' || isUnspecifiedIp(s) ? undefined : s;
    }
    case 'mac': {
      const s = scalarString(v);
      return s === '' ? undefined : normalizeMac(s);
    }
    case 'wwbool': {
      if (v === null || v === undefined || v === '') return undefined;
      if (typeof v === 'boolean') return String(v);
      if (v instanceof YamlScalar && v.kind === 'bool') return String(v.value);
      const b = parseBoolWord(scalarString(v));
      return b === undefined ? scalarString(v) : String(b);
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      if (v instanceof YamlScalar && v.kind === 'bool') return v.value as boolean;
      if (v === null || v === undefined || v === '') return undefined;
      return parseBoolWord(scalarString(v));
    }
    case 'list': {
      let items: string[];
      if (typeof v === 'string') items = v.split(spec.separator === 'space' ? /\s+/ : ',');
      else if (Array.isArray(v)) items = v.map(scalarString);
      else return undefined;
      items = items.map((s) => s.trim()).filter((s) => s !== '');
      return items.length === 0 ? undefined : items;
    }
    case 'any':
      // a copy: merged values are frozen and must not freeze or share the document
      return v === null || v === undefined ? undefined : cloneData(v);
  }
}

function put(out: FlatFields, spec: FieldSpec, keys: string[], v: unknown): void {
  const value = leafValue(spec, v);
  if (value === undefined) return;
  const path = fieldPath(spec, keys);
  out.set(path, { ref: { spec, keys }, path, value });
}

/** One walk over the entity's own keys along the field tree; unknown keys are passed over. */
function collect(out: FlatFields, t: FieldTreeNode, node: unknown, keys: string[], isNode: boolean): void {
  if (t.spec) {
    if (!t.spec.nodeOnly || isNode) put(out, t.spec, keys, node);
    return;
  }
  if (!isMapping(node)) return;
  if (t.wildcard) {
    const w = t.wildcard;
    for (const name in node) collect(out, w, node[name], keys.length === 0 ? [name] : [...keys, name], isNode);
    return;
  }
  for (const k in node) {
    const child = t.children.get(k);
    if (child) collect(out, child, node[k], keys, isNode);
  }
}

const byName = (name: string): FieldSpec => {
  const s = FIELD_BY_NAME.get(name);
  if (!s) throw new Error(`unknown field ${name}`);
  return s;
};

/** Apply a legacy value only where the modern field is empty. */
function fallback(out: FlatFields, name: string, keys: string[], v: unknown): void {
  const spec = byName(name);
  if (out.has(fieldPath(spec, keys))) return;
  put(out, spec, keys, v);
}

/**
 * The flat fields of a raw node or profile. `isNode` drops node-only keys on
 * profiles (a profile's `asset key` is ignored, §2.7).
 */
export function flattenEntity(raw: RawEntity, isNode: boolean): FlatFields {
  const out = collectFields(raw, isNode);
  if (hasLegacyKeys(raw)) applyLegacy(out, raw);
  return out;
}

/**
 * The flat fields at `refs` only, with the values flattenEntity gives them
 * (a field absent from the entity is absent here): what a `set` or `unset`
 * needs to diff, without walking every field of every node (50,000 nodes
 * twice per `node set`). Undefined when the entity uses the legacy
 * vocabulary, whose keys feed other fields: then only the full walk is right.
 */
export function flattenRefs(raw: RawEntity, isNode: boolean, refs: readonly FieldRef[]): FlatFields | undefined {
  if (hasLegacyKeys(raw)) return undefined;
  const out: FlatFields = new Map();
  for (const ref of refs) {
    if (ref.spec.nodeOnly && !isNode) continue;
    let cur: unknown = raw;
    for (const k of yamlPath(ref.spec, ref.keys)) {
      cur = isMapping(cur) && Object.hasOwn(cur, k) ? cur[k] : undefined;
      if (cur === undefined) break;
    }
    if (cur !== undefined) put(out, ref.spec, [...ref.keys], cur);
  }
  return out;
}

/** The walk of flattenEntity without the legacy pass (for an entity that has no legacy keys). */
export function collectFields(raw: RawEntity, isNode: boolean): FlatFields {
  const out: FlatFields = new Map();
  collect(out, FIELD_TREE, raw, [], isNode);
  return out;
}

/** Cheap test so that entries in today's vocabulary skip the legacy pass. */
export function hasLegacyKeys(raw: RawEntity): boolean {
  for (const k of LEGACY_READ_KEYS.top) if (k in raw) return true;
  if (raw['ipxe template'] === 'dracut') return true;
  if (typeof raw['system overlay'] === 'string' || typeof raw['runtime overlay'] === 'string') return true;
  if (isMapping(raw.kernel)) for (const k of LEGACY_READ_KEYS.kernel) if (k in raw.kernel) return true;
  if (isMapping(raw.ipmi)) for (const k of LEGACY_READ_KEYS.ipmi) if (k in raw.ipmi) return true;
  const nd = raw['network devices'];
  if (isMapping(nd)) {
    for (const name in nd) {
      const dev = nd[name];
      if (isMapping(dev)) for (const k of LEGACY_READ_KEYS.netdev) if (k in dev) return true;
    }
  }
  return false;
}

/** The tag 4.3's `ipxe template: dracut` becomes (§2.7), as a flat path. */
export const IPXE_MENU_TAG = 'Tags[IPXEMenuEntry]';

const LEGACY_IPMI = ['username', 'password', 'ipaddr', 'netmask', 'port', 'gateway', 'interface', 'escapechar', 'write'];
const IPMI_FIELD: Record<string, string> = {
  username: 'Ipmi.UserName', password: 'Ipmi.Password', ipaddr: 'Ipmi.Ipaddr', netmask: 'Ipmi.Netmask',
  port: 'Ipmi.Port', gateway: 'Ipmi.Gateway', interface: 'Ipmi.Interface', escapechar: 'Ipmi.EscapeChar', write: 'Ipmi.Write',
};

/** The 4.3–4.5 vocabulary of §2.7, read transparently (the raw keys stay as written). */
function applyLegacy(out: FlatFields, raw: RawEntity): void {
  if ('container name' in raw) fallback(out, 'ImageName', [], raw['container name']);
  const kernel = isMapping(raw.kernel) ? raw.kernel : undefined;
  if (kernel && 'override' in kernel) fallback(out, 'Kernel.Version', [], kernel.override);
  if ('kernel override' in raw) fallback(out, 'Kernel.Version', [], raw['kernel override']);
  if ('kernel version' in raw) fallback(out, 'Kernel.Version', [], raw['kernel version']);
  if ('kernel args' in raw) fallback(out, 'Kernel.Args', [], raw['kernel args']);
  for (const k of LEGACY_IPMI) {
    const legacyKey = `ipmi ${k}`;
    if (legacyKey in raw) fallback(out, IPMI_FIELD[k] as string, [], raw[legacyKey]);
  }
  if (isMapping(raw.keys)) {
    for (const [k, v] of Object.entries(raw.keys)) fallback(out, 'Tags[]', [k], v);
  }
  if (Array.isArray(raw.tagsdel)) {
    for (const k of raw.tagsdel) out.delete(`Tags[${scalarString(k)}]`);
  }
  if (isMapping(raw.ipmi) && Array.isArray(raw.ipmi.tagsdel)) {
    for (const k of raw.ipmi.tagsdel) out.delete(`Ipmi.Tags[${scalarString(k)}]`);
  }
  const ipxe = out.get('Ipxe');
  // 4.3's dracut template is today's default one with a menu tag, unless the entry sets that tag itself: then it stays
  if (ipxe && ipxe.value === 'dracut' && !out.has(IPXE_MENU_TAG)) {
    put(out, byName('Ipxe'), [], 'default');
    put(out, byName('Tags[]'), ['IPXEMenuEntry'], 'dracut');
  }
  const netdevs = isMapping(raw['network devices']) ? raw['network devices'] : {};
  let legacyPrimary: string | undefined;
  for (const [net, dev] of Object.entries(netdevs)) {
    if (!isMapping(dev)) continue;
    if ('ip6addr' in dev) fallback(out, 'NetDevs[].Ipaddr6', [net], dev.ip6addr);
    if (typeof dev.ipcidr === 'string' && dev.ipcidr.includes('/')) {
      const [addr, bits] = dev.ipcidr.split('/') as [string, string];
      fallback(out, 'NetDevs[].Ipaddr', [net], addr);
      fallback(out, 'NetDevs[].Netmask', [net], prefixToNetmask(Number(bits)));
    }
    if (legacyPrimary === undefined && (parseBoolWord(scalarString(dev.primary)) === true || parseBoolWord(scalarString(dev.default)) === true)) {
      legacyPrimary = net;
    }
    if (Array.isArray(dev.tagsdel)) {
      for (const k of dev.tagsdel) out.delete(`NetDevs[${net}].Tags[${scalarString(k)}]`);
    }
  }
  if (legacyPrimary !== undefined) fallback(out, 'PrimaryNetDev', [], legacyPrimary);
  const system = out.get('SystemOverlay');
  if (system && Array.isArray(system.value)) put(out, byName('SystemOverlay'), [], seedSystemOverlays(system.value as string[]));
}

export function prefixToNetmask(bits: number): string {
  return Number.isInteger(bits) && bits >= 0 && bits <= 32 ? bitsToNetmask(bits) : '';
}

