/**
 * `warewulfd [--warewulfconf FILE] [--listen ADDR] [--port N] [--pidfile FILE] [--no-watch]`:
 * the daemon in the foreground (what `wwctl server start` runs, and what
 * systemd runs through it). SIGHUP reloads; SIGTERM/SIGINT stop gracefully.
 * Errors at start-up print `ERROR: message` and exit 255, as wwctl does.
 */
import { parseArgs } from 'node:util';
import { isWwError } from '@warewulf/core';
import { createLogger, levelName } from './log.js';
import { startDaemon } from './main.js';

const USAGE = 'usage: warewulfd [--warewulfconf FILE] [--listen ADDR] [--port N] [--pidfile FILE] [--loglevel N] [--no-watch]\n';

function portArg(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}: not a port number: ${JSON.stringify(v)}`);
  return n;
}

/** Parse the daemon's arguments, start it, and install the SIGHUP/SIGTERM/SIGINT handlers. Throws WwError at start-up. */
export async function runDaemonCli(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      warewulfconf: { type: 'string' },
      listen: { type: 'string' },
      port: { type: 'string' },
      'tls-port': { type: 'string' },
      pidfile: { type: 'string' },
      loglevel: { type: 'string' },
      'no-watch': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const levelText = values.loglevel ?? env['WAREWULFD_LOGLEVEL'];
  const log = createLogger({ level: levelText ? levelName(Number(levelText)) : 'info' });
  const port = portArg(values.port, '--port');
  const tlsPort = portArg(values['tls-port'], '--tls-port');
  const d = await startDaemon({
    env,
    log,
    autobuild: true,
    ...(values.warewulfconf !== undefined ? { confPath: values.warewulfconf } : {}),
    ...(values.listen !== undefined ? { host: values.listen } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    ...(values.pidfile !== undefined ? { pidFile: values.pidfile } : {}),
    ...(values['no-watch'] ? { watch: false } : {}),
  });
  process.on('SIGHUP', () => void d.reload());
  let stopping = false;
  const stop = (sig: string) => {
    // a second signal (systemd and a forwarding wwctl both send one) must not kill downloads in flight
    if (stopping) return;
    stopping = true;
    log.info(`${sig}: stopping (waiting for downloads in flight)`);
    d.close().then(
      () => log.flush(() => process.exit(0)),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const isMain = process.argv[1] !== undefined && /warewulfd(\.js)?$|cli\.js$/.test(process.argv[1]);
if (isMain) {
  runDaemonCli(process.argv.slice(2), process.env).catch((err: unknown) => {
    process.stderr.write(`ERROR: ${isWwError(err) || err instanceof Error ? err.message : String(err)}\n`);
    process.exit(255);
  });
}
