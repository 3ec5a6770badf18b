/** `wwctl profile set [OPTIONS] PROFILE...` (§1.4). */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
import { editsForSet } from '../../requests.js';
import type { Ctx } from '../../context.js';
import { addFieldFlags, setRequestFrom } from '../../field-flags.js';
import { runMutation } from '../mutate.js';
import { selectExisting } from '../select.js';

export function profileSetCommand(ctx: () => Ctx): Command {
  const cmd = new Command('set')
    .alias('modify')
    .summary('Configure profile properties')
    .argument('[profile...]', 'profile names')
    .option('-y, --yes', 'apply without asking')
    .option('-f, --force', '(deprecated, no effect)');
  addFieldFlags(cmd, 'profile', true);
  cmd.action(async (names: string[], opts: { yes?: boolean }) => {
    const c = ctx();
    if (names.length === 0) throw new WwError('WW_ERR_USAGE', 'no profiles specified');
    const edits = editsForSet(setRequestFrom(cmd));
    await runMutation(c, {
      section: 'profile',
      select: (doc, quiet) => selectExisting(names, doc.profiles, quiet ? undefined : c.log, 'profile'),
      edits,
      yes: opts.yes === true,
    });
  });
  return cmd;
}
