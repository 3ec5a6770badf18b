/** `wwctl server restart` (§1.10, 4.3): stop (if running), then start in the background. */
import { Command } from 'commander';
import { stopServer } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import type { DaemonFlags } from './daemon.js';
import { addDaemonFlags, startBackground } from './start.js';

export function serverRestartCommand(ctx: () => Ctx): Command {
  return addDaemonFlags(new Command('restart').summary('Restart the Warewulf provisioning server')).action(async (opts: DaemonFlags) => {
    const c = ctx();
    const { paths } = await c.load();
    await stopServer(paths);
    const pid = await startBackground(c, opts);
    c.out.write(`Warewulf server started at PID: ${pid}\n`);
  });
}
