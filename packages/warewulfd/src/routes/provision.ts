/**
 * Every provisioning route (§4.2) goes through one pipeline (§4.3, §4.4):
 * parse the request target and peer, apply the runtime TLS rule, find the
 * wwid (path, `?wwid=`, ARP), log the request, apply the privileged-port
 * rule, identify the node (discovering it if needed), check its asset key,
 * then hand over to the stage's handler. `/provision` is the legacy
 * dispatcher: its `?stage=` picks the handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WwError, isWwError, type MergedNode } from '@warewulf/core';
import { ROUTE_STAGES, parsePeer, parseProvisionRequest, type Stage } from '@warewulf/core/provision';
import type { DaemonEnv } from '../env.js';
import { checkAssetKey, checkSecurePort, checkTls } from '../plugins/auth.js';
import { nodeByHwaddr } from '../plugins/node-db.js';
import type { StageContext, StageHandler } from '../stage.js';
import { efibootStage } from './efiboot.js';
import { grubStage } from './grub.js';
import { imageStage } from './image.js';
import { initramfsStage } from './initramfs.js';
import { ipxeStage } from './ipxe.js';
import { kernelStage } from './kernel.js';
import { runtimeStage } from './runtime.js';
import { systemStage } from './system.js';

export const STAGE_HANDLERS: Readonly<Record<Stage, StageHandler>> = {
  ipxe: ipxeStage,
  kernel: kernelStage,
  image: imageStage,
  initramfs: initramfsStage,
  system: systemStage,
  runtime: runtimeStage,
  grub: grubStage,
  efiboot: efibootStage,
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The stage this request was parsed as ('' before parsing or for non-stage routes); for metrics. */
    wwStage: string;
  }
}

async function handle(env: DaemonEnv, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  let snap = env.registry.current;
  const raw = env.peerOf(req.raw);
  const peer = parsePeer(raw.address, raw.port);
  const parsed = parseProvisionRequest(req.url, peer);
  req.wwStage = parsed.stage;
  if (parsed.stage === 'runtime') checkTls(req, env.metrics, snap.conf, (req.raw.socket as { encrypted?: boolean }).encrypted === true);
  const hwaddr = parsed.wwid ?? (await env.arpLookup(peer.address));
  if (hwaddr === undefined) throw new WwError('WW_ERR_BAD_REQUEST', 'unable to determine wwid');
  req.log.info({ hwaddr, ipaddr: `${peer.address}:${peer.port}`, stage: parsed.stage }, `request from hwaddr:${hwaddr} ipaddr:${peer.address}:${peer.port} | stage:${parsed.stage}`);
  if (parsed.stage === 'runtime') checkSecurePort(req, env.metrics, snap.conf, peer);

  let node: MergedNode | undefined = nodeByHwaddr(snap.db, hwaddr);
  if (node === undefined) {
    req.log.warn({ hwaddr }, `node not configured: ${hwaddr}`);
    const found = await env.discovery.discover(hwaddr, snap);
    if (found) ({ node, snap } = found);
  }
  const target = { stage: parsed.stage, node: node?.id ?? '', peer: peer.address };
  if (node !== undefined) {
    try {
      checkAssetKey(req, env.metrics, node, parsed.assetkey);
    } catch (err) {
      env.status.update(node.id, parsed.stage, 'BAD_ASSET', peer.address);
      throw err;
    }
  } else if (parsed.stage === 'grub') {
    throw new WwError('WW_ERR_NOT_FOUND', `${hwaddr} (unknown/unconfigured node)`);
  } else if (parsed.stage !== 'ipxe') {
    throw new WwError('WW_ERR_BAD_REQUEST', `No resource selected (unknown node ${hwaddr})`);
  }

  const c: StageContext = { env, req, reply, parsed, hwaddr, snap, node, target };
  try {
    await STAGE_HANDLERS[parsed.stage](c);
  } catch (err) {
    if (node !== undefined && isWwError(err)) {
      if (err.code === 'WW_ERR_BAD_REQUEST') env.status.update(node.id, parsed.stage, 'BAD_REQUEST', peer.address);
      if (err.code === 'WW_ERR_NOT_FOUND') {
        req.log.warn({ node: node.id }, `ERROR  : ${err.message}`);
        env.status.update(node.id, parsed.stage, 'NOT_FOUND', peer.address);
      }
    }
    throw err;
  }
}

/** Register `/<word>` and `/<word>/*` for every route word and alias (methods are not restricted, as upstream). */
export function provisionRoutes(app: FastifyInstance, env: DaemonEnv): void {
  app.decorateRequest('wwStage', '');
  const handler = (req: FastifyRequest, reply: FastifyReply) => handle(env, req, reply);
  for (const word of Object.keys(ROUTE_STAGES)) {
    app.all(`/${word}`, handler);
    app.all(`/${word}/*`, handler);
  }
}
