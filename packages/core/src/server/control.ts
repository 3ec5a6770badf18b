/**
 * Controlling a warewulfd process (§1.10, §0.6): where its pid file and log
 * live, starting it in the background (4.3's `server start`), stopping,
 * reloading (SIGHUP) and asking whether it runs. The caller names the
 * daemon's executable; core neither prints nor exits.
 *
 * The pid file is `<localstatedir>/../run/warewulfd.pid` (/var/run, as 4.3,
 * so a reboot clears it) and the log of a background daemon
 * `<localstatedir>/../log/warewulfd.log` (/var/log in the RPM layout), both
 * under WAREWULF_ROOT when relocated. A pid in the file counts only while
 * that process is a warewulfd (its command line says so): after a reboot or
 * a crash the number may belong to any other process, which must never be
 * signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import { pidAlive } from '../fs/lock.js';
import type { Paths } from '../config/paths.js';

export function serverPidFile(paths: Pick<Paths, 'localstatedir'>): string {
  return posix.join(posix.dirname(paths.localstatedir), 'run', 'warewulfd.pid');
}

/**
 * Whether a live process is a warewulfd: its command line names the daemon
 * (`warewulfd`) or wwctl's foreground server (`wwctl ... server`). Where
 * /proc cannot be read, being alive is all there is to go on.
 */
export function isServerProcess(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    // no procfs at all: trust the pid; procfs without the entry: the process just went
    return !existsSync('/proc/self/cmdline');
  }
  return argv.some((a) => /warewulfd/.test(a)) || (argv.some((a) => /wwctl/.test(a)) && argv.includes('server'));
}

export function serverLogFile(paths: Pick<Paths, 'localstatedir'>): string {
  return posix.join(posix.dirname(paths.localstatedir), 'log', 'warewulfd.log');
}

/**
 * The pid of a running daemon from the pid file; undefined when there is
 * none (a stale file, or a pid now held by another program, is ignored).
 */
export async function runningServerPid(paths: Pick<Paths, 'localstatedir'>): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(serverPidFile(paths), 'utf8');
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw new WwError('WW_ERR_IO', `cannot read ${serverPidFile(paths)}: ${(err as Error).message}`, { cause: err });
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 && isServerProcess(pid) ? pid : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartServerOptions {
  /** The command that runs the daemon in the foreground, e.g. [node, warewulfd.js]. */
  command: readonly string[];
  /** Extra daemon arguments (`--warewulfconf`, `--listen`, `--port`). */
  args?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** How long to wait for the pid file (ms, default 15000). */
  timeoutMs?: number;
}

/**
 * Start the daemon detached, its output appended to the log file, and wait
 * until it has written its pid file (it does so once listening). Throws
 * WW_ERR_SERVER when one is already running, or when it exits or does not
 * come up in time (with the end of its log).
 */
export async function startServer(paths: Pick<Paths, 'localstatedir'>, o: StartServerOptions): Promise<number> {
  const running = await runningServerPid(paths);
  if (running !== undefined) throw new WwError('WW_ERR_SERVER', `Warewulf server is already running at PID: ${running}`);
  const pidFile = serverPidFile(paths);
  await rm(pidFile, { force: true });
  const logFile = serverLogFile(paths);
  mkdirSync(posix.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a', 0o640);
  const [cmd, ...cmdArgs] = o.command;
  if (cmd === undefined) throw new Error('startServer: empty command');
  const child = spawn(cmd, [...cmdArgs, '--pidfile', pidFile, ...(o.args ?? [])], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...o.env, WAREWULFD_BACKGROUND: '1' },
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const pid = await runningServerPid(paths);
    if (pid !== undefined) return pid;
    if (exited !== undefined) break;
    await sleep(50);
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  if (exited === undefined) child.kill('SIGTERM');
  throw new WwError('WW_ERR_SERVER', `warewulfd did not start${exited !== undefined ? ` (exit ${exited})` : ' in time'}; the end of ${logFile}:\n${tail}`);
}

/**
 * SIGTERM the running daemon and wait for it to go (downloads in flight
 * finish first); SIGKILL after `timeoutMs` (default 30000). Returns the pid
 * stopped, or undefined when none was running.
 */
export async function stopServer(paths: Pick<Paths, 'localstatedir'>, timeoutMs = 30_000): Promise<number | undefined> {
  const pid = await runningServerPid(paths);
  if (pid === undefined) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  await rm(serverPidFile(paths), { force: true });
  return pid;
}

/** SIGHUP the running daemon (§0.6); WW_ERR_SERVER when none runs. */
export async function reloadServer(paths: Pick<Paths, 'localstatedir'>): Promise<number> {
  const pid = await runningServerPid(paths);
  if (pid === undefined) throw new WwError('WW_ERR_SERVER', 'Warewulf server is not running');
  process.kill(pid, 'SIGHUP');
  return pid;
}
