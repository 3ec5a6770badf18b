/**
 * Long-running child processes for system tests (servers, dnsmasq, qemu):
 * each in its own process group, so one kill ends it and everything it
 * started; output kept and searchable while it runs; every group still alive
 * is killed when the test process exits, even after a failed test.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Label used in error messages. */
  name?: string;
  /** Called with each chunk of stdout+stderr as it arrives. */
  onOutput?: (chunk: string) => void;
}

export interface ProcExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const live = new Set<Proc>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.killNow('SIGKILL');
  });
}

export class Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr interleaved as they arrived. */
  output = '';
  /** Resolves when the process has exited and its pipes are drained ('close', not 'exit': pitfall 12). */
  readonly done: Promise<ProcExit>;
  private waiters: Array<() => void> = [];
  private exited = false;

  constructor(cmd: string, args: readonly string[], opts: ProcOptions = {}) {
    this.name = opts.name ?? cmd;
    installExitHook();
    this.child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const onData = (d: Buffer): void => {
      const s = d.toString('utf8');
      this.output += s;
      opts.onOutput?.(s);
      for (const w of this.waiters) w();
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    live.add(this);
    this.done = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.output += `\n[spawn error: ${err.message}]\n`;
      });
      this.child.on('close', (code, signal) => {
        this.exited = true;
        live.delete(this);
        for (const w of this.waiters) w();
        resolve({ code, signal, output: this.output });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /**
   * Wait until the output matches `pattern` (from `from`, a character offset); resolves the match.
   * Rejects after `timeoutMs`, or when the process ends first, with the output's tail.
   */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = pattern.exec(this.output.slice(from));
        if (m) {
          finish();
          resolve(m);
          return true;
        }
        if (this.exited) {
          finish();
          reject(new Error(`${this.name} ended before printing ${pattern}:\n${this.tail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const waiter = (): void => void check();
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
      check();
    });
  }

  /** The last `chars` characters of the output. */
  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }

  /** Signal the whole process group at once (no wait). */
  killNow(signal: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      /* already gone */
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when it has exited. */
  async stop(graceMs = 3000): Promise<ProcExit> {
    this.killNow('SIGTERM');
    const timer = setTimeout(() => this.killNow('SIGKILL'), graceMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }
}
