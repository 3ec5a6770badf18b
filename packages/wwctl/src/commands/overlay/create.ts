/** `wwctl overlay create NAME` (§1.7): a new, empty site overlay. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { overlayStore } from './support.js';

export function overlayCreateCommand(ctx: () => Ctx): Command {
  return new Command('create')
    .aliases(['new', 'add'])
    .summary('Create a new site overlay')
    .argument('<name>', 'overlay name')
    .action(async (name: string) => {
      const c = ctx();
      const o = await (await overlayStore(c)).create(name);
      c.log.verbose(`Created overlay ${name}: ${o.root}`);
    });
}
