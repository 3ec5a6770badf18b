/** `wwctl server` (§1.10): alone, the daemon in the foreground (HEAD); the verbs are 4.3's. */
import { Command } from 'commander';
import type { Ctx } from '../../context.js';
import { serverReloadCommand } from './reload.js';
import { serverRestartCommand } from './restart.js';
import { addDaemonFlags, runForeground, serverStartCommand } from './start.js';
import { serverStatusCommand } from './status.js';
import { serverStopCommand } from './stop.js';

export function serverCommand(ctx: () => Ctx): Command {
  const server = new Command('server').summary('Warewulf provisioning server');
  server.addCommand(
    addDaemonFlags(new Command('run').summary('Run the server in the foreground')).action(async (opts: { listen?: string; port?: string }) => runForeground(ctx(), opts)),
    { isDefault: true, hidden: true },
  );
  for (const make of [serverStartCommand, serverStopCommand, serverStatusCommand, serverRestartCommand, serverReloadCommand]) {
    server.addCommand(make(ctx));
  }
  return server;
}
