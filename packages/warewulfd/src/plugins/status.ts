/**
 * The status table (§4.7): per node the last stage, what was sent, the
 * source address and when. Pre-populated with every node; a reload keeps
 * the entries of nodes that are still there. `GET /status` (any method, no
 * auth, as upstream) returns it as pretty-printed JSON.
 */
import type { FastifyInstance } from 'fastify';
import type { NodeDb } from '@warewulf/core';
import type { NodeStatus, StatusDocument } from '@warewulf/core/provision';

/** What a failed or refused request records instead of a file name. */
export type StatusMark = 'BAD_ASSET' | 'BAD_REQUEST' | 'NOT_FOUND';

/** Node id → NodeStatus (§4.7), in memory. */
export class StatusTable {
  private readonly entries = new Map<string, NodeStatus>();
  private readonly listeners: ((s: Readonly<NodeStatus>) => void)[] = [];

  constructor(
    db: NodeDb,
    /** Unix seconds. */
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.sync(db);
  }

  /** Add never-seen entries for new nodes, drop removed ones, keep the rest. */
  sync(db: NodeDb): void {
    const keep = new Set(db.nodeIds);
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
    for (const id of db.nodeIds) {
      if (!this.entries.has(id)) this.entries.set(id, { 'node name': id, stage: '', sent: '', ipaddr: '', 'last seen': 0 });
    }
  }

  /** Record a served, refused or failed request of node `id`. */
  update(id: string, stage: string, sent: string, ipaddr: string): void {
    const entry = { 'node name': id, stage, sent, ipaddr, 'last seen': this.now() };
    this.entries.set(id, entry);
    for (const fn of this.listeners) fn(entry);
  }

  /** Called with every entry update() records (the API's event stream). */
  onUpdate(fn: (s: Readonly<NodeStatus>) => void): void {
    this.listeners.push(fn);
  }

  get(id: string): NodeStatus | undefined {
    return this.entries.get(id);
  }

  document(): StatusDocument {
    const nodes: Record<string, NodeStatus> = {};
    for (const id of [...this.entries.keys()].sort()) nodes[id] = this.entries.get(id) as NodeStatus;
    return { nodes };
  }
}

/** `GET /status` (any method, no auth): the table as pretty JSON. */
export function statusRoutes(app: FastifyInstance, table: StatusTable): void {
  app.all('/status', async (_req, reply) => {
    reply.type('application/json');
    return `${JSON.stringify(table.document(), null, 2)}\n`;
  });
}
