/**
 * `/efiboot/<file>` (§4.5): `shim.efi` and the GRUB binaries from the node's
 * image, `grub.cfg` rendered; anything else is a 404. The node is named by
 * `?wwid=` or found by ARP (the path holds the file name).
 */
import { WwError } from '@warewulf/core';
import { splitArtefact } from '@warewulf/core/provision';
import { serveFile } from '../serve.js';
import { requireNode, type StageHandler } from '../stage.js';
import { grubStage } from './grub.js';

export const efibootStage: StageHandler = async (c) => {
  const node = requireNode(c);
  const file = c.parsed.efifile;
  if (file === 'grub.cfg') return grubStage(c);
  const found = file === '' ? undefined : await c.env.resolveEfiFile(node, file, c.snap);
  if (found === undefined) throw new WwError('WW_ERR_NOT_FOUND', `no EFI file ${JSON.stringify(file)} for node ${node.id}`);
  await serveFile(c.env, c.req, c.reply, splitArtefact(found.path), c.target);
};
