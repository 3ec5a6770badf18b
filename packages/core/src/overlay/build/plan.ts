/**
 * Dependency tracking of overlay images. Each built image records what it
 * was built from: the overlay list and a digest of each overlay's files, a
 * digest of the node's merged fields (its profiles' values included, and
 * its image's kernel version), warewulf.conf's digest when a template reads
 * server data, nodes.conf's revision when a template reads `.AllNodes`, and
 * the server and image files its templates read (Include, IncludeFrom).
 * A build compares those with what is true now and rebuilds exactly the
 * images whose inputs changed, saying why.
 *
 * The records of every node live in one index file in the provision tree
 * (`.ww-overlay-index.json`), so deciding that nothing changed costs one
 * read, not one per node.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { mergedDigest, type MergedNode } from '../../node/merge.js';
import { plainData, YamlScalar } from '../../yaml/scalar.js';
import type { NodeDb } from '../../node/nodedb.js';
import type { OverlayKind } from './image.js';

const INDEX_NAME = '.ww-overlay-index.json';
const INDEX_FORMAT = 3;

/** A file a template read, as it was then. */
export interface ReadStamp {
  readonly path: string;
  /** `mtimeMs:size:ino`, or `-` when it did not exist. */
  readonly stamp: string;
}

/** What many images were built from alike: the overlay list and its digests, server and .AllNodes digests, files read. */
export interface ImageGroup {
  readonly overlays: readonly string[];
  readonly overlayDigests: Readonly<Record<string, string>>;
  /** warewulf.conf's digest, when a template of the list reads server data. */
  readonly server?: string;
  /** A digest of the .AllNodes fields the list's templates read. */
  readonly allNodes?: string;
  readonly reads: readonly ReadStamp[];
}

/** What one image was built from: its group and the node's own digest. */
export interface ImageRecord {
  readonly group: ImageGroup;
  readonly node: string;
  /** Build time (ms since the epoch). */
  readonly builtAt: number;
}

/** One group object per distinct content, so that records share it (and the index writes it once). */
export class GroupPool {
  private readonly pool = new Map<string, ImageGroup>();

  intern(g: ImageGroup): ImageGroup {
    const key = `${g.overlays.join(',')}\0${g.server ?? ''}\0${g.allNodes ?? ''}\0${g.reads.map((r) => `${r.path}=${r.stamp}`).join('\0')}\0${g.overlays.map((o) => g.overlayDigests[o]).join(',')}`;
    let x = this.pool.get(key);
    if (x === undefined) this.pool.set(key, (x = g));
    return x;
  }
}

/**
 * The records of every image. On disk the parts many images share (the
 * overlay list, its digests, the server and .AllNodes digests, the files
 * read) are written once per distinct group and referenced, so the index
 * of 10,000 nodes stays about a megabyte.
 */
export class BuildIndex {
  private readonly recs = new Map<string, Partial<Record<OverlayKind, ImageRecord>>>();
  private readonly metas = new Map<string, NodeMeta>();

  /** What the last build knew of a node without merging it (see NodeKeys). */
  meta(node: string): NodeMeta | undefined {
    return this.metas.get(node);
  }

  setMeta(node: string, m: NodeMeta): void {
    this.metas.set(node, m);
  }

  /** Forget what was known of nodes that no longer exist. */
  retainMeta(keep: (node: string) => boolean): void {
    for (const id of this.metas.keys()) if (!keep(id)) this.metas.delete(id);
  }

  get(node: string, kind: OverlayKind): ImageRecord | undefined {
    return this.recs.get(node)?.[kind];
  }

  set(node: string, kind: OverlayKind, rec: ImageRecord): void {
    let r = this.recs.get(node);
    if (r === undefined) this.recs.set(node, (r = {}));
    r[kind] = rec;
  }

  toJSON(): unknown {
    const groups: ImageGroup[] = [];
    const groupIds = new Map<ImageGroup, number>();
    const pool = new GroupPool();
    const nodes: Record<string, Partial<Record<OverlayKind, [number, string, number]>>> = {};
    for (const [id, kinds] of this.recs) {
      const out: Partial<Record<OverlayKind, [number, string, number]>> = {};
      for (const [kind, rec] of Object.entries(kinds) as [OverlayKind, ImageRecord][]) {
        // records read together share their group object already; a group seen first is interned once
        let gi = groupIds.get(rec.group);
        if (gi !== undefined) {
          out[kind] = [gi, rec.node, rec.builtAt];
          continue;
        }
        const g = pool.intern(rec.group);
        gi = groupIds.get(g);
        if (gi === undefined) {
          gi = groups.length;
          groups.push(g);
          groupIds.set(g, gi);
        }
        groupIds.set(rec.group, gi);
        out[kind] = [gi, rec.node, rec.builtAt];
      }
      nodes[id] = out;
    }
    const meta: Record<string, [string, string, Record<string, string>]> = {};
    for (const [id, m] of this.metas) meta[id] = [m.key, m.digest ?? '', m.partials];
    return { format: INDEX_FORMAT, groups, nodes, meta };
  }

