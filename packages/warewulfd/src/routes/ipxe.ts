/**
 * `/ipxe/<wwid>` (§4.5, §7.1): the node's iPXE script, or `unconfigured.ipxe` for an unknown node;
 * the site's template, else the shipped one, else a 500 (templates.ts).
 */
import { join } from 'node:path';
import { WwError } from '@warewulf/core';
import { bootTemplateData, isSafeSegment, unknownNodeTemplateData } from '@warewulf/core/provision';
import { sendText } from '../serve.js';
import { nodeField, type StageHandler } from '../stage.js';
import { render, shippedTemplate } from '../templates.js';

export const ipxeStage: StageHandler = async (c) => {
  if (c.parsed.compress !== '') throw new WwError('WW_ERR_NOT_FOUND', 'compress on a template');
  const dir = c.env.paths.ipxeTemplateDir;
  const req = { hwaddr: c.hwaddr, ipv6: c.parsed.peer.family === 6 };
  if (c.node === undefined) {
    c.req.log.warn({ hwaddr: c.hwaddr }, `ERROR  : ${c.hwaddr} (unknown/unconfigured node)`);
    const t = await c.env.templates.get(join(dir, 'unconfigured.ipxe'), shippedTemplate('ipxe', 'unconfigured.ipxe'));
    // unknown nodes have no status entry (upstream records one under an empty id)
    c.reply.code(200).type('text/plain; charset=utf-8').send(render(t, unknownNodeTemplateData(c.snap.conf, req)));
    return;
  }
  const node = c.node;
  const name = nodeField(node, 'Ipxe') || 'default';
  if (!isSafeSegment(name)) throw new WwError('WW_ERR_BAD_REQUEST', `invalid ipxe template name ${JSON.stringify(name)} for node ${node.id}`);
  const t = await c.env.templates.get(join(dir, `${name}.ipxe`), shippedTemplate('ipxe', `${name}.ipxe`));
  let version = nodeField(node, 'Kernel.Version');
  if (version === '' && nodeField(node, 'ImageName') !== '') version = (await c.env.resolveKernel(node, c.snap))?.version ?? '';
  const key = `${node.id}\0${c.hwaddr}\0${req.ipv6 ? 6 : 4}\0${version}`;
  const body = c.env.rendered.get(t, c.snap, key, () => render(t, bootTemplateData(node, c.snap.conf, req, version)));
  sendText(c.env, c.reply, body, `${name}.ipxe`, c.target);
};
