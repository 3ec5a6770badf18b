/** What a stage handler gets: the parsed request, the identified node and the snapshot it was found in. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MergedNode } from '@warewulf/core';
import type { ProvisionRequest } from '@warewulf/core/provision';
import type { DaemonEnv } from './env.js';
import type { Snapshot } from './plugins/node-db.js';
import type { ServeTarget } from './serve.js';

export interface StageContext {
  env: DaemonEnv;
  req: FastifyRequest;
  reply: FastifyReply;
  parsed: ProvisionRequest;
  /** The normalised hardware address the node was identified by. */
  hwaddr: string;
  snap: Snapshot;
  /** Undefined only for an unknown node asking for its iPXE script. */
  node: MergedNode | undefined;
  target: ServeTarget;
}

export type StageHandler = (c: StageContext) => Promise<void>;

/** A node field as a string ('' when unset). */
export function nodeField(node: MergedNode, path: string): string {
  const v = node.fields.get(path)?.value;
  return typeof v === 'string' ? v : '';
}

/** The node a stage needs; only ipxe serves unknown nodes (it is checked before dispatch, this narrows the type). */
export function requireNode(c: StageContext): MergedNode {
  if (c.node === undefined) throw new Error(`stage ${c.parsed.stage} dispatched without a node`);
  return c.node;
}
