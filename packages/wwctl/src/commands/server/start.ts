/**
 * `wwctl server start [-f|--foreground]` (§1.10, 4.3): start warewulfd in
 * the background (log: /var/log/warewulfd.log, pid file in the state dir),
 * or run it in the foreground (what systemd's unit does) until it exits.
 */
import { spawn } from 'node:child_process';
import { Command, Option } from 'commander';
import { WwError, startServer } from '@warewulf/core';
import type { Ctx } from '../../context.js';
import { daemonArgs, daemonCommand, type DaemonFlags } from './daemon.js';

export function addDaemonFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--listen <addr>', 'address to listen on (default: all)'))
    .addOption(new Option('--port <port>', 'port to listen on (default: warewulf.port)'));
}

/** Run the daemon in this terminal; signals are passed on; resolves when it exits. */
export async function runForeground(c: Ctx, flags: DaemonFlags): Promise<void> {
  const [cmd, ...args] = daemonCommand(c.env);
  const child = spawn(cmd as string, [...args, ...daemonArgs(c.confPath, flags)], { stdio: 'inherit', env: { ...c.env } });
  const forward = (sig: NodeJS.Signals) => () => void child.kill(sig);
  const handlers = (['SIGHUP', 'SIGTERM', 'SIGINT'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    const code = await new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    if (code !== 0) throw new WwError('WW_ERR_SERVER', `warewulfd exited with status ${code}`);
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

export async function startBackground(c: Ctx, flags: DaemonFlags): Promise<number> {
  const { paths } = await c.load();
  return startServer(paths, { command: daemonCommand(c.env), args: daemonArgs(c.confPath, flags), env: { ...c.env } });
}

export function serverStartCommand(ctx: () => Ctx): Command {
  return addDaemonFlags(
    new Command('start')
      .summary('Start the Warewulf provisioning server')
      .option('-f, --foreground', 'run in the foreground (for systemd)'),
  ).action(async (opts: DaemonFlags & { foreground?: boolean }) => {
    const c = ctx();
    if (opts.foreground) return runForeground(c, opts);
    const pid = await startBackground(c, opts);
    c.out.write(`Warewulf server started at PID: ${pid}\n`);
  });
}
