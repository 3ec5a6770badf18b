/**
 * Discovery of unknown nodes (§4.6): a node that boots with a hardware
 * address nobody has is given to the first discoverable node, and nodes.conf
 * is rewritten. Pure over a document, so the daemon runs it inside
 * updateNodesConf (lock, fresh read, atomic write).
 */
import { isMapping } from '../yaml-value.js';
import type { NodesDocument, RawEntity } from '../node/document.js';
import { NodeDb } from '../node/nodedb.js';
import { wwboolTrue } from '../node/values.js';

export type DiscoveryResult =
  /** The address already belongs to a node (added by hand, or discovered by a concurrent request). */
  | { kind: 'known'; id: string }
  /** `id` was given the address on network device `netdev`; the document was changed. */
  | { kind: 'discovered'; id: string; netdev: string }
  /** No discoverable node with a network device. */
  | { kind: 'none' };

/**
 * Give `hwaddr` (normalised) to the first discoverable node in (cluster, id)
 * order that has a network device, on its primary device. On the raw node:
 * when that device is only inherited, the node's `network devices` become
 * just that device (upstream's quirk); its `hwaddr` is set and
 * `discoverable` turned off. A node already carrying the address wins over
 * discovery (the duplicate-MAC check); a discoverable node already carrying
 * it is the node discovered (its `discoverable` turned off, nothing else
 * changed). Changes `doc` only for `discovered`.
 */
export function discoverNode(doc: NodesDocument, hwaddr: string): DiscoveryResult {
  const db = new NodeDb(doc, '');
  const owner = db.byHwaddr(hwaddr);
  if (owner !== undefined && !wwboolTrue(owner.fields.get('Discoverable')?.value)) return { kind: 'known', id: owner.id };
  if (owner !== undefined) {
    // a discoverable node already given this address (by hand): it is the one that boots. Discovery ends
    // for it here; left discoverable, the next unknown machine would be given it and its address taken over
    const raw = doc.nodes[owner.id] as RawEntity;
    raw['discoverable'] = 'false';
    const netdev = owner.netdevs.find((d) => owner.fields.get(`NetDevs[${d}].Hwaddr`)?.value === hwaddr) ?? owner.primaryNetDev ?? '';
    return { kind: 'discovered', id: owner.id, netdev };
  }
  const candidates = db
    .all()
    .filter((n) => wwboolTrue(n.fields.get('Discoverable')?.value) && n.primaryNetDev !== undefined)
    .map((n) => ({ n, cluster: String(n.fields.get('ClusterName')?.value ?? '') }))
    .sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : a.n.id < b.n.id ? -1 : a.n.id > b.n.id ? 1 : 0));
  const pick = candidates[0];
  if (pick === undefined) return { kind: 'none' };
  const id = pick.n.id;
  const netdev = pick.n.primaryNetDev as string;
  const raw = doc.nodes[id] as RawEntity;
  const devs = isMapping(raw['network devices']) ? (raw['network devices'] as Record<string, unknown>) : undefined;
  const own = devs?.[netdev];
  if (devs === undefined || !isMapping(own)) {
    raw['network devices'] = { [netdev]: { hwaddr } };
  } else {
    (own as Record<string, unknown>)['hwaddr'] = hwaddr;
  }
  raw['discoverable'] = 'false';
  return { kind: 'discovered', id, netdev };
}
