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
        // the entries that still name a deleted profile: they read on without it, which the admin should know
        for (const p of found) {
          const users = [...Object.entries(doc.nodes), ...Object.entries(doc.profiles)]
            .filter(([id, e]) => id !== p && Array.isArray(e?.profiles) && e.profiles.some((x) => String(x) === p))
            .map(([id]) => id);
          if (users.length > 0) c.log.warn(`profile ${p} is still listed by ${users.length} node(s)/profile(s): ${users.slice(0, 10).join(', ')}${users.length > 10 ? ', ...' : ''}`);
        }
        deleteEntities(doc, 'profile', found);
        return { result: found, write: found.length > 0 };
      }, { cacheDir: paths.nodesCacheDir });
    });
}
