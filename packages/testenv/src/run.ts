/** Running wwctl (in process or as the real binary) and other commands. */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { runWwctl } from '@warewulf/wwctl';
import { WWCTL_BIN } from './paths.js';
import type { TestRoot } from './root.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** wwctl in this process: fast, for most tests. stdin is empty (no terminal). */
export async function wwctl(t: Pick<TestRoot, 'env'>, ...args: string[]): Promise<RunResult> {
  return wwctlWithInput(t, '', ...args);
}

/** wwctl in this process with `input` on its stdin (a stream, not a terminal). */
export async function wwctlWithInput(t: Pick<TestRoot, 'env'>, input: string, ...args: string[]): Promise<RunResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await runWwctl(args, { out, err, env: t.env, stdin });
  return { code, stdout, stderr };
}

/** The real binary in a child process (needs the build that `npm test` runs first). */
export function wwctlProcess(t: Pick<TestRoot, 'env'>, args: string[]): { done: Promise<RunResult>; pid: number | undefined; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [WWCTL_BIN, ...args], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<RunResult>((res) => child.on('close', (code, signal) => res({ code: code ?? (signal ? 128 : -1), stdout, stderr })));
  return { done, pid: child.pid, kill: (sig) => child.kill(sig) };
}

/** Run a command with optional stdin bytes; resolves stdout/stderr/code (never rejects on an exit code). */
export function runCmd(
  cmd: string,
  args: readonly string[],
  opts: { input?: Buffer | string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: err, code }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}
