/** `/kernel/<wwid>` (§4.5): the kernel inside the node's image; no image or no kernel is a 400. */
import { WwError } from '@warewulf/core';
import { splitArtefact, withCompression } from '@warewulf/core/provision';
import { serveFile } from '../serve.js';
import { nodeField, requireNode, type StageHandler } from '../stage.js';

export const kernelStage: StageHandler = async (c) => {
  const node = requireNode(c);
  if (nodeField(node, 'ImageName') === '') throw new WwError('WW_ERR_BAD_REQUEST', `No image set for node ${node.id}`);
  const kernel = await c.env.resolveKernel(node, c.snap);
  if (kernel === undefined) throw new WwError('WW_ERR_BAD_REQUEST', `No kernel found for node ${node.id}`);
  const a = withCompression(splitArtefact(kernel.path), c.parsed.compress);
  if (a === undefined) throw new WwError('WW_ERR_NOT_FOUND', `unsupported compress=${c.parsed.compress}`);
  await serveFile(c.env, c.req, c.reply, a, c.target);
};
