/**
 * `wwctl configure` (§1.9): `--all` runs every step in upstream's order
 * (conf, tls, warewulfd, tftp, dhcp, nfs, ssh, hostfile); without it (and
 * without a subcommand) it prints its help.
 */
import { Command, Option } from 'commander';
import type { Ctx } from '../../context.js';
import { configureDhcpCommand } from './dhcp.js';
import { configureHostfileCommand } from './hostfile.js';
import { configureNfsCommand } from './nfs.js';
import { configureSshCommand } from './ssh.js';
import { runConfigure, withDryRun, type DryRunFlag } from './support.js';
import { configureTftpCommand } from './tftp.js';
import { configureTlsCommand } from './tls.js';
import { configureWarewulfdCommand } from './warewulfd.js';

export function configureCommand(ctx: () => Ctx): Command {
  const configure = withDryRun(new Command('configure').summary('Configure the head node\'s services (DHCP, TFTP, NFS, SSH, /etc/hosts)'))
    .addOption(new Option('-a, --all', 'configure everything warewulf.conf enables'))
    .action(async (opts: DryRunFlag & { all?: boolean }, cmd: Command) => {
      if (!opts.all) {
        cmd.outputHelp();
        return;
      }
      const c = ctx();
      const { conf } = await c.load();
      const steps = ['conf', 'warewulfd', 'tftp', 'dhcp', 'nfs', 'ssh', 'hostfile'] as const;
      await runConfigure(c, conf.warewulf.tls ? ['tls', ...steps] : steps, opts.dryRun === true);
    });
  for (const make of [configureDhcpCommand, configureTftpCommand, configureNfsCommand, configureSshCommand, configureHostfileCommand, configureWarewulfdCommand, configureTlsCommand]) {
    configure.addCommand(make(ctx));
  }
  return configure;
}
