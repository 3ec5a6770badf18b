/** `wwctl version` (alias `vers`, §1.10): `wwctl version:\t <VERSION>-<RELEASE>`. */
import { Command } from 'commander';
import { PATH_KEYS } from '@warewulf/core';
import type { Ctx } from '../../context.js';

/** The line upstream prints, for this command and the root's `--version`. */
export async function versionLine(): Promise<string> {
  const { versionString, wwVersion } = await import('@warewulf/core/admin/version');
  return `wwctl version:\t ${versionString(wwVersion())}`;
}

export function versionCommand(ctx: () => Ctx): Command {
  return new Command('version')
    .alias('vers')
    .summary('Version information')
    .option('-f, --full', 'also print the Node.js version and the paths in use')
    .action(async (opts: { full?: boolean }) => {
      const c = ctx();
      c.out.write(`${await versionLine()}\n`);
      if (!opts.full) return;
      const { paths } = await c.load();
      const rows: [string, string][] = [
        ['node version', process.version],
        ['warewulf.conf', paths.warewulfConf],
        ['nodes.conf', paths.nodesConf],
        ...PATH_KEYS.map((k): [string, string] => [k, paths[k]]),
      ];
      for (const [k, v] of rows) c.out.write(`${k}:\t ${v}\n`);
    });
}
