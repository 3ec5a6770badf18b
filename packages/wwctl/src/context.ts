/**
 * What every command gets: where things are, the config, a logger, the
 * output streams and a way to ask the admin. Built once in main, passed down;
 * nothing here is global, so tests build their own.
 */
import { createInterface } from 'node:readline/promises';
import { loadConfigAndPaths, type DetectedNetwork, type Env, type Logger, type Paths, type WarewulfConf } from '@warewulf/core';
import type { Writer } from './wwlog.js';

export interface Ctx {
  env: Env;
  out: Writer;
  err: Writer;
  log: Logger;
  /** `--warewulfconf`, when given (passed on to warewulfd). */
  confPath: string | undefined;
  /**
   * Loads warewulf.conf (an empty server address detected from the host, §3.3)
   * and resolves paths on first use (most commands need both, list needs only paths).
   * `detected`: the values that came from the host, not the file.
   */
  load(): Promise<{ conf: WarewulfConf; paths: Paths; detected: DetectedNetwork }>;
  /** y/N question; false without a terminal (§0.5). */
  confirm(question: string): Promise<boolean>;
  /** Standard input (process.stdin in the CLI, a stream in tests): what `image exec` passes to its command. */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface CtxOptions {
  env: Env;
  out: Writer;
  err: Writer;
  log: Logger;
  confPath?: string;
  emptyConf?: boolean;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function createCtx(o: CtxOptions): Ctx {
  let loaded: Promise<{ conf: WarewulfConf; paths: Paths; detected: DetectedNetwork }> | undefined;
  return {
    env: o.env,
    out: o.out,
    err: o.err,
    log: o.log,
    confPath: o.confPath,
    // a getter: process.stdin is only made (a handle on fd 0) when a command wants it
    get stdin() {
      return o.stdin ?? process.stdin;
    },
    load() {
      loaded ??= loadConfigAndPaths({
        env: o.env,
        ...(o.confPath !== undefined ? { confPath: o.confPath } : {}),
        logger: o.log,
        // an embedded default: a relocated tree without warewulf.conf runs on built-in defaults
        allowMissing: o.emptyConf === true || o.env.WAREWULF_ROOT !== undefined,
      });
      return loaded;
    },
    async confirm(question) {
      const stdin = o.stdin ?? process.stdin;
      if (!(stdin as { isTTY?: boolean }).isTTY) {
        o.err.write(`${question} [y/N] (no terminal: answering no; use --yes)\n`);
        return false;
      }
      const rl = createInterface({ input: stdin, output: o.err as NodeJS.WritableStream });
      try {
        const a = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
        return a === 'y' || a === 'yes';
      } finally {
        rl.close();
      }
    },
  };
}
