/** `wwctl profile delete [-y] PROFILE...` (§1.4); `default` cannot be deleted. */
import { Command } from 'commander';
import { DEFAULT_PROFILE, WwError, deleteEntities, updateNodesConf } from '@warewulf/core';
import type { Ctx } from '../../context.js';

export function profileDeleteCommand(ctx: () => Ctx): Command {
  return new Command('delete')
    .aliases(['remove', 'rm', 'del'])
    .summary('Delete profile(s)')
    .argument('<profile...>', 'profile names')
    .option('-y, --yes', 'delete without asking')
    .action(async (names: string[], opts: { yes?: boolean }) => {
      const c = ctx();
      if (names.includes(DEFAULT_PROFILE)) throw new WwError('WW_ERR_PROFILE_PROTECTED', "can't delete the `default` profile");
      if (!opts.yes && !(await c.confirm(`Are you sure you want to delete ${names.length} profile(s)`))) {
        c.out.write('No changes made!\n');
        return;
      }
      const { paths } = await c.load();
      await updateNodesConf(paths.nodesConf, (doc) => {
        const found = names.filter((n) => {
          if (doc.profiles[n] !== undefined) return true;
          c.log.warn(`Profile not found: ${n}`);
          return false;
        });
        deleteEntities(doc, 'profile', found);
        return { result: found, write: found.length > 0 };
      }, { cacheDir: paths.nodesCacheDir });
    });
}
