/**
 * Profile inheritance (§2.3, §2.4) with provenance (§2.6), on top of the
 * built-in defaults layer of the seed. Pure: takes the document, returns
 * merged nodes; the caller decides what to print.
 */
import { noopLogger, type Logger } from '../log.js';
import { DEFAULT_FIELDS, FIELDS, FIELD_BY_NAME, fieldPath, type FieldRef, type FieldSpec } from './fields.js';
import type { NodesDocument } from './document.js';
import { flattenEntity, type FlatEntry, type FlatFields, type FlatValue } from './flat.js';
import { FIELD_TREE } from './field-tree.js';
import { createHash } from 'node:crypto';
import { isMapping, newMapping } from '../yaml-value.js';
import { plainData } from '../yaml/scalar.js';

export const DEFAULT_PROFILE = 'default';

export interface MergedField {
  readonly entry: FlatEntry;
  /** Final value (lists after `~x` negation). */
  value: FlatValue;
  /** Lists: the concatenation before negation, as `node list -a` shows it. */
  rawList?: string[];
  /** Layers that contributed, in merge order: profile names, and the node id for the node. */
  contributors: string[];
  /** Last profile that set it. */
  profile?: string;
  /** The node itself set it. */
  node: boolean;
  /** Not set anywhere: the built-in default. */
  isDefault: boolean;
}

/** A merged node. Frozen: its fields, their values and its lists can not be changed (a shared snapshot). */
export interface MergedNode {
  readonly id: string;
  /** The profiles the node lists (or the implicit `default`), verbatim. */
  readonly profiles: readonly string[];
  /** Effective profiles in merge order after expansion and negation. */
  readonly effectiveProfiles: readonly string[];
  readonly fields: ReadonlyMap<string, Readonly<MergedField>>;
  /** Primary network device: explicit if it names a device, else the first by name. */
  readonly primaryNetDev: string | undefined;
  /** Network device names, sorted. */
  readonly netdevs: readonly string[];
}

/** A list field's items from a raw value (as flattening reads it), undefined when empty. */
function flatList(spec: FieldSpec, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const f = flattenEntity({ [spec.yaml[0] as string]: v } as Record<string, unknown>, true).get(spec.name);
  return f ? (f.value as string[]) : undefined;
}

/** A network device entry with at least one field set (what makes it a network of the node). */
function netHasField(dev: unknown): boolean {
  if (!isMapping(dev) || FIELD_TREE.children.get('network devices')?.wildcard === undefined) return false;
  return flattenEntity({ 'network devices': { x: dev } } as Record<string, unknown>, true).size > 0;
}

/**
 * A merged node's fields: the node's own layer over the base its profile
 * list shares with other nodes. Nothing is copied per node but what the
 * node itself sets, and nothing can be changed once built (a shared
 * snapshot); reads see the node's value first, then the base's.
 */
class LayeredFields implements ReadonlyMap<string, Readonly<MergedField>> {
  private readonly own = new Map<string, MergedField>();
  private hidden: Set<string> | undefined;
  private sealed = false;

  constructor(private readonly base: ReadonlyMap<string, MergedField>) {}

  get(k: string): MergedField | undefined {
    const v = this.own.get(k);
    if (v !== undefined) return v;
    return this.hidden?.has(k) ? undefined : this.base.get(k);
  }

  has(k: string): boolean {
    return this.get(k) !== undefined;
  }

  /** Building only. */
  set(k: string, v: MergedField): this {
    if (this.sealed) throw new TypeError('merged node fields are read-only');
    this.own.set(k, v);
    this.hidden?.delete(k);
    return this;
  }

  /** Building only: hide a base field or drop an own one. */
  delete(k: string): boolean {
    if (this.sealed) throw new TypeError('merged node fields are read-only');
    const had = this.has(k);
    this.own.delete(k);
    if (this.base.has(k)) (this.hidden ??= new Set()).add(k);
    return had;
  }

  seal(): this {
    this.sealed = true;
    return Object.freeze(this);
  }

