/**
 * Which nodes use which image. The one place that reads nodes.conf for
 * images, so it can move to the NodeDb in one edit: the merged view (a
 * node's effective `image name` after profiles, for NODES columns) and the
 * raw references (nodes and profiles that name the image themselves, which
 * block a delete and are rewritten by a rename).
 */
import type { Paths } from '../config/paths.js';
import type { Logger } from '../log.js';
import { flattenEntity } from '../node/flat.js';
import { NodeMerger } from '../node/merge.js';
import { readNodesConf } from '../node/store.js';

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

export async function imageUsers(paths: Paths, log?: Logger): Promise<ImageUsers> {
  const doc = await readNodesConf(paths.nodesConf, { cacheDir: paths.ociCacheDir });
  const merger = new NodeMerger(doc, log);
  const users: ImageUsers = { nodes: new Map(), references: new Map(), byNode: new Map() };
  for (const id of Object.keys(doc.nodes).sort()) {
    const node = merger.merge(id);
    const image = node?.fields.get('ImageName')?.value;
    if (typeof image === 'string' && image !== '') {
      push(users.nodes, image, id);
      const kv = node?.fields.get('Kernel.Version')?.value;
      users.byNode.set(id, { image, kernelVersion: typeof kv === 'string' && kv !== '' ? kv : undefined });
    }
  }
  for (const [kind, section] of [['node', doc.nodes], ['profile', doc.profiles]] as const) {
    for (const id of Object.keys(section).sort()) {
      const v = flattenEntity(section[id]!, kind === 'node').get('ImageName')?.value;
      if (typeof v === 'string' && v !== '') push(users.references, v, { kind, id });
    }
  }
  return users;
}
