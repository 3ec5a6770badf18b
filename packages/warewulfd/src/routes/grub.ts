/**
 * `/grub/<wwid>` (§4.5, §7.2): the rendered `grub.cfg.ww` (the site's, else the shipped one).
 * Also what `/efiboot/grub.cfg` serves.
 */
import { join } from 'node:path';
import { WwError } from '@warewulf/core';
import { bootTemplateData } from '@warewulf/core/provision';
import { sendText } from '../serve.js';
import { nodeField, requireNode, type StageHandler } from '../stage.js';
import { render, shippedTemplate } from '../templates.js';

export const grubStage: StageHandler = async (c) => {
  if (c.parsed.compress !== '') throw new WwError('WW_ERR_NOT_FOUND', 'compress on a template');
  const node = requireNode(c);
  const t = await c.env.templates.get(join(c.env.paths.grubTemplateDir, 'grub.cfg.ww'), shippedTemplate('grub', 'grub.cfg.ww'));
  let version = nodeField(node, 'Kernel.Version');
  if (version === '' && nodeField(node, 'ImageName') !== '') version = (await c.env.resolveKernel(node, c.snap))?.version ?? '';
  const data = bootTemplateData(node, c.snap.conf, { hwaddr: c.hwaddr, ipv6: c.parsed.peer.family === 6 }, version);
  sendText(c.env, c.reply, render(t, data), 'grub.cfg.ww', c.target);
};
