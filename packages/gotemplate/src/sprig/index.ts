/**
 * Sprig's text function map (Masterminds/sprig v3, `sprig.TxtFuncMap()`),
 * with Sprig's semantics and Go signatures, for templates that expect it
 * (Warewulf overlays, iPXE/GRUB and BMC templates). Checked against the real
 * Sprig by test/sprig.test.ts. Left out (they throw when called): date
 * parsing/arithmetic (toDate, dateModify, durationRound), certificate and
 * password crypto, semver, getHostByName and the URL helpers.
 */
import type { FuncMap } from '../template.js';
import { collectionFuncs } from './collections.js';
import { mathFuncs } from './math.js';
import { miscFuncs } from './misc.js';
import { regexFuncs } from './regex.js';
import { stringFuncs } from './strings.js';

export interface SprigOptions {
  /** What `env`/`expandenv` read; default: the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The clock of `now`, `date` ...; default: the system clock. */
  now?: () => Date;
}

/** A fresh Sprig function map (callers may add to or override it). */
export function sprigFuncs(opts: SprigOptions = {}): FuncMap {
  return {
    ...miscFuncs({ env: opts.env ?? process.env, now: opts.now ?? (() => new Date()) }),
    ...stringFuncs(),
    ...mathFuncs(),
    ...collectionFuncs(),
    ...regexFuncs(),
  };
}

export { strval, strslice, empty, toInt64, toFloat64 } from './conv.js';
export { marshalJSON, unmarshalJSON } from './json.js';
export { goBase, goClean, GoTime, formatGoTime } from './misc.js';
export { goRegexp } from './regex.js';
