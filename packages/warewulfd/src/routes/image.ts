/** `/image/<wwid>` and `/container/<wwid>` (§4.5): `<provision>/images/<image>.img[.gz]`. */
import { WwError } from '@warewulf/core';
import { imageArtefact, withCompression } from '@warewulf/core/provision';
import { serveFile } from '../serve.js';
import { nodeField, requireNode, type StageHandler } from '../stage.js';

export const imageStage: StageHandler = async (c) => {
  const node = requireNode(c);
  const image = nodeField(node, 'ImageName');
  if (image === '') {
    c.req.log.warn({ node: node.id }, `No image set for node ${node.id}`);
    throw new WwError('WW_ERR_BAD_REQUEST', `No image set for node ${node.id}`);
  }
  const base = imageArtefact(c.env.paths, image);
  if (base === undefined) throw new WwError('WW_ERR_BAD_REQUEST', `invalid image name ${JSON.stringify(image)} for node ${node.id}`);
  const a = withCompression(base, c.parsed.compress);
  if (a === undefined) throw new WwError('WW_ERR_NOT_FOUND', `unsupported compress=${c.parsed.compress}`);
  await serveFile(c.env, c.req, c.reply, a, c.target);
};
