/** The I/O side of warewulf.conf: read a file, hand the text to parse.ts, fill in the server address (§3.3). */
import { readFile } from 'node:fs/promises';
import { WwError, isErrnoCode } from '../errors.js';
import type { Logger } from '../log.js';
import { noopLogger } from '../log.js';
import { autodetectNetwork, type AutodetectOptions } from './autodetect.js';
import { defaultWarewulfConf } from './defaults.js';
import type { Env, Paths } from './paths.js';
import { resolveConfPath, resolvePaths } from './paths.js';
import type { WarewulfConf } from './types.js';

export interface LoadWarewulfConfOptions {
  logger?: Logger;
  /** Return the built-in defaults when the file does not exist (upstream wwctl errors instead). */
  allowMissing?: boolean;
  /**
   * §3.3 auto-detection of an empty ipaddr/netmask/network from the host
   * (default on, as for upstream's wwctl and warewulfd); the options inject
   * the route probe and the interface list (tests). `false` returns the file
   * as written (wwclient's view; `configure` diffs).
   */
  autodetect?: false | Omit<AutodetectOptions, 'logger'>;
}

/** The network values auto-detection filled in (absent: the file set it, or nothing was found). */
export type DetectedNetwork = Partial<Record<'ipaddr' | 'netmask' | 'network', string>>;

/**
 * warewulf.conf at `file`, parsed, with an empty server address detected
 * (§1.1, §3.3; never written back: `configure --all` does that). Throws
 * WW_ERR_IO when the file cannot be read (a missing one only without
 * `allowMissing`), WW_ERR_CONFIG for invalid content.
 */
export async function loadWarewulfConf(file: string, opts: LoadWarewulfConfOptions = {}): Promise<WarewulfConf> {
  return (await loadWarewulfConfDetected(file, opts)).conf;
}

/** loadWarewulfConf, also saying which network values were detected rather than read. */
export async function loadWarewulfConfDetected(file: string, opts: LoadWarewulfConfOptions = {}): Promise<{ conf: WarewulfConf; detected: DetectedNetwork }> {
  const logger = opts.logger ?? noopLogger;
  const read = await readWarewulfConf(file, opts.allowMissing === true, logger);
  if (opts.autodetect === false || (read.ipaddr !== '' && read.netmask !== '' && read.network !== '')) return { conf: read, detected: {} };
  const conf = await autodetectNetwork(read, { ...opts.autodetect, logger });
  const detected: DetectedNetwork = {};
  for (const k of ['ipaddr', 'netmask', 'network'] as const) if (conf[k] !== read[k]) detected[k] = conf[k];
  return { conf, detected };
}

async function readWarewulfConf(file: string, allowMissing: boolean, logger: Logger): Promise<WarewulfConf> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') && allowMissing) {
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
  return parseWarewulfConf(text, { file, logger, warnLegacyMounts: true });
}

/**
 * Locate, load (with auto-detection, see loadWarewulfConf) and resolve in one
 * go: what wwctl and warewulfd do at start-up. `detected` names the values
 * that came from the host rather than the file (`configure --all` persists them).
 */
export async function loadConfigAndPaths(
  opts: {
    env: Env;
    confPath?: string;
  } & LoadWarewulfConfOptions,
): Promise<{ conf: WarewulfConf; paths: Paths; detected: DetectedNetwork }> {
  const file = resolveConfPath(opts);
  const { conf, detected } = await loadWarewulfConfDetected(file, opts);
  return { conf, paths: resolvePaths({ env: opts.env, confPath: file, conf }), detected };
}
