/** `wwctl genconfig` (hidden, alias `cnf`, §1.10). */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { genconfigManCommand, genconfigReferenceCommand } from './unsupported.js';
import { genconfigWarewulfconfCommand } from './warewulfconf.js';

export function genconfigCommand(ctx: () => Ctx): Command {
  const cmd = new Command('genconfig').alias('cnf').summary('Generate configuration and documentation files');
  cmd.addCommand(genconfigWarewulfconfCommand(ctx));
  cmd.addCommand(genconfigManCommand());
  cmd.addCommand(genconfigReferenceCommand());
  return cmd;
}
