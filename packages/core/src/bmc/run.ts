/**
 * Running BMC commands: across nodes with a concurrency bound (`--fanout`,
 * §1.8), each with a timeout, each with a typed result. Nodes without a BMC
 * address are skipped and reported as such (upstream's `No IPMI IP address`),
 * never run with an empty `-H`. Children get the caller's environment plus
 * the password variables of their invocation; their output is scrubbed of
 * the password before it is returned, should a tool ever echo it.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import type { Env } from '../config/paths.js';
import { WwError, isWwError } from '../errors.js';
import type { BmcCmd } from './commands.js';
import { PASSWORD_MASK, type BmcInvocation, type BmcTemplates } from './template.js';
import type { BmcTarget } from './targets.js';

export const DEFAULT_FANOUT = 50;
export const DEFAULT_BMC_TIMEOUT_MS = 60_000;
export const NO_BMC_ADDRESS = 'No IPMI IP address';
/** Output kept per stream; BMC answers are a few lines, a runaway tool is cut. */
const MAX_OUTPUT = 1 << 20;
/** After SIGTERM on timeout, how long before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/** What happened on one node. */
export interface BmcResult {
  readonly node: string;
  /** The node's ipmi ipaddr ('' when unset). */
  readonly ipaddr: string;
  readonly cmd: BmcCmd;
  /**
   * `ok`: the command exited 0 (with `show`: it rendered); `failed`: the
   * template, the start, the exit status or the timeout failed; `skipped`:
   * no BMC address.
   */
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly ok: boolean;
  /** Trimmed standard output (with `show`: the masked command line). */
  readonly output: string;
  /** Why it failed or was skipped: the tool's trimmed standard error, or our own message. */
  readonly error?: string;
  /** The command line, password masked; absent when it could not be rendered. */
  readonly command?: string;
}

export interface BmcRunOptions {
  templates: BmcTemplates;
  /** Environment of the children (the caller's, e.g. wwctl's); the password variables are added per node. */
  env: Env;
  /** At most this many commands at once (default 50, as upstream). */
  fanout?: number;
  /** Per node, in milliseconds (default 60 s); the child is killed when it is over. */
  timeoutMs?: number;
  /** Render only: results carry the masked command line, nothing runs (`--show`). */
  show?: boolean;
  /** Called as each node finishes, in completion order. */
  onResult?: (r: BmcResult) => void;
}

/** True when the node has a BMC address to talk to. */
export function hasBmcAddress(target: BmcTarget): boolean {
  return target.ipmi.Ipaddr.trim() !== '';
}

/**
 * Run `cmd` on every target's BMC, at most `fanout` at a time. Resolves with
 * one result per target in the targets' order; never rejects for a node's
 * failure (see BmcResult.status). Throws WW_ERR_USAGE for a fanout below 1.
 */
export async function runBmcBatch(targets: readonly BmcTarget[], cmd: BmcCmd, opts: BmcRunOptions): Promise<BmcResult[]> {
  const fanout = opts.fanout ?? DEFAULT_FANOUT;
  if (!Number.isInteger(fanout) || fanout < 1) throw new WwError('WW_ERR_USAGE', `fanout must be a positive integer, got ${fanout}`);
  const results: BmcResult[] = new Array<BmcResult>(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const k = next++;
      const r = await runOne(targets[k] as BmcTarget, cmd, opts);
      results[k] = r;
      opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(fanout, targets.length) }, worker));
  return results;
}

async function runOne(target: BmcTarget, cmd: BmcCmd, opts: BmcRunOptions): Promise<BmcResult> {
  const base = { node: target.node, ipaddr: target.ipmi.Ipaddr, cmd };
  if (!hasBmcAddress(target)) return { ...base, status: 'skipped', ok: false, output: '', error: NO_BMC_ADDRESS };
  let inv: BmcInvocation;
  try {
    inv = await opts.templates.invocation(target, cmd);
  } catch (err) {
    if (!isWwError(err)) throw err;
    return { ...base, status: 'failed', ok: false, output: '', error: err.message };
  }
  if (opts.show) return { ...base, status: 'ok', ok: true, output: inv.display, command: inv.display };
  const run = await runInvocation(inv, { env: opts.env, timeoutMs: opts.timeoutMs ?? DEFAULT_BMC_TIMEOUT_MS });
  const scrub = scrubber(target.ipmi.Password);
  const output = scrub(run.stdout.trim());
  if (run.error === undefined && run.code === 0) return { ...base, status: 'ok', ok: true, output: output || scrub(run.stderr.trim()), command: inv.display };
  const error = scrub(run.error ?? (run.stderr.trim() || run.stdout.trim() || `exit status ${run.code}`));
  return { ...base, status: 'failed', ok: false, output, error, command: inv.display };
}

interface RunOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not start or was killed for its timeout. */
  error?: string;
}

/** Run one invocation without a shell, capturing its output, killing it after `timeoutMs`. */
function runInvocation(inv: BmcInvocation, o: { env: Env; timeoutMs: number }): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const [program, ...args] = inv.argv as [string, ...string[]];
    const child = spawn(program, args, { env: { ...o.env, ...inv.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    const collect = (key: 'stdout' | 'stderr') => (d: Buffer) => {
      if (out[key].length < MAX_OUTPUT) out[key] += d.toString();
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    let error: string | undefined;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      error = `timed out after ${o.timeoutMs / 1000} s`;
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    }, o.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code === 'ENOENT' ? `${program}: command not found` : `${program}: ${err.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      resolve({ code, ...out, ...(error !== undefined ? { error } : {}) });
    });
  });
}

/** Masks the password in text a tool returned (short passwords are left alone: they would mask ordinary words). */
function scrubber(password: string): (s: string) => string {
  return password.length < 4 ? (s) => s : (s) => s.split(password).join(PASSWORD_MASK);
}

export interface BmcConsoleOptions {
  templates: BmcTemplates;
  env: Env;
  /** The console's standard streams (default: inherited, interactive). */
  stdio?: StdioOptions;
}

/**
 * Attach to a node's console (`.Cmd` = `Console`, e.g. `ipmitool ... sol
 * activate`), interactively: resolves with the tool's exit code when the
 * session ends. Throws WW_ERR_BMC_FAILED for a node without a BMC address or
 * a tool that cannot start, WW_ERR_BMC_TEMPLATE for the template's errors.
 */
export async function bmcConsole(target: BmcTarget, opts: BmcConsoleOptions): Promise<number> {
  if (!hasBmcAddress(target)) throw new WwError('WW_ERR_BMC_FAILED', `${target.node}: ${NO_BMC_ADDRESS}`);
  const inv = await opts.templates.invocation(target, 'Console');
  const [program, ...args] = inv.argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: { ...opts.env, ...inv.env }, stdio: opts.stdio ?? 'inherit' });
    child.on('error', (err) => reject(new WwError('WW_ERR_BMC_FAILED', `${target.node}: ${program}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
