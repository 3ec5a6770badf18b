/**
 * The refusals of §4.4 and §4.9, each logged (`DENIED : ...`) and counted
 * by reason. The asset key is never logged.
 */
import type { FastifyRequest } from 'fastify';
import { WwError, type MergedNode, type WarewulfConf } from '@warewulf/core';
import type { Peer } from '@warewulf/core/provision';
import type { Metrics, RefusalReason } from './metrics.js';

function refuse(req: FastifyRequest, metrics: Metrics, reason: RefusalReason, code: 'WW_ERR_DENIED' | 'WW_ERR_FORBIDDEN', log: string, body: string): never {
  metrics.refusals.inc({ reason });
  req.log.warn({ reason }, `DENIED : ${log}`);
  throw new WwError(code, body);
}

/** Runtime overlays only to privileged source ports when `warewulf.secure` (401). */
export function checkSecurePort(req: FastifyRequest, metrics: Metrics, conf: WarewulfConf, peer: Peer): void {
  if (conf.warewulf.secure && peer.port >= 1024) {
    refuse(req, metrics, 'insecure_port', 'WW_ERR_DENIED', `Non-privileged port: ${peer.address}:${peer.port}`, 'runtime overlay requires a privileged source port');
  }
}

/** With `warewulf.tls`, runtime overlays only over TLS (403). */
export function checkTls(req: FastifyRequest, metrics: Metrics, conf: WarewulfConf, encrypted: boolean): void {
  if (conf.warewulf.tls && !encrypted) {
    refuse(req, metrics, 'tls_required', 'WW_ERR_FORBIDDEN', 'runtime overlay requested over insecure connection', 'runtime overlay requested over insecure connection');
  }
}

/** The node's asset key, '' when it has none. */
export function assetKeyOf(node: MergedNode): string {
  const v = node.fields.get('AssetKey')?.value;
  return typeof v === 'string' ? v : '';
}

/** A node with an asset key must send it; a missing one counts as wrong (401, §4.4 step 5). */
export function checkAssetKey(req: FastifyRequest, metrics: Metrics, node: MergedNode, given: string | undefined): void {
  const key = assetKeyOf(node);
  if (key !== '' && key !== given) {
    refuse(req, metrics, 'bad_asset_key', 'WW_ERR_DENIED', `incorrect asset key for node ${node.id}`, 'incorrect asset key');
  }
}

/**
 * /files (§4.9): `secure files` wants a privileged port (403); a node with
 * an asset key must send it (missing 401, wrong 403).
 */
export function checkFilesAccess(req: FastifyRequest, metrics: Metrics, conf: WarewulfConf, peer: Peer, node: MergedNode, given: string | undefined): void {
  if (conf.warewulf.secureFiles && peer.port >= 1024) {
    refuse(req, metrics, 'files_port', 'WW_ERR_FORBIDDEN', `Non-privileged port: ${peer.address}:${peer.port}`, 'files require a privileged source port');
  }
  const key = assetKeyOf(node);
  if (key === '') return;
  if (given === undefined) refuse(req, metrics, 'files_asset_key', 'WW_ERR_DENIED', `asset key required for node ${node.id}`, 'asset key required');
  if (given !== key) refuse(req, metrics, 'files_asset_key', 'WW_ERR_FORBIDDEN', `incorrect asset key for node ${node.id}`, 'incorrect asset key');
}
