/** `wwctl configure dhcp` (§1.9): the host overlay (dhcpd.conf or dnsmasq, as warewulf.conf says), then the DHCP service restarted and enabled. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { isDryRun, runConfigure, withDryRun } from './support.js';

export function configureDhcpCommand(ctx: () => Ctx): Command {
  return withDryRun(new Command('dhcp').summary('Write the DHCP server configuration and restart it')).action(async (_opts: unknown, cmd: Command) => {
    await runConfigure(ctx(), ['dhcp'], isDryRun(cmd));
  });
}
