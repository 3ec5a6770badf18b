/** `wwctl profile edit [--noheader] [PROFILE...]` (§1.4). */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { editEntities } from '../edit-entities.js';

export function profileEditCommand(ctx: () => Ctx): Command {
  return new Command('edit')
    .summary('Edit profiles\' raw YAML in $EDITOR')
    .argument('[profile...]', 'profile names (none: all)')
    .option('--noheader', 'leave out the commented field summary')
    .option('-y, --yes', 'apply the edit without asking')
    .action(async (names: string[], opts: { noheader?: boolean; yes?: boolean }) =>
      editEntities(ctx(), 'profile', names, { noheader: opts.noheader === true, yes: opts.yes === true }));
}