  static fromJSON(j: unknown): BuildIndex {
    const idx = new BuildIndex();
    const o = j as { format?: number; groups?: ImageGroup[]; nodes?: Record<string, Partial<Record<OverlayKind, [number, string, number]>>> };
    if (o?.format !== INDEX_FORMAT || !Array.isArray(o.groups) || typeof o.nodes !== 'object' || o.nodes === null) return idx;
    for (const [id, kinds] of Object.entries(o.nodes)) {
      for (const [kind, t] of Object.entries(kinds) as [OverlayKind, [number, string, number]][]) {
        const g = o.groups[t[0]];
        if (g === undefined) continue;
        idx.set(id, kind, { group: g, node: t[1], builtAt: t[2] });
      }
    }
    const meta = (j as { meta?: Record<string, [string, string, Record<string, string>]> }).meta;
    if (typeof meta === 'object' && meta !== null) {
      for (const [id, m] of Object.entries(meta)) {
        if (!Array.isArray(m) || typeof m[0] !== 'string' || typeof m[1] !== 'string' || typeof m[2] !== 'object' || m[2] === null) continue;
        idx.setMeta(id, { key: m[0], ...(m[1] !== '' ? { digest: m[1] } : {}), partials: m[2] });
      }
    }
    return idx;
  }
}

export function emptyIndex(): BuildIndex {
  return new BuildIndex();
}

/** The index of a provision tree; an unreadable or foreign one is an empty index (everything rebuilds). */
export async function readIndex(provisionOverlaysDir: string): Promise<BuildIndex> {
  try {
    return BuildIndex.fromJSON(JSON.parse(await readFile(join(provisionOverlaysDir, INDEX_NAME), 'utf8')));
  } catch {
    return emptyIndex();
  }
}

export async function writeIndex(provisionOverlaysDir: string, index: BuildIndex): Promise<void> {
  await writeFileAtomic(join(provisionOverlaysDir, INDEX_NAME), JSON.stringify(index), 0o644);
}

const STAMP_NAME = '.ww-overlay-stamp.json';
/** The stamp's own format (independent of the index's). */
export const STAMP_FORMAT = 2;

/**
 * What the last complete build (every node, every kind, no failure) was
 * made from, in a small file: when all of it still holds, nothing is stale
 * and a build is over without looking at a single node.
 */
export interface BuildStamp {
  format: number;
  revision: string;
  server: string;
  overlays: Record<string, string>;
  kernels: Record<string, string>;
  reads: ReadStamp[];
}

