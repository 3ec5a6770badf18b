/** `wwctl overlay` (§1.7): its leaf commands. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { overlayBuildCommand } from './build.js';
import { overlayChmodCommand } from './chmod.js';
import { overlayChownCommand } from './chown.js';
import { overlayCreateCommand } from './create.js';
import { overlayDeleteCommand } from './delete.js';
import { overlayDiffCommand } from './diff.js';
import { overlayEditCommand } from './edit.js';
import { overlayImportCommand } from './import.js';
import { overlayInfoCommand } from './info.js';
import { overlayListCommand } from './list.js';
import { overlayMkdirCommand } from './mkdir.js';
import { overlayShowCommand } from './show.js';

export function overlayCommand(ctx: () => Ctx): Command {
  const overlay = new Command('overlay').summary('Overlay management');
  for (const make of [
    overlayListCommand, overlayShowCommand, overlayBuildCommand, overlayCreateCommand, overlayDeleteCommand, overlayEditCommand,
    overlayImportCommand, overlayMkdirCommand, overlayChmodCommand, overlayChownCommand, overlayInfoCommand, overlayDiffCommand,
  ]) {
    overlay.addCommand(make(ctx));
  }
  return overlay;
}
