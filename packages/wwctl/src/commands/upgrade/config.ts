/** `wwctl upgrade config [-i PATH] [-o PATH]` (§1.10, §3.4). */
import { Command } from 'commander';
import { resolveConfPath } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { reportUpgrade } from './report.js';

export function upgradeConfigCommand(ctx: () => Ctx): Command {
  return new Command('config')
    .summary('Upgrade an existing warewulf.conf')
    .option('-i, --input-path <path>', 'the warewulf.conf to read (default: the one in use)')
    .option('-o, --output-path <path>', 'where to write ("-": standard output; default: the input, old copy kept as <file>-old)')
    .action(async (opts: { inputPath?: string; outputPath?: string }) => {
      const c = ctx();
      // not c.load(): the file being upgraded may not parse as today's
      const input = opts.inputPath ?? resolveConfPath({ env: c.env, ...(c.confPath !== undefined ? { confPath: c.confPath } : {}) });
      const { upgradeConfigFile } = await import('@warewulf/core/admin');
      reportUpgrade(c, await upgradeConfigFile(input, opts.outputPath ?? input, c.log));
    });
}
