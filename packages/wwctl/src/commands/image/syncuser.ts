/** `wwctl image syncuser IMAGE` (§1.5, §6.5). */
import { Command, Option } from 'commander';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { boolValue, buildWithProgress } from './common.js';

export function imageSyncuserCommand(ctx: () => Ctx): Command {
  return new Command('syncuser')
    .summary("Synchronize the image's uids/gids with the server's")
    .argument('<image>', 'image name')
    .addOption(new Option('--write [bool]', 'write the changes (default true; --write=false only checks)').argParser(boolValue('write')).default(true))
    .addOption(new Option('--build [bool]', 'build the image afterwards').argParser(boolValue('build')).default(false))
    .action(async (name: string, opts: { write: boolean; build: boolean }) => {
      const c = ctx();
      const { paths } = await c.load();
      const r = await (await imageMod()).syncUser(paths, name, { write: opts.write, log: c.log });
      for (const u of r.uids) c.log.verbose(`user ${u.name}: uid ${u.from} -> ${u.to}`);
      for (const g of r.gids) c.log.verbose(`group ${g.name}: gid ${g.from} -> ${g.to}`);
      if (opts.write && opts.build) await buildWithProgress(c, name, true);
      else if (opts.write) c.log.info('Syncuser is completed. Rebuild image or add `--build` flag to build the image automatically.');
    });
}
