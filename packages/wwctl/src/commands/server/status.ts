/** `wwctl server status` (§1.10, 4.3). */
import { Command } from 'commander';
import { runningServerPid } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function serverStatusCommand(ctx: () => Ctx): Command {
  return new Command('status').summary('Show whether the Warewulf server is running').action(async () => {
    const c = ctx();
    const { paths } = await c.load();
    const pid = await runningServerPid(paths);
    c.out.write(pid === undefined ? 'Warewulf server is not running\n' : `Warewulf server is running at PID: ${pid}\n`);
  });
}
