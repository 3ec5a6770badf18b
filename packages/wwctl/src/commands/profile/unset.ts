/** `wwctl profile unset [OPTIONS] PROFILE...` (§1.4). */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
import { editsForUnset } from '../../requests.js';
import type { Ctx } from '../../context.js';
import { addUnsetFlags, unsetRequestFrom } from '../../field-flags.js';
import { runMutation } from '../mutate.js';

export function profileUnsetCommand(ctx: () => Ctx): Command {
  const cmd = new Command('unset').summary('Unset profile fields').argument('[profile...]', 'profile names').option('-y, --yes', 'apply without asking');
  addUnsetFlags(cmd, 'profile');
  cmd.action(async (names: string[], opts: { yes?: boolean }) => {
    const c = ctx();
    if (names.length === 0) throw new WwError('WW_ERR_USAGE', 'no profiles specified');
    const edits = editsForUnset(unsetRequestFrom(cmd));
    await runMutation(c, {
      section: 'profile',
      select: (doc) => {
        const missing = names.filter((n) => doc.profiles[n] === undefined);
        if (missing.length > 0) throw new WwError('WW_ERR_PROFILE_NOT_FOUND', `profile not found: ${missing[0]}`);
        return names;
      },
      edits,
      yes: opts.yes === true,
      failWhenUnchanged: 'no profiles were modified',
    });
  });
  return cmd;
}