export async function readStamp(provisionOverlaysDir: string): Promise<BuildStamp | undefined> {
  try {
    const j = JSON.parse(await readFile(join(provisionOverlaysDir, STAMP_NAME), 'utf8')) as BuildStamp;
    return j.format === STAMP_FORMAT ? j : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStamp(provisionOverlaysDir: string, stamp: BuildStamp | undefined): Promise<void> {
  const p = join(provisionOverlaysDir, STAMP_NAME);
  if (stamp === undefined) await rm(p, { force: true });
  else await writeFileAtomic(p, JSON.stringify(stamp), 0o644);
}

/** Node directories that exist in the provision tree (one readdir, not a stat per node). */
export async function builtNodeDirs(provisionOverlaysDir: string): Promise<Set<string>> {
  try {
    return new Set((await readdir(provisionOverlaysDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name));
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return new Set();
    throw err;
  }
}

/**
 * A digest of everything a node's templates can see of the node: every
 * merged field (built-in defaults included), its networks and its image's
 * kernel version.
 */
export function nodeDigest(node: MergedNode, kernelVersion: string): string {
  return createHash('sha256').update(`${node.id}\0${kernelVersion}\0${node.primaryNetDev ?? ''}\0${mergedDigest(node)}`).digest('hex');
}

const TOP_FIELDS = new Set(['Id', 'Hostname', 'Profiles', 'Comment', 'ClusterName', 'ImageName', 'Container', 'ContainerName', 'Ipxe',
  'RuntimeOverlay', 'SystemOverlay', 'Kernel', 'Ipmi', 'Init', 'Root', 'NetDevs', 'Tags', 'Keys', 'PrimaryNetDev', 'Disks', 'FileSystems',
  'Resources', 'Discoverable', 'AssetKey']);
const ALIAS: Record<string, string> = { Hostname: 'Id', Container: 'ImageName', ContainerName: 'ImageName', Keys: 'Tags' };

/** How a set of `.AllNodes` references is digested per node (see allNodesPartial). */
export interface AllNodesPlan {
  /** A short name of the reference set (the key of a node's partial digest in the index). */
  readonly id: string;
  readonly everything: boolean;
  readonly plain: readonly string[];
  readonly perNet: readonly string[];
  readonly scanned: readonly string[];
}

/**
 * What templates read of `.AllNodes` (`refs`: paths below `.AllNodes[]`
 * such as `Id` or `NetDevs[].Ipaddr`; `*` for everything), as a plan for
 * digesting each node: a change to a field no such template reads (a
 * comment, a kernel argument) leaves every node's /etc/hosts alone.
 */
export function allNodesPlan(refs: readonly string[]): AllNodesPlan {
  const norm = refs.map((r) => {
    const top = /^[A-Za-z0-9_]+/.exec(r)?.[0] ?? '';
    return top in ALIAS ? `${ALIAS[top]}${r.slice(top.length)}` : r;
  });
  const everything = norm.some((r) => r === '*' || !TOP_FIELDS.has(/^[A-Za-z0-9_]+/.exec(r)?.[0] ?? ''));
  // a map that is ranged over and whose members are read (`NetDevs` with `NetDevs[].Ipaddr`): only its keys count
  const keysOnly = new Set(norm.filter((r) => norm.some((o) => o.startsWith(`${r}[]`))));
  const wanted = norm.filter((r) => !keysOnly.has(r) && r !== 'Id' && r !== 'NetDevs[].Primary');
  // direct lookups for plain fields and per-network fields; a prefix scan only for maps read whole (tags...)
  const plain = wanted.filter((r) => /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(r));
  const perNet = wanted.filter((r) => /^NetDevs\[\]\.[A-Za-z0-9_]+$/.test(r)).map((r) => r.slice('NetDevs[]'.length));
  const scanned = wanted.filter((r) => !plain.includes(r) && !perNet.includes(r.slice('NetDevs[]'.length)));
  const id = createHash('sha256').update(refs.join('\n')).digest('hex').slice(0, 16);
  return { id, everything, plain, perNet, scanned };
}

/** One node's part of the `.AllNodes` digest (hex): what the plan's references read of it. */
export function allNodesPartial(n: MergedNode, p: AllNodesPlan): string {
  const h = createHash('sha256');
  const put = (path: string, v: unknown) => h.update(`${path}\0${typeof v === 'string' ? v : JSON.stringify(plainData(v))}\n`);
  h.update(`${n.id}\0${n.netdevs.join(',')}\0${n.primaryNetDev ?? ''}\n`);
  if (p.everything) {
    for (const [path, f] of n.fields) put(path, f.value);
    return h.digest('hex');
  }
  for (const r of p.plain) put(r, n.fields.get(r)?.value);
  for (const net of n.netdevs) for (const r of p.perNet) put(`NetDevs[${net}]${r}`, n.fields.get(`NetDevs[${net}]${r}`)?.value);
  if (p.scanned.length > 0) {
    for (const [path, f] of n.fields) {
      const generic = path.replace(/\[[^\]]*\]/g, '[]');
      if (p.scanned.some((r) => generic === r || generic.startsWith(`${r}.`) || generic.startsWith(`${r}[`))) put(path, f.value);
    }
  }
  return h.digest('hex');
}

/** The `.AllNodes` digest of every node's partial, in `.AllNodes`'s node order. */
export function combineAllNodes(partials: Iterable<string>): string {
  const h = createHash('sha256');
  for (const x of partials) h.update(x);
  return h.digest('hex');
}

/** A digest of what templates read of `.AllNodes` over every node (see allNodesPlan). */
export function allNodesDigest(nodes: Iterable<MergedNode>, refs: readonly string[]): string {
  const p = allNodesPlan(refs);
  return combineAllNodes([...nodes].map((n) => allNodesPartial(n, p)));
}

/**
 * What the last build knew of a node, valid while its key holds: the key of
 * its raw entry (see NodeKeys), its nodeDigest, and its `.AllNodes`
 * partials by plan id. A node whose key is unchanged need not be merged.
 */
export interface NodeMeta {
  readonly key: string;
  readonly digest?: string;
  readonly partials: Record<string, string>;
}

/**
 * Raise when merging, nodeDigest or allNodesPartial change what a raw entry
 * yields: the node keys of earlier builds then no longer match.
 */
const NODE_KEY_VERSION = 1;

/** Raw nodes.conf data as canonical text: scalars as written (`6.10` is not `6.1`), keys in order. */
function canonical(v: unknown, out: string[]): void {
  if (v instanceof YamlScalar) out.push(`s${v.kind}:${JSON.stringify(v.text)}`);
  else if (v === null) out.push('n');
  else if (v === undefined) out.push('u');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out.push(`${typeof v}:${String(v)}`);
  else if (Array.isArray(v)) {
    out.push('[');
    for (const x of v) canonical(x, out);
    out.push(']');
  } else if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    out.push('{');
    for (const k of Object.keys(v)) {
      out.push(JSON.stringify(k));
      canonical((v as Record<string, unknown>)[k], out);
    }
    out.push('}');
  } else out.push(`?${Object.prototype.toString.call(v)}:${String(v)}`);
}

/**
 * Keys of nodes' raw entries: a merged node is a function of its own entry,
 * the profiles and (for `.Kernel.Version`) the images' kernel versions, so
 * a node whose key is what the last build recorded has the digests it had
 * then, without being merged (a one-node change to 10,000 nodes merges one).
 */
export class NodeKeys {
  private readonly common: string;

  constructor(
    private readonly db: NodeDb,
    kernels: Readonly<Record<string, string>>,
  ) {
    const parts = [`v${NODE_KEY_VERSION}`];
    for (const p of db.profileIds) {
      parts.push(JSON.stringify(p));
      canonical(db.rawProfile(p), parts);
    }
    parts.push(JSON.stringify(Object.entries(kernels).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))));
    this.common = createHash('sha256').update(parts.join('\0')).digest('hex');
  }

  key(id: string): string {
    const parts = [this.common, JSON.stringify(id)];
    canonical(this.db.rawNode(id), parts);
    return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
  }
}

