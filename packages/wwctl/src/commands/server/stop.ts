/** `wwctl server stop` (§1.10, 4.3): SIGTERM the daemon and wait until it has finished its downloads. */
import { Command } from 'commander';
import { stopServer } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function serverStopCommand(ctx: () => Ctx): Command {
  return new Command('stop').summary('Stop the Warewulf provisioning server').action(async () => {
    const c = ctx();
    const { paths } = await c.load();
    const pid = await stopServer(paths);
    c.out.write(pid === undefined ? 'Warewulf server is not running\n' : `Warewulf server stopped (PID: ${pid})\n`);
  });
}
