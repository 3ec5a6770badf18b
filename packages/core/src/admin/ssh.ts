/**
 * `wwctl ssh` (§1.10): run a command on nodes through a remote shell, at the
 * address of each node's primary network. The remote shell is spawned
 * directly with an argument vector (`<rsh> <ip> COMMAND...`), never through
 * a local shell, so no word of the command is interpreted here.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeDb } from '../node/nodedb.js';

export interface SshTarget {
  readonly node: string;
  /** IPv4 address of the node's primary network. */
  readonly ip: string;
}

export interface SshTargets {
  readonly targets: readonly SshTarget[];
  /** Nodes without an address, with upstream's message (`<node>: IP address not configured`). */
  readonly problems: readonly { readonly node: string; readonly message: string }[];
}

/**
 * The address of each node in `ids` (existing nodes, in order): the
 * primary network's `ipaddr` (§1.10). A node without a primary network
 * device, or whose primary device has no address, becomes a problem
 * instead: `<node>: Primary network device doesn't exist` or
 * `<node>: IP address not configured`.
 */
export function sshTargets(db: NodeDb, ids: readonly string[]): SshTargets {
  const targets: SshTarget[] = [];
  const problems: { node: string; message: string }[] = [];
  for (const node of db.stream(ids)) {
    const net = node.primaryNetDev;
    if (net === undefined) {
      problems.push({ node: node.id, message: `${node.id}: Primary network device doesn't exist` });
      continue;
    }
    const ip = node.fields.get(`NetDevs[${net}].Ipaddr`)?.value;
    if (typeof ip !== 'string' || ip === '') {
      problems.push({ node: node.id, message: `${node.id}: IP address not configured` });
      continue;
    }
    targets.push({ node: node.id, ip });
  }
  return { targets, problems };
}

/** The argument vector run for one node: `[rsh, ip, ...command]`. */
export function sshArgv(rsh: string, target: SshTarget, command: readonly string[]): string[] {
  return [rsh, target.ip, ...command];
}

export interface SshRunOptions {
  /** The remote shell program (upstream's default: /usr/bin/ssh); run as is, not split into words. */
  readonly rsh: string;
  readonly command: readonly string[];
  /** How many nodes run at once (≥ 1; upstream's default 32). */
  readonly fanout: number;
  /** Seconds to wait after starting one node before starting the next (upstream's `--sleep`). */
  readonly sleepSeconds: number;
  /** Each complete line (without its newline) a node's remote shell writes, as it comes. */
  readonly onLine: (node: string, stream: 'stdout' | 'stderr', line: string) => void;
  /** The remote shell's environment (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

export interface SshOutcome {
  readonly node: string;
  /** Exit status; null when the process was killed or never started. */
  readonly code: number | null;
  /** Why it did not run or was killed (`spawn /x ENOENT`, `killed by SIGTERM`). */
  readonly error?: string;
}

/** Split a byte stream into lines; a last line without newline is flushed at the end. */
function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  const decoder = new StringDecoder('utf8'); // a character split across chunks stays whole
  return {
    push(chunk) {
      const text = rest + decoder.write(chunk);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) emit(l.endsWith('\r') ? l.slice(0, -1) : l);
    },
    end() {
      rest += decoder.end();
      if (rest !== '') emit(rest);
      rest = '';
    },
  };
}

function runOne(t: SshTarget, o: SshRunOptions): Promise<SshOutcome> {
  const [file, ...args] = sshArgv(o.rsh, t, o.command) as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...(o.env ?? process.env) }, ...(o.signal ? { signal: o.signal } : {}) });
    const out = lineSplitter((l) => o.onLine(t.node, 'stdout', l));
    const err = lineSplitter((l) => o.onLine(t.node, 'stderr', l));
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      const error = spawnError ?? (signal !== null ? `killed by ${signal}` : undefined);
      resolve({ node: t.node, code, ...(error !== undefined ? { error } : {}) });
    });
  });
}

/**
 * Run the command on every target, at most `fanout` at once, starting them
 * in order with `sleepSeconds` between starts. Resolves when all have ended,
 * with one outcome per target in target order; never rejects for a node's
 * failure (a missing rsh is each node's `error`).
 */
export async function runSsh(targets: readonly SshTarget[], o: SshRunOptions): Promise<SshOutcome[]> {
  const fanout = Math.max(1, Math.floor(o.fanout));
  const outcomes: Promise<SshOutcome>[] = [];
  const running = new Set<Promise<SshOutcome>>();
  for (let i = 0; i < targets.length; i++) {
    while (running.size >= fanout) await Promise.race(running);
    const p = runOne(targets[i] as SshTarget, o);
    running.add(p);
    void p.then(() => running.delete(p));
    outcomes.push(p);
    if (o.sleepSeconds > 0 && i < targets.length - 1) await sleep(o.sleepSeconds * 1000);
  }
  return Promise.all(outcomes);
}
