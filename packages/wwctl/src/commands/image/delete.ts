/** `wwctl image delete IMAGE...` (aliases rm, remove, del; §1.5). */
import { Command } from 'commander';
import { WwError } from '@warewulf/core';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';

export function imageDeleteCommand(ctx: () => Ctx): Command {
  return new Command('delete')
    .aliases(['rm', 'remove', 'del'])
    .summary('Delete images')
    .argument('<image...>', 'image names')
    .option('-y, --yes', 'delete without asking')
    .option('-f, --force', 'delete even when nodes or profiles use the image')
    .action(async (names: string[], opts: { yes?: boolean; force?: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      for (const n of names) await (await imageMod()).requireImage(paths, n);
      const users = await (await imageMod()).imageUsers(paths, c.log);
      for (const n of names) {
        const refs = users.references.get(n) ?? [];
        if (refs.length === 0) continue;
        if (!opts.force) {
          throw new WwError('WW_ERR_IMAGE_IN_USE', `image ${n} is in use by ${refs[0]!.kind} ${refs[0]!.id}, cannot delete`, {
            hint: refs.length > 1 ? `also used by ${refs.slice(1).map((r) => `${r.kind} ${r.id}`).join(', ')}; --force deletes anyway` : '--force deletes anyway',
          });
        }
        c.log.warn(`image ${n} is in use by ${refs.map((r) => `${r.kind} ${r.id}`).join(', ')}; deleting anyway (--force)`);
      }
      if (!opts.yes && !(await c.confirm(`Are you sure you want to delete image [${names.join(' ')}]`))) {
        c.out.write('No changes made!\n');
        return;
      }
      for (const n of names) {
        await (await imageMod()).deleteImage(paths, n);
        c.log.info(`Image has been deleted: ${n}`);
      }
    });
}