  get size(): number {
    let n = this.own.size;
    for (const k of this.base.keys()) if (!this.own.has(k) && !this.hidden?.has(k)) n++;
    return n;
  }

  *entries(): MapIterator<[string, MergedField]> {
    for (const [k, v] of this.base) {
      if (this.hidden?.has(k)) continue;
      yield [k, this.own.get(k) ?? v];
    }
    for (const e of this.own) if (!this.base.has(e[0])) yield e;
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<MergedField> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, MergedField]> {
    return this.entries();
  }

  forEach(fn: (v: MergedField, k: string, m: ReadonlyMap<string, MergedField>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  /** The node's own layer (for freezing what was built for this node only). */
  ownValues(): IterableIterator<MergedField> {
    return this.own.values();
  }

  /**
   * Building only: lists of the node's own layer get their final value. The
   * base's fields are frozen (finished once per profile list), so only the
   * own layer can hold an unfinished list: the same result as finishLists()
   * over every field, without walking the base for each node.
   */
  finishOwnLists(): void {
    for (const [path, f] of this.own) {
      if (f.rawList === undefined || Object.isFrozen(f)) continue;
      f.value = negateList(f.rawList);
      if ((f.value as string[]).length === 0) this.delete(path);
    }
  }

  /** Names of the networks the fields set (the base's computed once per profile list). */
  netNames(): Set<string> {
    if (this.hidden !== undefined && this.hidden.size > 0) {
      // a base field hidden by this node: walk every field, as the rule says
      const out = new Set<string>();
      for (const f of this.values()) if (f.entry.ref.spec.scope === 'net') out.add(f.entry.ref.keys[0] as string);
      return out;
    }
    let base = BASE_NETS.get(this.base);
    if (base === undefined) {
      base = new Set<string>();
      for (const f of this.base.values()) if (f.entry.ref.spec.scope === 'net') base.add(f.entry.ref.keys[0] as string);
      BASE_NETS.set(this.base, base);
    }
    const out = new Set(base);
    for (const f of this.own.values()) if (f.entry.ref.spec.scope === 'net') out.add(f.entry.ref.keys[0] as string);
    return out;
  }

  /**
   * A digest of every field, computed from the shared base's digest (once per
   * profile list) and the node's own layer: a whole registry's digests cost
   * what its nodes' own values cost, not what their merged fields do.
   */
  digest(): string {
    let b = BASE_DIGESTS.get(this.base);
    if (b === undefined) {
      b = digestFields(this.base.entries());
      BASE_DIGESTS.set(this.base, b);
    }
    const h = createHash('sha256').update(b);
    h.update(digestFields(this.own.entries()));
    if (this.hidden) h.update(`hidden:${[...this.hidden].sort().join(',')}`);
    return h.digest('hex');
  }
}

const BASE_DIGESTS = new WeakMap<object, string>();
const BASE_NETS = new WeakMap<object, Set<string>>();

function digestFields(entries: Iterable<[string, MergedField]>): string {
  const h = createHash('sha256');
  for (const [path, f] of [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    h.update(`${path}\0${JSON.stringify(plainData(f.value))}\0${f.isDefault ? 'd' : ''}\n`);
  }
  return h.digest('hex');
}

/** A digest of a merged node's fields (what its templates can see of it). */
export function mergedDigest(node: MergedNode): string {
  if (node.fields instanceof LayeredFields) return node.fields.digest();
  return digestFields(node.fields.entries());
}

/** Freeze a merged field and what it holds (arrays, resources). */
function freezeField(f: MergedField): void {
  if (Object.isFrozen(f)) return;
  deepFreeze(f.value);
  if (f.rawList) Object.freeze(f.rawList);
  Object.freeze(f.contributors);
  Object.freeze(f);
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
}

/** Depth-first profile expansion with cycle guard and `~name` negation (§2.3). */
export function expandProfiles(
  names: readonly string[],
  profileProfiles: (name: string) => readonly string[] | undefined,
  log?: Logger,
): string[] {
  const visited = new Set<string>();
  const out: string[] = [];
  // depth-first, post-order (nested profiles before the profile), with an explicit stack: a chain of
  // thousands of profiles must not overflow the call stack
  const stack: { list: readonly string[]; i: number; name?: string }[] = [{ list: names, i: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { list: readonly string[]; i: number; name?: string };
    if (frame.i >= frame.list.length) {
      stack.pop();
      if (frame.name !== undefined) out.push(frame.name);
      continue;
    }
    const name = frame.list[frame.i++] as string;
    if (name.startsWith('~')) {
      out.push(name);
      continue;
    }
    if (visited.has(name)) continue;
    visited.add(name);
    const nested = profileProfiles(name);
    if (nested === undefined) {
      log?.warn(`profile not found: ${name}`);
      continue;
    }
    stack.push({ list: nested, i: 0, name });
  }
  const negated = new Set(out.filter((n) => n.startsWith('~')).map((n) => n.slice(1)));
  return out.filter((n) => !n.startsWith('~') && !negated.has(n));
}

/** `[a, b, ~a, c]` -> `[b, c]`. */
export function negateList(items: readonly string[]): string[] {
  const negated = new Set<string>();
  for (const i of items) if (i.startsWith('~')) negated.add(i.slice(1));
  if (negated.size === 0) return [...items];
  return items.filter((i) => !i.startsWith('~') && !negated.has(i));
}


/** resources: maps deep-merged, lists appended (earlier first), scalars replaced. */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isMapping(a) && isMapping(b)) {
    const out = newMapping();
    for (const k of Object.keys(a)) out[k] = a[k];
    for (const [k, v] of Object.entries(b)) out[k] = Object.hasOwn(out, k) ? deepMerge(out[k], v) : v;
    return out;
  }
  return b;
}

/** Merges many nodes of one document, flattening each profile once. */
export class NodeMerger {
  private readonly profileFlat = new Map<string, FlatFields>();

  constructor(
    private readonly doc: NodesDocument,
    private readonly log?: Logger,
  ) {}

  private flatOfProfile(name: string): FlatFields | undefined {
    let flat = this.profileFlat.get(name);
    if (flat === undefined) {
      const raw = this.doc.profiles[name];
      if (raw === undefined) return undefined;
      flat = flattenEntity(raw, false);
      this.profileFlat.set(name, flat);
    }
    return flat;
  }

  /** Profiles a node lists; a node without a `profiles` key gets `default` when it exists. */
  nodeProfiles(ownFlat: FlatFields, raw: Record<string, unknown>): string[] {
    const own = ownFlat.get('Profiles');
    if (own) return own.value as string[];
    if (!('profiles' in raw) && this.doc.profiles[DEFAULT_PROFILE] !== undefined) return [DEFAULT_PROFILE];
    return [];
  }

  /**
   * Profiles merged once per distinct effective profile list and shared by
   * every node that uses that list; a node's own values then replace entries
   * with new objects, so shared entries are never mutated.
   */
  private readonly bases = new Map<string, Map<string, MergedField>>();

  private baseFor(effective: readonly string[]): Map<string, MergedField> {
    const key = effective.join('\u0000');
    let base = this.bases.get(key);
    if (base === undefined) {
      base = new Map<string, MergedField>();
      for (const p of effective) {
        const flat = this.flatOfProfile(p);
        if (flat) applyLayer(base, flat, p, false);
      }
      finishLists(base);
      applyDefaults(base, []);
      // shared by every node with this profile list: nobody may change them
      for (const f of base.values()) freezeField(f);
      this.bases.set(key, base);
    }
    return base;
  }

  /**
   * What the default `node list` shows (the node's profiles and its network
   * names), without building the merged fields: the same rules as merge(),
   * a fraction of the work on a large registry.
   */
  summary(id: string): { id: string; profiles: string[]; netdevs: string[] } | undefined {
    const raw = this.doc.nodes[id];
    if (raw === undefined) return undefined;
    // straight from the raw entry: the node's profiles and the networks it names itself (a network with at
    // least one field set), then its profiles' networks; the merge's rules, without flattening the node
    const ownProfiles = flatList(PROFILES_SPEC, raw.profiles);
    const profiles = ownProfiles ?? (!('profiles' in raw) && this.doc.profiles[DEFAULT_PROFILE] !== undefined ? [DEFAULT_PROFILE] : []);
    const nets = new Set<string>();
    for (const p of this.effectiveProfiles(profiles)) {
      const cached = this.profileNets.get(p);
      if (cached) {
        for (const n of cached) nets.add(n);
        continue;
      }
      const flat = this.flatOfProfile(p);
      const own = new Set<string>();
      if (flat) for (const e of flat.values()) if (e.ref.spec.scope === 'net') own.add(e.ref.keys[0] as string);
      this.profileNets.set(p, own);
      for (const n of own) nets.add(n);
    }
    const devs = raw['network devices'];
    if (isMapping(devs)) {
      for (const name in devs) if (!nets.has(name) && netHasField(devs[name])) nets.add(name);
    }
    return { id, profiles, netdevs: [...nets].sort() };
  }

  private readonly profileNets = new Map<string, Set<string>>();

  /** Expansions by profile list: thousands of nodes share a handful of lists. */
  private readonly expanded = new Map<string, { effective: readonly string[]; missing: readonly string[] }>();

  private effectiveProfiles(profiles: readonly string[]): readonly string[] {
    const key = profiles.join('\u0000');
    let hit = this.expanded.get(key);
    if (hit === undefined) {
      const missing: string[] = [];
      const effective = Object.freeze(
        expandProfiles(
          profiles,
          (p) => {
            const flat = this.flatOfProfile(p);
            if (flat === undefined) return undefined;
            const nested = flat.get('Profiles');
            return nested ? (nested.value as string[]) : [];
          },
          { ...noopLogger, warn: (m: string) => missing.push(m) },
        ),
      );
      hit = { effective, missing };
      this.expanded.set(key, hit);
    }
    // each node that names a missing profile says so, as when every node was expanded on its own
    for (const m of hit.missing) this.log?.warn(m);
    return hit.effective;
  }

  merge(id: string): MergedNode | undefined {
    const raw = this.doc.nodes[id];
    if (raw === undefined) return undefined;
    const own = flattenEntity(raw, true);
    const profiles = this.nodeProfiles(own, raw);
    const effective = this.effectiveProfiles(profiles);
    const fields = new LayeredFields(this.baseFor(effective));
    applyLayer(fields, own, id, true);
    fields.finishOwnLists();
    if (profiles.length > 0) {
      fields.set('Profiles', {
        entry: { ref: { spec: PROFILES_SPEC, keys: [] }, path: 'Profiles', value: profiles },
        value: profiles,
        contributors: [],
        node: true,
        isDefault: false,
      });
    }
    const netSet = fields.netNames();
    const netdevs = netSet.size === 0 ? [] : [...netSet].sort();
    // also refills a list the node negated away entirely
    applyDefaults(fields, netdevs);
    const explicit = fields.get('PrimaryNetDev')?.value as string | undefined;
    const primaryNetDev = explicit !== undefined && netdevs.includes(explicit) ? explicit : netdevs[0];
    for (const f of fields.ownValues()) freezeField(f);
    return Object.freeze({
      id,
      profiles: Object.freeze([...profiles]),
      effectiveProfiles: effective,
      fields: fields.seal(),
      primaryNetDev,
      netdevs: Object.freeze(netdevs),
    });
  }
}

const PROFILES_SPEC = FIELD_BY_NAME.get('Profiles') as FieldSpec;

/**
 * The merge rule (§2.4), the one place it is written: a layer's value of a
 * field combines with what the layers before it gave. Lists concatenate
 * (negation `~x` applies once all layers are in, finishLists), resources
 * deep-merge, scalars are replaced. A built-in default is replaced whole.
 * Returns a new MergedField; `prev` is never changed (it may be shared).
 */
function combine(prev: MergedField | undefined, entry: FlatEntry, layer: string, isNode: boolean): MergedField {
  const kind = entry.ref.spec.kind;
  if (prev === undefined || prev.isDefault) {
    const f: MergedField = { entry, value: entry.value, contributors: [layer], node: isNode, isDefault: false };
    if (kind === 'list') f.rawList = [...(entry.value as string[])];
    if (!isNode) f.profile = layer;
    return f;
  }
  const f: MergedField = { ...prev, contributors: [...prev.contributors, layer], node: prev.node || isNode };
  if (!isNode) f.profile = layer;
  if (kind === 'list') f.rawList = [...(prev.rawList ?? []), ...(entry.value as string[])];
  else f.value = kind === 'any' ? deepMerge(prev.value, entry.value) : entry.value;
  return f;
}

function applyLayer(fields: Map<string, MergedField> | LayeredFields, flat: FlatFields, layer: string, isNode: boolean): void {
  for (const [path, entry] of flat) {
    if (path === 'Profiles') continue;
    fields.set(path, combine(fields.get(path), entry, layer, isNode));
  }
}

/** Lists get their final value (`[a, b, ~a]` -> `[b]`); a list negated away entirely is gone (a default may refill it). */
function finishLists(fields: Map<string, MergedField> | LayeredFields): void {
  for (const [path, f] of fields) {
    if (f.rawList === undefined || Object.isFrozen(f)) continue;
    f.value = negateList(f.rawList);
    if ((f.value as string[]).length === 0) fields.delete(path);
  }
}

function defaultField(spec: FieldSpec, keys: string[], path: string, value: FlatValue): MergedField {
  return { entry: { ref: { spec, keys }, path, value }, value, contributors: [], node: false, isDefault: true };
}

const TOP_DEFAULTS = DEFAULT_FIELDS.filter((s) => s.scope === 'top');
const NET_DEFAULTS = DEFAULT_FIELDS.filter((s) => s.scope === 'net');

/** The built-in defaults (the field table's `default`) fill what no layer set, per network for network fields. */
function applyDefaults(fields: Map<string, MergedField> | LayeredFields, netdevs: readonly string[]): void {
  for (const spec of TOP_DEFAULTS) {
    if (!fields.has(spec.name)) fields.set(spec.name, defaultField(spec, [], spec.name, spec.default as FlatValue));
  }
  for (const net of netdevs) {
    for (const spec of NET_DEFAULTS) {
      const path = fieldPath(spec, [net]);
      if (!fields.has(path)) fields.set(path, defaultField(spec, [net], path, spec.default as FlatValue));
    }
  }
}

/* ---------- data-model ordering of concrete fields ---------- */

const SPEC_INDEX = new Map<FieldSpec, number>(FIELDS.map((s, i) => [s, i]));
/** For each spec and each `*` level, the index of the first spec sharing the YAML prefix up to it. */
const GROUP_INDEX = new Map<FieldSpec, number[]>(
  FIELDS.map((s) => {
    const groups: number[] = [];
    s.yaml.forEach((k, depth) => {
      if (k !== '*') return;
      const prefix = s.yaml.slice(0, depth).join('\u0000');
      groups.push(FIELDS.findIndex((o) => o.yaml.slice(0, depth).join('\u0000') === prefix && o.yaml[depth] === '*'));
    });
    return [s, groups];
  }),
);

/** A field's position in data-model order as a tuple (group index, map key, ..., spec index). */
export function fieldSortKey(ref: FieldRef): (number | string)[] {
  const groups = GROUP_INDEX.get(ref.spec) ?? [];
  const t: (number | string)[] = [];
  groups.forEach((g, i) => t.push(g, ref.keys[i] ?? ''));
  t.push(SPEC_INDEX.get(ref.spec) ?? 0);
  return t;
}

/** Compare two sort keys of fieldSortKey(). */
export function compareSortKeys(ta: readonly (number | string)[], tb: readonly (number | string)[]): number {
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i] as number | string;
    const y = tb[i] as number | string;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/** Compare two concrete fields in data-model order (specs in table order, map keys sorted). */
export function compareFields(a: FlatEntry, b: FlatEntry): number {
  return compareSortKeys(fieldSortKey(a.ref), fieldSortKey(b.ref));
}