/** `mtimeMs:size:ino` of a file, `-` when missing. */
export async function stampOf(path: string): Promise<string> {
  try {
    const st = await stat(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return '-';
  }
}

/** What an image would be built from now (reads are known only after rendering). */
export interface ImageInputs {
  readonly overlays: readonly string[];
  readonly overlayDigests: Readonly<Record<string, string>>;
  readonly node: string;
  readonly server?: string;
  readonly allNodes?: string;
}

/**
 * Why images must be rebuilt, or undefined when a record still holds.
 * What depends only on a record's group (the list, the digests, the files it
 * read) is decided once per group and list: ten thousand records with the
 * same group cost one comparison. `stamps` gives the current stamp of a
 * read file (memoised by the caller).
 */
export class Staleness {
  private readonly memo = new Map<ImageGroup, Map<string, Promise<string | undefined>>>();

  constructor(private readonly stamps: (path: string) => Promise<string>) {}

  async reason(rec: ImageRecord | undefined, now: ImageInputs, nowKey: string): Promise<string | undefined> {
    if (rec === undefined) return 'not built yet';
    let byNow = this.memo.get(rec.group);
    if (byNow === undefined) this.memo.set(rec.group, (byNow = new Map()));
    let g = byNow.get(nowKey);
    if (g === undefined) byNow.set(nowKey, (g = this.groupReason(rec.group, now)));
    const r = await g;
    if (r !== undefined) return r;
    return rec.node !== now.node ? 'node changed' : undefined;
  }

  private async groupReason(g: ImageGroup, now: ImageInputs): Promise<string | undefined> {
    if (g.overlays.join(',') !== now.overlays.join(',')) return `overlay list changed (${g.overlays.join(',') || '-'} -> ${now.overlays.join(',') || '-'})`;
    const changed = now.overlays.filter((o) => g.overlayDigests[o] !== now.overlayDigests[o]);
    if (changed.length > 0) return `overlay ${changed.join(', ')} changed`;
    if (now.server !== undefined && g.server !== now.server) return 'warewulf.conf changed';
    if (now.allNodes !== undefined && g.allNodes !== now.allNodes) return 'nodes changed (a template reads .AllNodes)';
    for (const r of g.reads) if ((await this.stamps(r.path)) !== r.stamp) return `${r.path} changed`;
    return undefined;
  }
}
