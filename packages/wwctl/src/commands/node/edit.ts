/** `wwctl node edit [--noheader] [NODENAME...]` (§1.3). */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { editEntities } from '../edit-entities.js';

export function nodeEditCommand(ctx: () => Ctx): Command {
  return new Command('edit')
    .summary('Edit nodes\' raw YAML in $EDITOR')
    .argument('[pattern...]', 'node names or patterns (none: all)')
    .option('--noheader', 'leave out the commented field summary')
    .option('-y, --yes', 'apply the edit without asking')
    .action(async (patterns: string[], opts: { noheader?: boolean; yes?: boolean }) =>
      editEntities(ctx(), 'node', patterns, { noheader: opts.noheader === true, yes: opts.yes === true }));
}
