/**
 * `GET /api/events`: Server-Sent Events of what changes in the daemon.
 *
 * - `hello`    once on connect: `{revision, nodes}` (the nodes.conf revision and node count).
 * - `status`   every status table update (§4.7): the node's entry.
 * - `revision` every new nodes.conf revision the daemon loads (an API
 *   write, wwctl, an editor): `{revision, nodes: NodeRow[], removed: string[]}`
 *   with the rows of the nodes whose row changed or that are new, and the
 *   names of the nodes that are gone.
 *
 * Rows are diffed only while someone listens. A client that does not read
 * (more than 1 MiB queued) is dropped; a comment every 15 s keeps proxies
 * from closing an idle stream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NodeStatus } from '@warewulf/core/provision';
import type { DaemonEnv } from '../env.js';
import { nodeRows, type NodeRow } from './rows.js';

const MAX_QUEUED = 1 << 20;
const HEARTBEAT_MS = 15_000;

interface Client {
  app: FastifyInstance;
  reply: FastifyReply;
}

export interface RevisionEvent {
  revision: string;
  nodes: NodeRow[];
  removed: string[];
}

/** The subscribers of one daemon (shared by its HTTP and HTTPS apps). */
export class EventHub {
  private readonly clients = new Set<Client>();
  /** The rows last sent, JSON by node; kept only while there are subscribers. */
  private rows: Map<string, string> | undefined;
  private revision: string;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly env: DaemonEnv) {
    this.revision = env.registry.current.db.revision;
    env.status.onUpdate((s) => this.broadcast('status', s));
    env.registry.onSwap((snap) => {
      if (snap.db.revision === this.revision) return;
      this.revision = snap.db.revision;
      if (this.clients.size === 0) return;
      const next = this.snapshotRows();
      const prev = this.rows ?? new Map<string, string>();
      const changed: NodeRow[] = [];
      for (const [id, json] of next) if (prev.get(id) !== json) changed.push(JSON.parse(json) as NodeRow);
      const removed = [...prev.keys()].filter((id) => !next.has(id));
      this.rows = next;
      this.broadcast('revision', { revision: snap.db.revision, nodes: changed, removed } satisfies RevisionEvent);
    });
  }

  get subscribers(): number {
    return this.clients.size;
  }

  private snapshotRows(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, row] of nodeRows(this.env.registry.current.db)) out.set(id, JSON.stringify(row));
    return out;
  }

  private send(c: Client, event: string, data: unknown): void {
    const raw = c.reply.raw;
    if (raw.writableLength > MAX_QUEUED) {
      raw.destroy();
      return;
    }
    raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcast(event: 'status' | 'revision', data: Readonly<NodeStatus> | RevisionEvent): void {
    for (const c of this.clients) this.send(c, event, data);
  }

  /** Take over the response as an event stream until the client goes or the app closes. */
  subscribe(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const c: Client = { app, reply };
    if (this.clients.size === 0) this.rows = this.snapshotRows();
    this.clients.add(c);
    const db = this.env.registry.current.db;
    this.send(c, 'hello', { revision: db.revision, nodes: db.nodeIds.length });
    this.heartbeat ??= setInterval(() => {
      for (const x of this.clients) x.reply.raw.write(': keep-alive\n\n');
    }, HEARTBEAT_MS).unref();
    req.raw.socket.setTimeout(0);
    reply.raw.on('close', () => this.drop(c));
  }

  private drop(c: Client): void {
    this.clients.delete(c);
    if (this.clients.size > 0) return;
    this.rows = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** End the streams of one app (its close would otherwise wait for them). */
  closeApp(app: FastifyInstance): void {
    for (const c of [...this.clients]) {
      if (c.app !== app) continue;
      c.reply.raw.end();
      this.drop(c);
    }
  }
}
