/** `wwctl profile add PROFILE...` (§1.4). */
import { Command } from 'commander';
import { addEntities, updateNodesConf } from '@warewulf/core';
import { editsForSet } from '../../requests.js';
import type { Ctx } from '../../context.js';
import { addFieldFlags, setRequestFrom } from '../../field-flags.js';

export function profileAddCommand(ctx: () => Ctx): Command {
  const cmd = new Command('add').aliases(['new', 'create']).summary('Add new profile(s)').argument('<profile...>', 'profile names');
  addFieldFlags(cmd, 'profile', false);
  cmd.action(async (names: string[]) => {
    const c = ctx();
    const edits = editsForSet(setRequestFrom(cmd));
    const { paths } = await c.load();
    await updateNodesConf(paths.nodesConf, (doc) => {
      addEntities(doc, 'profile', names, () => edits);
      return { result: undefined, write: true };
    }, { cacheDir: paths.nodesCacheDir });
    for (const n of names) c.log.info(`Added profile: ${n}`);
  });
  return cmd;
}
