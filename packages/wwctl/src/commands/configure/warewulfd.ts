/** `wwctl configure warewulfd` (§1.9): warewulf.systemd name restarted and enabled (always, when named; an empty name only warns). */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

export function configureWarewulfdCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('warewulfd').summary('Restart and enable warewulfd')).action(async (_opts: unknown, cmd: Command) => {
    await runConfigure(ctx(), ['warewulfd'], isDryRun(cmd), { explicit: true });
  });
}
