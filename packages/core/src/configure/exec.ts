/**
 * Running the few tools configure needs (systemctl, ssh-keygen, openssl):
 * no shell, output captured, a failure turned into WW_ERR_COMMAND_FAILED
 * naming the command and what it said.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { quote } from 'shell-quote';
import { WwError } from '../errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `argv` and resolve with its exit code and output (never rejects for an exit code). */
export function run(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: opts.env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new WwError('WW_ERR_COMMAND_FAILED', `cannot run ${cmd}: ${err.message}`, { cause: err }));
        return;
      }
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/** Run `argv`; throws WW_ERR_COMMAND_FAILED (with its stderr) unless it exits 0. */
export async function runChecked(argv: readonly string[]): Promise<ExecResult> {
  const r = await run(argv);
  if (r.code !== 0) {
    const said = r.stderr.trim().split('\n').slice(-3).join('; ');
    throw new WwError('WW_ERR_COMMAND_FAILED', `${showCommand(argv)} failed (exit ${r.code})${said ? `: ${said}` : ''}`);
  }
  return r;
}

/** The command as an admin would type it (shell-quoted). */
export function showCommand(argv: readonly string[]): string {
  return argv.map((a) => (a === '' ? "''" : quote([a]))).join(' ');
}

/** The first executable `name` on PATH (`env.PATH`), or undefined. */
export async function findOnPath(name: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string | undefined> {
  if (name.includes('/')) return name;
  for (const dir of (env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
