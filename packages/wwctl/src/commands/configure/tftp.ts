/** `wwctl configure tftp` (§1.9): the iPXE (or shim/GRUB) binaries in `<tftproot>/warewulf`, the TFTP service restarted and enabled. */
import { Command, Option } from 'commander';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

export function configureTftpCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('tftp').summary('Copy the boot binaries into the TFTP root and restart the TFTP server'))
    .addOption(new Option('-s, --show', 'unused, as upstream').hideHelp())
    .action(async (_opts: unknown, cmd: Command) => {
      await runConfigure(ctx(), ['tftp'], isDryRun(cmd));
    });
}
