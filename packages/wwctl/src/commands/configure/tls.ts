/**
 * `wwctl configure tls [--import DIR | --export DIR | -f]` (aliases keys,
 * key, cert, crt; §1.9): warewulfd's key and self-signed certificate,
 * generated when missing, imported or exported; their details printed.
 */
import { Command, Option } from 'commander';
import { WwError } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

export function configureTlsCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('tls').aliases(['keys', 'key', 'cert', 'crt']).summary('Create, import or export the TLS key and certificate of warewulfd'))
    .addOption(new Option('--import <dir>', 'copy warewulf.key and warewulf.crt from DIR').conflicts('export'))
    .addOption(new Option('--export <dir>', 'copy warewulf.key and warewulf.crt to DIR'))
    .option('-f, --force', 'regenerate the key and certificate')
    .action(async (opts: { import?: string; export?: string; force?: boolean }, cmd: Command) => {
      const c = ctx();
      if (opts.force && (opts.import !== undefined || opts.export !== undefined)) throw new WwError('WW_ERR_USAGE', '--force cannot be combined with --import or --export');
      const dry = isDryRun(cmd);
      const tls = { ...(opts.import !== undefined ? { importDir: opts.import } : {}), ...(opts.export !== undefined ? { exportDir: opts.export } : {}), force: opts.force === true };
      await runConfigure(c, ['tls'], dry, { tls });
      const { conf, paths } = await c.load();
      if (dry || (!conf.warewulf.tls && opts.import === undefined)) return;
      const { certificateDetails } = await import('@warewulf/core/configure');
      for (const line of await certificateDetails(paths.tlsDir)) c.out.write(`${line}\n`);
    });
}
