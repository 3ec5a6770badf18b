/**
 * Edits on a raw node or profile. They change only the keys they are about,
 * so untouched keys (unknown ones, the legacy vocabulary) survive a rewrite;
 * a touched container is re-ordered into the writer's declaration order.
 */
import { NESTED_KEY_ORDER, TOP_KEY_ORDER, yamlPath, type FieldRef } from './fields.js';
import type { RawEntity } from './document.js';
import { prefixToNetmask, type FlatValue } from './flat.js';
import { compareSortKeys, fieldSortKey } from './merge.js';
import { isMapping, newMapping } from '../yaml-value.js';

export type EditOp =
  | { readonly op: 'set'; readonly ref: FieldRef; readonly value: FlatValue }
  | { readonly op: 'unset'; readonly ref: FieldRef }
  /** Remove a whole sub-entity: a network device, a disk, a filesystem. */
  | { readonly op: 'remove'; readonly yaml: readonly string[]; readonly what: string }
  /** Remove a partition from one disk, or from every disk holding it. */
  | { readonly op: 'removePartition'; readonly disk?: string; readonly part: string }
  | { readonly op: 'addProfiles'; readonly names: readonly string[] }
  | { readonly op: 'delProfiles'; readonly names: readonly string[] };


/** Which nested key order applies to the container at this YAML path. */
function orderFor(path: readonly string[]): readonly string[] | undefined {
  if (path.length === 0) return TOP_KEY_ORDER;
  const [a, , c, , e] = path;
  if (path.length === 1 && (a === 'kernel' || a === 'ipmi')) return NESTED_KEY_ORDER[a];
  if (a === 'network devices' && path.length === 2) return NESTED_KEY_ORDER.netdev;
  if (a === 'disks' && path.length === 2) return NESTED_KEY_ORDER.disk;
  if (a === 'disks' && c === 'partitions' && path.length === 4 && e === undefined) return NESTED_KEY_ORDER.partition;
  if (a === 'filesystems' && path.length === 2) return NESTED_KEY_ORDER.filesystem;
  return undefined; // a map: keys sorted
}

/** Re-create `obj` with known keys in declaration order, then unknown keys as they were. */
function reorder(obj: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const order = orderFor(path);
  const keys = Object.keys(obj);
  let sorted: string[];
  if (order) {
    const known = order.filter((k) => k in obj);
    sorted = [...known, ...keys.filter((k) => !order.includes(k))];
  } else {
    sorted = [...keys].sort();
  }
  const out = newMapping();
  for (const k of sorted) out[k] = obj[k];
  return out;
}

/** Set a value at a YAML path, creating and re-ordering the containers on the way. */
function setIn(entity: RawEntity, path: readonly string[], value: unknown): void {
  let cur: Record<string, unknown> = entity;
  const chain: Record<string, unknown>[] = [entity];
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    let next = cur[k];
    if (!isMapping(next)) {
      next = newMapping();
      cur[k] = next;
    }
    cur = next as Record<string, unknown>;
    chain.push(cur);
  }
  const last = path[path.length - 1] as string;
  const isNew = !(last in cur);
  cur[last] = value;
  if (!isNew) return;
  // a new key: put the containers back into declaration order, deepest first
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const container = chain[depth] as Record<string, unknown>;
    const ordered = reorder(container, path.slice(0, depth));
    if (depth === 0) {
      for (const k of Object.keys(entity)) delete entity[k];
      Object.assign(entity, ordered);
    } else {
      (chain[depth - 1] as Record<string, unknown>)[path[depth - 1] as string] = ordered;
      chain[depth] = ordered;
    }
  }
}

function isEmptyContainer(v: unknown): boolean {
  return (isMapping(v) && Object.keys(v).length === 0) || v === null;
}

/** Delete the value at a YAML path and prune containers it leaves empty. */
function deleteIn(entity: RawEntity, path: readonly string[]): boolean {
  const chain: Record<string, unknown>[] = [entity];
  let cur: unknown = entity;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isMapping(cur)) return false;
    cur = cur[path[i] as string];
    if (!isMapping(cur)) return false;
    chain.push(cur);
  }
  const last = path[path.length - 1] as string;
  const holder = chain[chain.length - 1] as Record<string, unknown>;
  if (!(last in holder)) return false;
  delete holder[last];
  for (let depth = chain.length - 1; depth > 0; depth--) {
    const c = chain[depth] as Record<string, unknown>;
    if (!isEmptyContainer(c)) break;
    delete (chain[depth - 1] as Record<string, unknown>)[path[depth - 1] as string];
  }
  return true;
}

