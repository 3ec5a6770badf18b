/**
 * Which nodes use which image. The one place that reads nodes.conf for
 * images, so it can move to the NodeDb in one edit: the merged view (a
 * node's effective `image name` after profiles, for NODES columns) and the
 * raw references (nodes and profiles that name the image themselves, which
 * block a delete and are rewritten by a rename).
 */
import type { Paths } from '../config/paths.js';
import type { Logger } from '../log.js';
import type { RawEntity } from '../node/document.js';
import { flattenEntity } from '../node/flat.js';
import type { NodeDb } from '../node/nodedb.js';
import { loadNodeDb } from '../node/store.js';

export interface ImageReferenceHolder {
  kind: 'node' | 'profile';
  id: string;
}

export interface ImageUsers {
  /** image -> merged nodes using it (sorted node ids). */
  nodes: Map<string, string[]>;
  /** image -> nodes and profiles whose own `image name` is it. */
  references: Map<string, ImageReferenceHolder[]>;
  /** node -> its merged image name and kernel version (for kernel resolution). */
  byNode: Map<string, { image: string; kernelVersion: string | undefined }>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** The image users of nodes.conf (read through the NodeDb and its parse cache). */
export async function imageUsers(paths: Paths, log?: Logger): Promise<ImageUsers> {
  return imageUsersOf(await loadNodeDb(paths.nodesConf, { cacheDir: paths.nodesCacheDir, ...(log ? { log } : {}) }));
}

/** The image users of a node database snapshot (warewulfd and the API pass theirs). */
export function imageUsersOf(db: NodeDb): ImageUsers {
  const users: ImageUsers = { nodes: new Map(), references: new Map(), byNode: new Map() };
  for (const id of db.nodeIds) {
    const node = db.get(id);
    const image = node?.fields.get('ImageName')?.value;
    if (typeof image === 'string' && image !== '') {
      push(users.nodes, image, id);
      const kv = node?.fields.get('Kernel.Version')?.value;
      users.byNode.set(id, { image, kernelVersion: typeof kv === 'string' && kv !== '' ? kv : undefined });
    }
  }
  for (const [kind, ids, raw] of [['node', db.nodeIds, (id: string) => db.rawNode(id)], ['profile', db.profileIds, (id: string) => db.rawProfile(id)]] as const) {
    for (const id of ids) {
      const v = flattenEntity(raw(id) as RawEntity, kind === 'node').get('ImageName')?.value;
      if (typeof v === 'string' && v !== '') push(users.references, v, { kind, id });
    }
  }
  return users;
}
