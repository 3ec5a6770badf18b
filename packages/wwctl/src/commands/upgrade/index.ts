/** `wwctl upgrade` (§1.10): legacy configuration files in today's vocabulary. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { upgradeConfigCommand } from './config.js';
import { upgradeNodesCommand } from './nodes.js';

export function upgradeCommand(ctx: () => Ctx): Command {
  const cmd = new Command('upgrade').summary('Upgrade an older warewulf.conf or nodes.conf');
  cmd.addCommand(upgradeConfigCommand(ctx));
  cmd.addCommand(upgradeNodesCommand(ctx));
  return cmd;
}
