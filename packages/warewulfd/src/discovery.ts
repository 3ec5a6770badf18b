/**
 * Discovery in the daemon (§4.6): an unknown hardware address is given to
 * the first discoverable node, under core's nodes.conf lock, then the
 * registry is reloaded. One discovery per address at a time; a second
 * request for the same address waits for the first and gets the same node.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { WwError, updateNodesConf, wwboolTrue, type MergedNode, type NodeDb, type Paths } from '@warewulf/core';
import { discoverNode, isSafeSegment, type DiscoveryResult } from '@warewulf/core/provision';
import type { Metrics } from './plugins/metrics.js';
import { nodeByHwaddr, type NodeRegistry, type Snapshot } from './plugins/node-db.js';

export interface Discovered {
  node: MergedNode;
  snap: Snapshot;
}

/** Single-flight discovery per hardware address, writing nodes.conf through core's updateNodesConf. */
export class DiscoveryService {
  private readonly inflight = new Map<string, Promise<Discovered | undefined>>();
  private readonly hasCandidates = new WeakMap<NodeDb, boolean>();

  constructor(
    private readonly paths: Paths,
    private readonly registry: NodeRegistry,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: Metrics,
  ) {}

  /** True when the snapshot has a discoverable node (no lock is taken for unknown nodes otherwise). */
  private anyDiscoverable(db: NodeDb): boolean {
    let v = this.hasCandidates.get(db);
    if (v === undefined) {
      v = db.all().some((n) => wwboolTrue(n.fields.get('Discoverable')?.value));
      this.hasCandidates.set(db, v);
    }
    return v;
  }

  /** The node `hwaddr` now belongs to, or undefined when nothing could be discovered. */
  discover(hwaddr: string, snap: Snapshot): Promise<Discovered | undefined> {
    if (!this.anyDiscoverable(snap.db)) return Promise.resolve(undefined);
    let p = this.inflight.get(hwaddr);
    if (!p) {
      p = this.run(hwaddr).finally(() => this.inflight.delete(hwaddr));
      this.inflight.set(hwaddr, p);
    }
    return p;
  }

  private async run(hwaddr: string): Promise<Discovered | undefined> {
    let result: DiscoveryResult;
    try {
      ({ result } = await updateNodesConf<DiscoveryResult>(
        this.paths.nodesConf,
        (doc) => {
          const r = discoverNode(doc, hwaddr);
          return { result: r, write: r.kind === 'discovered' };
        },
        { cacheDir: this.paths.nodesCacheDir },
      ));
    } catch (err) {
      // nodes.conf unreadable or locked: the node may ask again (§4.4 step 4: 503)
      this.metrics.discoveries.inc({ result: 'error' });
      throw new WwError('WW_ERR_BUSY', `discovery of ${hwaddr} failed: ${(err as Error).message}`, { cause: err });
    }
    this.metrics.discoveries.inc({ result: result.kind });
    if (result.kind === 'none') return undefined;
    const reloaded = await this.registry.reload();
    if (!reloaded.ok) throw reloaded.error;
    const snap = reloaded.snapshot;
    if (result.kind === 'discovered') {
      if (snap.conf.warewulf.autobuildOverlays && isSafeSegment(result.id)) {
        const dir = join(this.paths.provisionOverlaysDir, result.id);
        for (const f of ['__SYSTEM__.img', '__SYSTEM__.img.gz', '__RUNTIME__.img', '__RUNTIME__.img.gz']) await rm(join(dir, f), { force: true });
      }
      this.log.info({ hwaddr, node: result.id, netdev: result.netdev }, `SERV: ${hwaddr} (node ${result.id} automatically configured)`);
    }
    const node = nodeByHwaddr(snap.db, hwaddr) ?? snap.db.byHwaddr(hwaddr);
    return node === undefined ? undefined : { node, snap };
  }
}
