/** `wwctl configure nfs` (§1.9): the host overlay (/etc/exports), then the NFS service restarted and enabled. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

export function configureNfsCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('nfs').summary('Write /etc/exports and restart the NFS server')).action(async (_opts: unknown, cmd: Command) => {
    await runConfigure(ctx(), ['nfs'], isDryRun(cmd));
  });
}
