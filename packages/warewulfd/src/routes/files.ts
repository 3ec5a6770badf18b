/**
 * `/files/<path>` (§4.9): files under `paths.wwfilesdir` for an identified
 * node, raw or rendered (`?render`) as an overlay template with the node's
 * data. The node comes from `?wwid=` or ARP only; the path is resolved
 * inside wwfilesdir with chroot semantics (no `..` or symlink leaves it);
 * directories are a 404 (no listings).
 */
import { readFile, stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WwError } from '@warewulf/core';
import { nodeTemplateData } from '@warewulf/core/overlay';
import { normalizeWwid, parsePeer, resolveInRoot, splitArtefact, splitTarget } from '@warewulf/core/provision';
import { parseTemplate } from '@warewulf/gotemplate';
import type { DaemonEnv } from '../env.js';
import { checkFilesAccess } from '../plugins/auth.js';
import { nodeByHwaddr } from '../plugins/node-db.js';
import { serveFile } from '../serve.js';

async function isFile(p: string | undefined): Promise<boolean> {
  if (p === undefined) return false;
  return stat(p).then((s) => s.isFile(), () => false);
}

async function handle(env: DaemonEnv, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const snap = env.registry.current;
  const raw = env.peerOf(req.raw);
  const peer = parsePeer(raw.address, raw.port);
  const { segments, query } = splitTarget(req.url);
  req.wwStage = 'files';
  const rel = segments.slice(1).join('/');
  const wwidText = query.get('wwid');
  const hwaddr = wwidText ? normalizeWwid(wwidText) : await env.arpLookup(peer.address);
  if (hwaddr === undefined) throw new WwError('WW_ERR_DENIED', 'unable to identify node');
  const node = nodeByHwaddr(snap.db, hwaddr);
  if (node === undefined) {
    env.metrics.refusals.inc({ reason: 'files_unknown_node' });
    throw new WwError('WW_ERR_DENIED', 'node not found');
  }
  checkFilesAccess(req, env.metrics, snap.conf, peer, node, query.get('assetkey') ?? undefined);
  const root = env.paths.wwfilesdir;
  const render = query.get('render');
  if (render === null) {
    const path = await resolveInRoot(root, rel);
    if (!(await isFile(path))) throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${rel}`);
    await serveFile(env, req, reply, splitArtefact(path as string), { stage: 'files', node: node.id, peer: peer.address, record: false });
    return;
  }
  if (render !== '' && render !== node.id) throw new WwError('WW_ERR_BAD_REQUEST', `render=${render} does not match the requesting node`);
  const asTemplate = rel.endsWith('.ww') ? rel : `${rel}.ww`;
  const tpath = await resolveInRoot(root, asTemplate);
  if (!(await isFile(tpath))) {
    if (await isFile(await resolveInRoot(root, rel))) throw new WwError('WW_ERR_BAD_REQUEST', `${rel} is not a template (.ww)`);
    throw new WwError('WW_ERR_NOT_FOUND', `Not found: ${rel}`);
  }
  let body: string;
  try {
    body = parseTemplate(asTemplate, await readFile(tpath as string, 'utf8')).execute(nodeTemplateData(node));
  } catch (err) {
    throw new WwError('WW_ERR_TEMPLATE', (err as Error).message, { cause: err });
  }
  req.log.info({ file: tpath, node: node.id }, `send ${tpath} -> ${node.id}`);
  env.metrics.bytes.inc({ stage: 'files' }, Buffer.byteLength(body));
  reply.code(200).type('application/octet-stream').send(body);
}

/** Register `/files` and `/files/*` (any method). */
export function filesRoutes(app: FastifyInstance, env: DaemonEnv): void {
  const handler = (req: FastifyRequest, reply: FastifyReply) => handle(env, req, reply);
  app.all('/files', handler);
  app.all('/files/*', handler);
}
