/** The I/O side of warewulf.conf: read a file, hand the text to parse.ts. */
import { readFile } from 'node:fs/promises';
import { WwError, isErrnoCode } from '../errors.js';
import type { Logger } from '../log.js';
import { noopLogger } from '../log.js';
import { defaultWarewulfConf } from './defaults.js';
import type { Env, Paths } from './paths.js';
import { resolveConfPath, resolvePaths } from './paths.js';
import type { WarewulfConf } from './types.js';

export interface LoadWarewulfConfOptions {
  logger?: Logger;
  /** Return the built-in defaults when the file does not exist (upstream wwctl errors instead). */
  allowMissing?: boolean;
}

export async function loadWarewulfConf(file: string, opts: LoadWarewulfConfOptions = {}): Promise<WarewulfConf> {
  const logger = opts.logger ?? noopLogger;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') && opts.allowMissing) {
      logger.debug(`${file} not found; using built-in defaults`);
      return defaultWarewulfConf();
    }
    throw new WwError('WW_ERR_IO', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: isErrnoCode(err, 'ENOENT') ? 'use --warewulfconf FILE or set WAREWULFCONF' : undefined,
    });
  }
  logger.debug(`reading warewulf.conf from ${file}`);
  // loaded on demand: the schema pulls in zod, ~60 ms of start-up that a
  // relocated tree without warewulf.conf (the embedded default) never needs
  const { parseWarewulfConf } = await import('./parse.js');
  return parseWarewulfConf(text, { file, logger });
}

/** Locate, load and resolve in one go: what wwctl and warewulfd do at start-up. */
export async function loadConfigAndPaths(opts: {
  env: Env;
  confPath?: string;
  logger?: Logger;
  allowMissing?: boolean;
}): Promise<{ conf: WarewulfConf; paths: Paths }> {
  const file = resolveConfPath(opts);
  const conf = await loadWarewulfConf(file, opts);
  return { conf, paths: resolvePaths({ env: opts.env, confPath: file, conf }) };
}
