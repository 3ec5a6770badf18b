/** A throwaway WAREWULF_ROOT per test and ways to run wwctl in it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { runWwctl } from '../src/main.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHARED = resolve(REPO, '..', 'shared');
export const WWCTL_BIN = join(REPO, 'packages', 'wwctl', 'bin', 'wwctl.js');

export interface TestRoot {
  root: string;
  nodesConf: string;
  env: NodeJS.ProcessEnv;
  readNodesConf(): string;
  writeNodesConf(text: string): void;
}

export function makeRoot(nodesConf?: string): TestRoot {
  const root = mkdtempSync(join(tmpdir(), 'wwctl-test-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const conf = join(root, 'etc', 'warewulf', 'nodes.conf');
  mkdirSync(dirname(conf), { recursive: true });
  if (nodesConf !== undefined) writeFileSync(conf, nodesConf, { mode: 0o600 });
  return {
    root,
    nodesConf: conf,
    env: { PATH: process.env.PATH, WAREWULF_ROOT: root, TZ: 'UTC' },
    readNodesConf: () => readFileSync(conf, 'utf8'),
    writeNodesConf: (text) => writeFileSync(conf, text, { mode: 0o600 }),
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** wwctl in this process: fast, for most tests. */
export async function wwctl(t: TestRoot, ...args: string[]): Promise<RunResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await runWwctl(args, { out, err, env: t.env, stdin });
  return { code, stdout, stderr };
}

/** The real binary in a child process (needs the build that `npm test` runs first). */
export function wwctlProcess(t: TestRoot, args: string[]): { done: Promise<RunResult>; pid: number | undefined; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [WWCTL_BIN, ...args], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<RunResult>((res) => child.on('close', (code, signal) => res({ code: code ?? (signal ? 128 : -1), stdout, stderr })));
  return { done, pid: child.pid, kill: (sig) => child.kill(sig) };
}
