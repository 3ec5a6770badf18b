/** `wwctl node` (§1.3): its leaf commands. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { nodeAddCommand } from './add.js';
import { nodeConsoleCommand } from './console.js';
import { nodeDeleteCommand } from './delete.js';
import { nodeEditCommand } from './edit.js';
import { nodeExportCommand } from './export.js';
import { nodeImportCommand } from './import.js';
import { nodeListCommand } from './list.js';
import { nodeSensorsCommand } from './sensors.js';
import { nodeSetCommand } from './set.js';
import { nodeStatusCommand } from './status.js';
import { nodeUnsetCommand } from './unset.js';

export function nodeCommand(ctx: () => Ctx): Command {
  const node = new Command('node').alias('nodes').summary('Node management');
  for (const make of [nodeAddCommand, nodeSetCommand, nodeUnsetCommand, nodeDeleteCommand, nodeListCommand, nodeEditCommand, nodeExportCommand, nodeImportCommand, nodeConsoleCommand, nodeSensorsCommand, nodeStatusCommand]) {
    node.addCommand(make(ctx));
  }
  return node;
}
