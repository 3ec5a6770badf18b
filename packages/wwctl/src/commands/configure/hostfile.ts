/** `wwctl configure hostfile` (§1.9): the host overlay's etc/hosts.ww rendered for the server into /etc/hosts (a .wwbackup the first time). */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

export function configureHostfileCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('hostfile').summary('Write /etc/hosts with the nodes of the cluster')).action(async (_opts: unknown, cmd: Command) => {
    await runConfigure(ctx(), ['hostfile'], isDryRun(cmd));
  });
}
