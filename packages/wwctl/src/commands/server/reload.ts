/** `wwctl server reload` (§0.6): SIGHUP, the daemon re-reads nodes.conf and warewulf.conf. */
import { Command } from 'commander';
import { reloadServer } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function serverReloadCommand(ctx: () => Ctx): Command {
  return new Command('reload').summary('Reload the server configuration').action(async () => {
    const c = ctx();
    const { paths } = await c.load();
    const pid = await reloadServer(paths);
    c.out.write(`Warewulf server at PID ${pid} told to reload\n`);
  });
}
