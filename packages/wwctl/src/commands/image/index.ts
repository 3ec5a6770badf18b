/** `wwctl image` (aliases container, vnfs; §1.5) and the 4.3 `wwctl kernel` (§1.6). */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { kernelListCommand } from '../kernel/list.js';
import { imageBuildCommand } from './build.js';
import { imageCopyCommand } from './copy.js';
import { imageDeleteCommand } from './delete.js';
import { imageExecCommand, imageShellCommand } from './exec.js';
import { imageImportCommand } from './import.js';
import { imageKernelsCommand } from './kernels.js';
import { imageListCommand } from './list.js';
import { imageRenameCommand } from './rename.js';
import { imageShowCommand } from './show.js';
import { imageSyncuserCommand } from './syncuser.js';

export function imageCommand(ctx: () => Ctx): Command {
  const image = new Command('image').aliases(['container', 'vnfs']).summary('Operating system image management');
  for (const make of [
    imageImportCommand, imageBuildCommand, imageListCommand, imageShowCommand, imageDeleteCommand, imageCopyCommand,
    imageRenameCommand, imageKernelsCommand, imageSyncuserCommand, imageExecCommand, imageShellCommand,
  ]) {
    image.addCommand(make(ctx));
  }
  return image;
}

export function kernelCommand(ctx: () => Ctx): Command {
  return new Command('kernel').summary('Kernels (4.3; today they come with images)').addCommand(kernelListCommand(ctx));
}
