/**
 * The node database: one immutable snapshot of nodes.conf that wwctl, the
 * overlay builder and warewulfd all read. Built once from a parsed document;
 * merged nodes are computed on first use, frozen, and shared, so no reader
 * can change what another sees. A reload builds a new NodeDb and swaps it
 * whole; nothing is ever patched in place.
 *
 * Indexes: by name (exact), by hardware address (normalised `aa:bb:..`), by
 * IP address (v4 and v6, as written). The revision is the SHA-256 of the
 * nodes.conf text the snapshot was read from (empty for in-memory documents),
 * so two processes can tell whether they see the same registry.
 */
import { WwError } from '../errors.js';
import { expandHostlist } from '../hostlist.js';
import type { Logger } from '../log.js';
import type { NodesDocument, RawEntity } from './document.js';
import { NodeMerger, type MergedNode } from './merge.js';
import { normalizeMac } from './values.js';
import { scalarText } from '../yaml/scalar.js';

export interface NodeSummary {
  readonly id: string;
  readonly profiles: readonly string[];
  readonly netdevs: readonly string[];
}

export interface SelectOptions {
  /** Called once per name that matches no entry (in pattern order); default: ignored. */
  onMissing?: (name: string) => void;
}

/** Deep-freeze plain data (objects, arrays); returns its argument. */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}

export class NodeDb {
  /** Node names, sorted. */
  readonly nodeIds: readonly string[];
  /** Profile names, sorted. */
  readonly profileIds: readonly string[];
  private readonly merger: NodeMerger;
  private readonly merged = new Map<string, MergedNode>();
  private hwIndex: Map<string, string> | undefined;
  private ipIndex: Map<string, string> | undefined;

  /**
   * @param doc the parsed document; the NodeDb takes ownership (callers must not change it afterwards)
   * @param revision SHA-256 (hex) of the text `doc` was parsed from, or '' for an in-memory document
   */
  constructor(
    private readonly doc: NodesDocument,
    readonly revision: string,
    private readonly log?: Logger,
  ) {
    this.nodeIds = Object.freeze(Object.keys(doc.nodes).sort());
    this.profileIds = Object.freeze(Object.keys(doc.profiles).sort());
    this.merger = new NodeMerger(doc, log);
  }

  hasNode(id: string): boolean {
    return Object.hasOwn(this.doc.nodes, id);
  }

  hasProfile(id: string): boolean {
    return Object.hasOwn(this.doc.profiles, id);
  }

  /** The merged node (profiles, node, built-in defaults; §2.3, §2.4), frozen; undefined when there is no such node. */
  get(id: string): MergedNode | undefined {
    let m = this.merged.get(id);
    if (m === undefined) {
      if (!this.hasNode(id)) return undefined;
      m = this.merger.merge(id);
      if (m === undefined) return undefined;
      this.merged.set(id, m);
    }
    return m;
  }

  /**
   * The merged nodes of `ids` in turn, without keeping the ones not merged
   * yet (a listing of 50,000 nodes streams through them instead of holding
   * all at once). Unknown ids are skipped.
   */
  *stream(ids: readonly string[]): Generator<MergedNode> {
    for (const id of ids) {
      const m = this.merged.get(id) ?? (this.hasNode(id) ? this.merger.merge(id) : undefined);
      if (m !== undefined) yield m;
    }
  }

  /**
   * Every image name that nodes.conf mentions (profiles and nodes, today's
   * and 4.3's spelling), without merging a node: what image-dependent data
   * (kernel versions) must be looked up for.
   */
  imageNames(): Set<string> {
    const out = new Set<string>();
    for (const entities of [this.doc.profiles, this.doc.nodes]) {
      for (const k in entities) {
        const raw = entities[k] as RawEntity;
        for (const v of [raw['image name'], raw['container name']]) {
          const name = scalarText(v);
          if (name !== '') out.add(name);
        }
      }
    }
    return out;
  }

  /** Every merged node, sorted by name. */
  all(): MergedNode[] {
    return this.nodeIds.map((id) => this.get(id) as MergedNode);
  }

  /** What the default `node list` shows (profiles, network names) without a full merge. */
  summary(id: string): NodeSummary | undefined {
    if (!this.hasNode(id)) return undefined;
    return this.merger.summary(id);
  }

  /** The node entry as written in nodes.conf (frozen). */
  rawNode(id: string): Readonly<RawEntity> | undefined {
    return this.hasNode(id) ? deepFreeze(this.doc.nodes[id] as RawEntity) : undefined;
  }

  /** The profile entry as written in nodes.conf (frozen). */
  rawProfile(id: string): Readonly<RawEntity> | undefined {
    return this.hasProfile(id) ? deepFreeze(this.doc.profiles[id] as RawEntity) : undefined;
  }

  /** The node whose merged network devices carry this hardware address (any case, `-` or `:`). */
  byHwaddr(hwaddr: string): MergedNode | undefined {
    this.hwIndex ??= this.buildIndex('Hwaddr', (v) => normalizeMac(v));
    const id = this.hwIndex.get(normalizeMac(hwaddr));
    return id === undefined ? undefined : this.get(id);
  }

  /** The node with this IPv4 or IPv6 address on one of its network devices. */
  byIp(ip: string): MergedNode | undefined {
    this.ipIndex ??= this.buildIndex('Ipaddr', (v) => v, 'Ipaddr6');
    const id = this.ipIndex.get(ip);
    return id === undefined ? undefined : this.get(id);
  }

  private buildIndex(field: string, norm: (v: string) => string, field2?: string): Map<string, string> {
    const index = new Map<string, string>();
    for (const id of this.nodeIds) {
      const n = this.get(id) as MergedNode;
      for (const net of n.netdevs) {
        for (const f of field2 === undefined ? [field] : [field, field2]) {
          const v = n.fields.get(`NetDevs[${net}].${f}`)?.value;
          if (typeof v !== 'string' || v === '') continue;
          const key = norm(v);
          const other = index.get(key);
          if (other !== undefined && other !== id) this.log?.warn(`${f.toLowerCase()} ${v} is used by nodes ${other} and ${id}; ${other} wins`);
          else index.set(key, id);
        }
      }
    }
    return index;
  }

  /**
   * Expand node patterns (§0.4) and keep the names that exist, in pattern
   * order without repeats. Linear in the number of names.
   */
  select(patterns: readonly string[], opts: SelectOptions = {}): string[] {
    return selectNames(patterns, (n) => this.hasNode(n), opts);
  }

  /** As select(), over profiles. */
  selectProfiles(patterns: readonly string[], opts: SelectOptions = {}): string[] {
    return selectNames(patterns, (n) => this.hasProfile(n), opts);
  }

  /** The node, or WW_ERR_NODE_NOT_FOUND. */
  require(id: string): MergedNode {
    const n = this.get(id);
    if (n === undefined) throw new WwError('WW_ERR_NODE_NOT_FOUND', `node not found: ${id}`);
    return n;
  }
}

/** Expand patterns, keep existing names once each, report missing ones. */
export function selectNames(patterns: readonly string[], exists: (name: string) => boolean, opts: SelectOptions = {}): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of expandHostlist(patterns)) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (exists(name)) out.push(name);
    else opts.onMissing?.(name);
  }
  return out;
}
