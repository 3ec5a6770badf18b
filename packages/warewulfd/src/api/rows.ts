/**
 * What the dashboard shows of a node (its table row) and of the cluster
 * (images and overlays in use), computed from the daemon's snapshot. Kept
 * small and flat: a revision event carries the rows that changed.
 */
import { fieldText, type MergedNode, type NodeDb } from '@warewulf/core';

export interface NodeRow {
  name: string;
  /** The profiles the node lists (or the implicit `default`). */
  profiles: string[];
  cluster: string;
  image: string;
  /** The primary network device's IPv4 address (else its IPv6 one). */
  address: string;
  hwaddr: string;
  systemOverlays: string[];
  runtimeOverlays: string[];
}

const text = (n: MergedNode, path: string): string => fieldText(n.fields.get(path)) ?? '';
const list = (n: MergedNode, path: string): string[] => {
  const v = n.fields.get(path)?.value;
  return Array.isArray(v) ? v.map(String) : [];
};

/** A node's dashboard row. */
export function nodeRow(n: MergedNode): NodeRow {
  const net = n.primaryNetDev;
  const dev = (f: string) => (net === undefined ? '' : text(n, `NetDevs[${net}].${f}`));
  return {
    name: n.id,
    profiles: [...n.profiles],
    cluster: text(n, 'ClusterName'),
    image: text(n, 'ImageName'),
    address: dev('Ipaddr') || dev('Ipaddr6'),
    hwaddr: dev('Hwaddr'),
    systemOverlays: list(n, 'SystemOverlay'),
    runtimeOverlays: list(n, 'RuntimeOverlay'),
  };
}

/** Every node's row, by name. */
export function nodeRows(db: NodeDb): Map<string, NodeRow> {
  const out = new Map<string, NodeRow>();
  for (const n of db.stream(db.nodeIds)) out.set(n.id, nodeRow(n));
  return out;
}

/** How many nodes use each image and each overlay (system and runtime), sorted by name. */
export function inUse(rows: Iterable<NodeRow>): { images: Record<string, number>; overlays: Record<string, number> } {
  const images = new Map<string, number>();
  const overlays = new Map<string, number>();
  const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const r of rows) {
    if (r.image !== '') count(images, r.image);
    for (const o of new Set([...r.systemOverlays, ...r.runtimeOverlays])) count(overlays, o);
  }
  const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { images: sorted(images), overlays: sorted(overlays) };
}
