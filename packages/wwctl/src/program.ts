/**
 * The command tree. Global flags as upstream's root command (§1.1); each
 * leaf lives in commands/<noun>/<verb>.ts and gets the context through a
 * getter, because the context depends on the global flags parsed first.
 */
import { Command, Option } from 'commander';
import type { Ctx } from './context.js';
import { nodeAddCommand } from './commands/node/add.js';
import { nodeConsoleCommand } from './commands/node/console.js';
import { nodeDeleteCommand } from './commands/node/delete.js';
import { nodeEditCommand } from './commands/node/edit.js';
import { nodeExportCommand } from './commands/node/export.js';
import { nodeImportCommand } from './commands/node/import.js';
import { nodeListCommand } from './commands/node/list.js';
import { nodeSensorsCommand } from './commands/node/sensors.js';
import { nodeSetCommand } from './commands/node/set.js';
import { nodeStatusCommand } from './commands/node/status.js';
import { nodeUnsetCommand } from './commands/node/unset.js';
import { overlayBuildCommand } from './commands/overlay/build.js';
import { overlayChmodCommand } from './commands/overlay/chmod.js';
import { overlayChownCommand } from './commands/overlay/chown.js';
import { overlayCreateCommand } from './commands/overlay/create.js';
import { overlayDeleteCommand } from './commands/overlay/delete.js';
import { overlayDiffCommand } from './commands/overlay/diff.js';
import { overlayEditCommand } from './commands/overlay/edit.js';
import { overlayImportCommand } from './commands/overlay/import.js';
import { overlayInfoCommand } from './commands/overlay/info.js';
import { overlayListCommand } from './commands/overlay/list.js';
import { overlayMkdirCommand } from './commands/overlay/mkdir.js';
import { overlayShowCommand } from './commands/overlay/show.js';
import { powerCommand } from './commands/power/power.js';
import { profileAddCommand } from './commands/profile/add.js';
import { profileDeleteCommand } from './commands/profile/delete.js';
import { profileEditCommand } from './commands/profile/edit.js';
import { profileListCommand } from './commands/profile/list.js';
import { profileSetCommand } from './commands/profile/set.js';
import { profileUnsetCommand } from './commands/profile/unset.js';
import { imageCommand, kernelCommand } from './commands/image/index.js';
import { configureCommand } from './commands/configure/index.js';
import { serverReloadCommand } from './commands/server/reload.js';
import { serverRestartCommand } from './commands/server/restart.js';
import { addDaemonFlags, runForeground, serverStartCommand } from './commands/server/start.js';
import { serverStatusCommand } from './commands/server/status.js';
import { serverStopCommand } from './commands/server/stop.js';

export interface GlobalOpts {
  verbose?: boolean;
  debug?: boolean;
  loglevel?: string;
  warewulfconf?: string;
  emptyconf?: boolean;
}

export function buildProgram(ctx: () => Ctx): Command {
  const program = new Command('wwctl')
    .description('Control interface to the cluster: nodes, profiles, images, overlays')
    .option('-v, --verbose', 'run with increased verbosity')
    .option('-d, --debug', 'run with debugging messages and stack traces')
    .addOption(new Option('--loglevel <level>', 'numeric log level').hideHelp())
    .option('--warewulfconf <file>', 'use an alternate warewulf.conf (also $WAREWULFCONF)')
    .addOption(new Option('--emptyconf', 'do not read warewulf.conf').hideHelp())
    .showSuggestionAfterError(true);

  const node = new Command('node').alias('nodes').summary('Node management');
  for (const make of [nodeAddCommand, nodeSetCommand, nodeUnsetCommand, nodeDeleteCommand, nodeListCommand, nodeEditCommand, nodeExportCommand, nodeImportCommand, nodeConsoleCommand, nodeSensorsCommand, nodeStatusCommand]) {
    node.addCommand(make(ctx));
  }
  const profile = new Command('profile').summary('Node profile management');
  for (const make of [profileAddCommand, profileSetCommand, profileUnsetCommand, profileDeleteCommand, profileListCommand, profileEditCommand]) {
    profile.addCommand(make(ctx));
  }
  // `wwctl server` alone runs the daemon in the foreground (HEAD, §1.10); the verbs are 4.3's
  const server = new Command('server').summary('Warewulf provisioning server');
  server.addCommand(
    addDaemonFlags(new Command('run').summary('Run the server in the foreground')).action(async (opts: { listen?: string; port?: string }) => runForeground(ctx(), opts)),
    { isDefault: true, hidden: true },
  );
  for (const make of [serverStartCommand, serverStopCommand, serverStatusCommand, serverRestartCommand, serverReloadCommand]) {
    server.addCommand(make(ctx));
  }
  const overlay = new Command('overlay').summary('Overlay management');
  for (const make of [
    overlayListCommand, overlayShowCommand, overlayBuildCommand, overlayCreateCommand, overlayDeleteCommand, overlayEditCommand,
    overlayImportCommand, overlayMkdirCommand, overlayChmodCommand, overlayChownCommand, overlayInfoCommand, overlayDiffCommand,
  ]) {
    overlay.addCommand(make(ctx));
  }
  program.addCommand(node);
  program.addCommand(profile);
  program.addCommand(overlay);
  program.addCommand(imageCommand(ctx));
  program.addCommand(kernelCommand(ctx));
  program.addCommand(powerCommand(ctx));
  program.addCommand(configureCommand(ctx));
  program.addCommand(server);
  return program;
}

/** Apply `exitOverride` and quiet error output on every command (commander sets them per command). */
export function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}
