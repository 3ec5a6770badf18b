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
import type { MergedNode } from '../../node/merge.js';
import { plainData } from '../../yaml/scalar.js';
import type { OverlayKind } from './image.js';

const INDEX_NAME = '.ww-overlay-index.json';
const INDEX_FORMAT = 1;

/** A file a template read, as it was then. */
export interface ReadStamp {
  readonly path: string;
  /** `mtimeMs:size:ino`, or `-` when it did not exist. */
  readonly stamp: string;
}

/** What one image was built from. */
export interface ImageRecord {
  readonly overlays: readonly string[];
  readonly overlayDigests: Readonly<Record<string, string>>;
  readonly node: string;
  /** warewulf.conf's digest, when a template of the list reads server data. */
  readonly server?: string;
  /** nodes.conf's revision, when a template of the list reads `.AllNodes`. */
  readonly allNodes?: string;
  readonly reads: readonly ReadStamp[];
  /** Build time (ms since the epoch). */
  readonly builtAt: number;
}

export interface BuildIndex {
  format: number;
  nodes: Record<string, Partial<Record<OverlayKind, ImageRecord>>>;
}

export function emptyIndex(): BuildIndex {
  return { format: INDEX_FORMAT, nodes: Object.create(null) as BuildIndex['nodes'] };
}

/** The index of a provision tree; an unreadable or foreign one is an empty index (everything rebuilds). */
export async function readIndex(provisionOverlaysDir: string): Promise<BuildIndex> {
  try {
    const j = JSON.parse(await readFile(join(provisionOverlaysDir, INDEX_NAME), 'utf8')) as BuildIndex;
    if (j.format !== INDEX_FORMAT || typeof j.nodes !== 'object' || j.nodes === null) return emptyIndex();
    const nodes = Object.create(null) as BuildIndex['nodes'];
    for (const [k, v] of Object.entries(j.nodes)) nodes[k] = v;
    return { format: INDEX_FORMAT, nodes };
  } catch {
    return emptyIndex();
  }
}

export async function writeIndex(provisionOverlaysDir: string, index: BuildIndex): Promise<void> {
  await writeFileAtomic(join(provisionOverlaysDir, INDEX_NAME), JSON.stringify(index), 0o644);
}

const STAMP_NAME = '.ww-overlay-stamp.json';

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
    return j.format === INDEX_FORMAT ? j : undefined;
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
 * merged field (built-in defaults included) and its image's kernel version.
 */
export function nodeDigest(node: MergedNode, kernelVersion: string): string {
  const h = createHash('sha256');
  h.update(`${node.id}\0${kernelVersion}\0${node.primaryNetDev ?? ''}\0`);
  const paths = [...node.fields.keys()].sort();
  for (const p of paths) {
    const f = node.fields.get(p);
    h.update(`${p}\0${JSON.stringify(plainData(f?.value))}\0${f?.isDefault ? 'd' : ''}\n`);
  }
  return h.digest('hex');
}

const TOP_FIELDS = new Set(['Id', 'Hostname', 'Profiles', 'Comment', 'ClusterName', 'ImageName', 'Container', 'ContainerName', 'Ipxe',
  'RuntimeOverlay', 'SystemOverlay', 'Kernel', 'Ipmi', 'Init', 'Root', 'NetDevs', 'Tags', 'Keys', 'PrimaryNetDev', 'Disks', 'FileSystems',
  'Resources', 'Discoverable', 'AssetKey']);
const ALIAS: Record<string, string> = { Hostname: 'Id', Container: 'ImageName', ContainerName: 'ImageName', Keys: 'Tags' };

/**
 * A digest of what templates read of `.AllNodes` (`refs`: paths below
 * `.AllNodes[]` such as `Id` or `NetDevs[].Ipaddr`; `*` for everything), over
 * every node: a change to a field no such template reads (a comment, a
 * kernel argument) leaves every node's /etc/hosts alone.
 */
export function allNodesDigest(nodes: Iterable<MergedNode>, refs: readonly string[]): string {
  const norm = refs.map((r) => {
    const top = /^[A-Za-z0-9_]+/.exec(r)?.[0] ?? '';
    return top in ALIAS ? `${ALIAS[top]}${r.slice(top.length)}` : r;
  });
  const everything = norm.some((r) => r === '*' || !TOP_FIELDS.has(/^[A-Za-z0-9_]+/.exec(r)?.[0] ?? ''));
  // a map that is ranged over and whose members are read (`NetDevs` with `NetDevs[].Ipaddr`): only its keys count
  const keysOnly = new Set(norm.filter((r) => norm.some((o) => o.startsWith(`${r}[]`))));
  const wanted = norm.filter((r) => !keysOnly.has(r));
  const h = createHash('sha256');
  for (const n of nodes) {
    h.update(`${n.id}\0${n.netdevs.join(',')}\0${n.primaryNetDev ?? ''}\n`);
    for (const [path, f] of n.fields) {
      const generic = path.replace(/\[[^\]]*\]/g, '[]');
      if (!everything && !wanted.some((r) => generic === r || generic.startsWith(`${r}.`) || generic.startsWith(`${r}[`))) continue;
      h.update(`${path}\0${JSON.stringify(plainData(f.value))}\n`);
    }
  }
  return h.digest('hex');
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
 * Why an image must be rebuilt, or undefined when its record still holds.
 * `stamps` gives the current stamp of a read file (memoised by the caller:
 * thousands of nodes read the same host keys).
 */
export async function staleReason(
  rec: ImageRecord | undefined,
  now: ImageInputs,
  stamps: (path: string) => Promise<string>,
): Promise<string | undefined> {
  if (rec === undefined) return 'not built yet';
  if (rec.overlays.join(',') !== now.overlays.join(',')) return `overlay list changed (${rec.overlays.join(',') || '-'} -> ${now.overlays.join(',') || '-'})`;
  const changed = now.overlays.filter((o) => rec.overlayDigests[o] !== now.overlayDigests[o]);
  if (changed.length > 0) return `overlay ${changed.join(', ')} changed`;
  if (rec.node !== now.node) return 'node changed';
  if (now.server !== undefined && rec.server !== now.server) return 'warewulf.conf changed';
  if (now.allNodes !== undefined && rec.allNodes !== now.allNodes) return 'nodes changed (a template reads .AllNodes)';
  for (const r of rec.reads) {
    if ((await stamps(r.path)) !== r.stamp) return `${r.path} changed`;
  }
  return undefined;
}
