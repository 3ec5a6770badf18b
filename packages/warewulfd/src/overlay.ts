/**
 * Serving a node's system or runtime overlay image (§4.5): build on demand
 * through the single-flight builder, then stream. A failed build is a 404
 * when there is still no file to serve, else a 500.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { WwError } from '@warewulf/core';
import { overlayArtefact, withCompression, type OverlayKind } from '@warewulf/core/provision';
import { serveDecompressed, serveFile } from './serve.js';
import { requireNode, type StageContext } from './stage.js';

/** Build (single flight) and stream the node's `kind` overlay; WW_ERR_NOT_FOUND / WW_ERR_IO on a failed build. */
export async function serveOverlay(c: StageContext, kind: OverlayKind): Promise<void> {
  const node = requireNode(c);
  const base = overlayArtefact(c.env.paths, node.id, kind);
  if (base === undefined) throw new WwError('WW_ERR_BAD_REQUEST', `invalid node name ${JSON.stringify(node.id)}`);
  const a = withCompression(base, c.parsed.compress);
  if (a === undefined) throw new WwError('WW_ERR_NOT_FOUND', `unsupported compress=${c.parsed.compress}`);
  try {
    await c.env.builder.ensureFresh(node, kind, c.snap.db);
  } catch (err) {
    const exists = await access(join(a.dir, a.name)).then(() => true, () => false);
    c.req.log.error({ err, node: node.id, kind }, `overlay build failed for ${node.id}: ${(err as Error).message}`);
    throw new WwError(exists ? 'WW_ERR_IO' : 'WW_ERR_NOT_FOUND', `overlay build failed for ${node.id}`, { cause: err });
  }
  // the builder keeps only `.gz`; a client asking for the plain archive (wwclient) gets it decompressed
  if (!a.name.endsWith('.gz') && !(await access(join(a.dir, a.name)).then(() => true, () => false))) {
    return serveDecompressed(c.env, c.req, c.reply, a, c.target);
  }
  await serveFile(c.env, c.req, c.reply, a, c.target);
}
