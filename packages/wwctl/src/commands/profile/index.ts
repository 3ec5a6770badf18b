/** `wwctl profile` (§1.4): its leaf commands. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { profileAddCommand } from './add.js';
import { profileDeleteCommand } from './delete.js';
import { profileEditCommand } from './edit.js';
import { profileListCommand } from './list.js';
import { profileSetCommand } from './set.js';
import { profileUnsetCommand } from './unset.js';

export function profileCommand(ctx: () => Ctx): Command {
  const profile = new Command('profile').summary('Node profile management');
  for (const make of [profileAddCommand, profileSetCommand, profileUnsetCommand, profileDeleteCommand, profileListCommand, profileEditCommand]) {
    profile.addCommand(make(ctx));
  }
  return profile;
}
