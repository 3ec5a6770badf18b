/**
 * Pure parse of warewulf.conf text: YAML → validated document → defaulted
 * WarewulfConf. No I/O; warnings go to the caller's logger.
 */
import { CORE_SCHEMA, YAMLException, load } from 'js-yaml';
import { WwError } from '../errors.js';
import type { Logger } from '../log.js';
import { noopLogger } from '../log.js';
import { applyDefaults } from './defaults.js';
import type { Location } from '../yaml-locate.js';
import { findLocation, formatKeyPath, locateKeys } from '../yaml-locate.js';
import type { KeyTree } from './schema.js';
import { KNOWN_KEYS, warewulfConfSchema } from './schema.js';
import type { WarewulfConf } from './types.js';
import { isMapping } from '../yaml-value.js';
import { legacyMountAdvice, legacyNfsMounts } from './legacy-mounts.js';

export interface ParseWarewulfConfOptions {
  /** Shown in messages; defaults to `warewulf.conf`. */
  file?: string;
  logger?: Logger;
  /**
   * Warn about 4.3's NFS mounts (`mount: true`, 4.2's `exports`), which are
   * not applied (§3.4): set when the file is the configuration in use;
   * the upgrade commands, which convert them, leave it off.
   */
  warnLegacyMounts?: boolean;
}


/** `file:line:col`; values point at the value, unknown keys at the key. */
function where(file: string, loc: Location | undefined, at: 'value' | 'key' = 'value'): string {
  return loc ? `${file}:${loc.line}:${at === 'key' ? loc.keyColumn : loc.column}` : file;
}

/** Keys the schema does not know, as paths like ['warewulf', 'foo'] or ['image mounts', 0, 'bar']. */
export function findUnknownKeys(doc: unknown, tree: KeyTree = KNOWN_KEYS, prefix: PropertyKey[] = []): PropertyKey[][] {
  if (!isMapping(doc)) return [];
  const out: PropertyKey[][] = [];
  for (const [key, value] of Object.entries(doc)) {
    const known = Object.hasOwn(tree, key) ? tree[key] : undefined;
    const path = [...prefix, key];
    if (known === undefined) out.push(path);
    else if (Array.isArray(known)) {
      const itemTree = known[0];
      if (Array.isArray(value) && itemTree !== true) value.forEach((item, i) => out.push(...findUnknownKeys(item, itemTree, [...path, i])));
    } else if (known !== true) out.push(...findUnknownKeys(value, known, path));
  }
  return out;
}

/**
 * Parse warewulf.conf. Throws WwError WW_ERR_CONFIG_PARSE for malformed YAML
 * and WW_ERR_CONFIG_INVALID (all problems, one per line, each with
 * file:line:col when found) for values of the wrong shape.
 */
export function parseWarewulfConf(text: string, opts: ParseWarewulfConfOptions = {}): WarewulfConf {
  const file = opts.file ?? 'warewulf.conf';
  const logger = opts.logger ?? noopLogger;

  let loaded: unknown;
  try {
    // CORE_SCHEMA: no implicit timestamps or merge keys; `2024-01-01` stays a string as in Go.
    loaded = load(text, { filename: file, schema: CORE_SCHEMA });
  } catch (err) {
    if (err instanceof YAMLException) {
      const loc = err.mark ? `:${err.mark.line + 1}:${err.mark.column + 1}` : '';
      throw new WwError('WW_ERR_CONFIG_PARSE', `${file}${loc}: ${err.reason}`, { cause: err });
    }
    throw err;
  }
  const raw = loaded ?? {};

  let locations: Map<string, Location> | undefined;
  const locate = (path: readonly PropertyKey[]) => findLocation((locations ??= locateKeys(text)), path);

  const result = warewulfConfSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((iss) => {
      const name = formatKeyPath(iss.path);
      return `${where(file, locate(iss.path))}: ${name === '' ? '' : `${name}: `}${iss.message}`;
    });
    throw new WwError('WW_ERR_CONFIG_INVALID', lines.join('\n'));
  }
  if (!isMapping(raw)) throw new Error('unreachable: schema accepted a non-mapping');

  for (const path of findUnknownKeys(raw)) {
    logger.warn(`${where(file, locate(path), 'key')}: unknown key "${formatKeyPath(path)}" (kept)`);
  }
  const doc = result.data;
  if (doc.warewulf?.syslog !== undefined) {
    logger.warn(`${where(file, locate(['warewulf', 'syslog']))}: "warewulf.syslog" is no longer supported (ignored)`);
  }
  const conf = applyDefaults(doc, raw);
  if (opts.warnLegacyMounts === true) {
    for (const m of legacyNfsMounts(conf)) logger.warn(`${where(file, locate(m.at), 'key')}: ${legacyMountAdvice(m, file)} (ignored here)`);
  }
  return conf;
}