function getIn(entity: RawEntity, path: readonly string[]): unknown {
  let cur: unknown = entity;
  for (const k of path) {
    if (!isMapping(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Drop the legacy spellings of a field, keeping anything else they carried. */
function dropLegacyAliases(entity: RawEntity, ref: FieldRef): void {
  const aliases = ref.spec.legacyKeys;
  if (!aliases) return;
  for (const alias of aliases) {
    let i = 0;
    const path = alias.map((k) => (k === '*' ? (ref.keys[i++] ?? '') : k));
    if (path[path.length - 1] === 'ipcidr') {
      // ipcidr carried both the address and the mask: keep the half not being edited
      const cidr = getIn(entity, path);
      if (typeof cidr === 'string' && cidr.includes('/')) {
        const [addr, bits] = cidr.split('/') as [string, string];
        const dev = path.slice(0, -1);
        if (ref.spec.name !== 'NetDevs[].Ipaddr' && getIn(entity, [...dev, 'ipaddr']) === undefined) setIn(entity, [...dev, 'ipaddr'], addr);
        if (ref.spec.name !== 'NetDevs[].Netmask' && getIn(entity, [...dev, 'netmask']) === undefined) setIn(entity, [...dev, 'netmask'], prefixToNetmask(Number(bits)));
      }
    }
    deleteIn(entity, path);
  }
}

/** Apply one edit; returns false when it found nothing to act on (for "not found" errors). */
export function applyEdit(entity: RawEntity, edit: EditOp): boolean {
  switch (edit.op) {
    case 'set': {
      dropLegacyAliases(entity, edit.ref);
      setIn(entity, yamlPath(edit.ref.spec, edit.ref.keys), edit.value);
      return true;
    }
    case 'unset': {
      dropLegacyAliases(entity, edit.ref);
      return deleteIn(entity, yamlPath(edit.ref.spec, edit.ref.keys));
    }
    case 'remove':
      return deleteIn(entity, edit.yaml);
    case 'removePartition': {
      const disks = getIn(entity, ['disks']);
      if (!isMapping(disks)) return false;
      let found = false;
      for (const disk of Object.keys(disks)) {
        if (edit.disk !== undefined && disk !== edit.disk) continue;
        if (deleteIn(entity, ['disks', disk, 'partitions', edit.part])) found = true;
      }
      return found;
    }
    case 'addProfiles': {
      const cur = Array.isArray(entity.profiles) ? (entity.profiles as unknown[]).map(String) : [];
      const next = [...cur, ...edit.names.filter((n) => !cur.includes(n))];
      setIn(entity, ['profiles'], next);
      return true;
    }
    case 'delProfiles': {
      const cur = Array.isArray(entity.profiles) ? (entity.profiles as unknown[]).map(String) : [];
      const next = cur.filter((n) => !edit.names.includes(n));
      if (next.length === cur.length) return false;
      if (next.length === 0) deleteIn(entity, ['profiles']);
      else entity.profiles = next;
      return true;
    }
  }
}

/** Set an own key, `__proto__` included, on an ordinary object (no prototype change, fast property mode). */
function setKey(obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

/**
 * Build an entity in nodes.conf's shape (for output: list -y/-j, export
 * --merged, the REST API) from concrete field values. Fields are sorted
 * into data-model order first (compareFields), so inserting them in turn
 * gives every container its declaration order; linear in the fields.
 */
export function entityFromFields(values: Iterable<{ ref: FieldRef; value: FlatValue }>): RawEntity {
  // each field's sort key computed once, not once per comparison
  const sorted = [...values].map((v) => ({ v, key: fieldSortKey(v.ref) })).sort((a, b) => compareSortKeys(a.key, b.key)).map((x) => x.v);
  const out: RawEntity = {};
  for (const { ref, value } of sorted) {
    const path = yamlPath(ref.spec, ref.keys);
    let cur = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] as string;
      let next = Object.hasOwn(cur, k) ? cur[k] : undefined;
      if (!isMapping(next)) {
        next = {};
        setKey(cur, k, next);
      }
      cur = next as Record<string, unknown>;
    }
    setKey(cur, path[path.length - 1] as string, value);
  }
  return out;
}
