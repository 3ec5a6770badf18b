/**
 * Reading and writing YAML the way nodes.conf needs (§2.1, §2.5):
 *
 * - plain scalars keep their text (YamlScalar), whatever YAML 1.1 or 1.2
 *   would resolve them to;
 * - merge keys (`<<: *base`) are honoured, as upstream's YAML library does;
 * - aliases never make two entries share state: every alias is expanded
 *   into a copy, after refusing excessive aliasing with the rule of Go's
 *   yaml.v3 (upstream's parser), so a 346-byte alias bomb is an error, not
 *   a 197 MB rewrite;
 * - mappings become null-prototype objects, so user keys such as
 *   `__proto__`, `constructor` or `toString` are ordinary keys;
 * - the bytes must be UTF-8: a stray Latin-1 byte is refused with its
 *   FILE:LINE:COL rather than silently turned into U+FFFD on the next write.
 */
import yaml from 'js-yaml';
import { WwError, type WwErrorCode } from '../errors.js';
import { findLocation, locateKeys } from '../yaml-locate.js';
import { YamlScalar, type YamlScalarKind } from './scalar.js';

function keepText(base: yaml.Type & { tag: string }, kind: YamlScalarKind, jsType: 'boolean' | 'number'): yaml.Type {
  return new yaml.Type(base.tag, {
    kind: 'scalar',
    resolve: (data: string) => base.resolve(data),
    construct: (data: string) => new YamlScalar(data, kind, base.construct(data) as boolean | number),
    // values set by our own code (booleans of disk fields, numbers) are written as YAML writes them
    predicate: (v: unknown) => (v instanceof YamlScalar && v.kind === kind) || (typeof v === jsType && (kind !== 'int' || Number.isInteger(v))),
    represent: (v: object) => (v instanceof YamlScalar ? v.text : String(v)),
  });
}

const core = yaml.CORE_SCHEMA as unknown as { implicit: yaml.Type[] };
const byTag = (tag: string) => core.implicit.find((t) => (t as yaml.Type & { tag: string }).tag === tag) as yaml.Type & { tag: string };

/** Failsafe + null + text-keeping bool/int/float + merge keys. */
export const NODES_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    byTag('tag:yaml.org,2002:null'),
    keepText(byTag('tag:yaml.org,2002:bool'), 'bool', 'boolean'),
    keepText(byTag('tag:yaml.org,2002:int'), 'int', 'number'),
    keepText(byTag('tag:yaml.org,2002:float'), 'float', 'number'),
    (yaml as unknown as { types: { merge: yaml.Type } }).types.merge,
  ],
});

/* ---------- UTF-8 ---------- */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that is not part of a valid UTF-8 sequence. */
function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    let n = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) n = 2;
    else if (b >= 0xf0 && b <= 0xf4) n = 3;
    else return i;
    if (i + n >= buf.length && n > 0) return i;
    for (let k = 1; k <= n; k++) if (((buf[i + k] as number) & 0xc0) !== 0x80) return i;
    // overlong and surrogate forms TextDecoder also refuses
    if (n === 2 && ((b === 0xe0 && (buf[i + 1] as number) < 0xa0) || (b === 0xed && (buf[i + 1] as number) > 0x9f))) return i;
    if (n === 3 && ((b === 0xf0 && (buf[i + 1] as number) < 0x90) || (b === 0xf4 && (buf[i + 1] as number) > 0x8f))) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Decode a file's bytes as UTF-8. Throws WwError `code` naming FILE:LINE:COL
 * (column in characters) of the first invalid byte.
 */
export function decodeUtf8(buf: Uint8Array, file: string, code: WwErrorCode): string {
  try {
    return utf8.decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    const before = utf8.decode(buf.subarray(0, Math.max(at, 0)));
    const lines = before.split('\n');
    const line = lines.length;
    const col = [...(lines[lines.length - 1] ?? '')].length + 1;
    const hex = at >= 0 ? (buf[at] as number).toString(16).padStart(2, '0') : '??';
    throw new WwError(code, `${file}:${line}:${col}: invalid UTF-8 (byte 0x${hex}); save the file as UTF-8`);
  }
}

/* ---------- aliases ---------- */

// Go yaml.v3's rule (decode.go, allowedAliasRatio): up to 99% of decoded nodes may come from alias expansion in
// small documents, falling to 10% for very large ones; checked once more than 100 alias nodes and 1,000 nodes in all.
const RATIO_LOW = 400_000;
const RATIO_HIGH = 4_000_000;
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= RATIO_LOW) return 0.99;
  if (decodeCount >= RATIO_HIGH) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - RATIO_LOW) / (RATIO_HIGH - RATIO_LOW));
}

class AliasError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null && !(v instanceof YamlScalar);

/**
 * Copy the loaded tree: every occurrence of a shared (aliased) object
 * becomes its own copy, mappings become null-prototype objects. Counts
 * nodes as yaml.v3 does (keys and values; an alias counts its whole
 * expansion) and throws AliasError on excessive aliasing or a recursive alias.
 */
function unshare(root: unknown): unknown {
  const size = new Map<object, number>(); // expanded node count of each container, once walked
  const onPath = new Set<object>();
  let decodeCount = 0;
  let aliasCount = 0;
  let aliasDepth = 0;
  const path: (string | number)[] = [];

  const count = (n: number, alias: boolean) => {
    decodeCount += n;
    if (alias || aliasDepth > 0) aliasCount += n;
    if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) {
      throw new AliasError([...path], 'document contains excessive aliasing');
    }
  };

  const copy = (v: unknown): unknown => {
    if (!isContainer(v)) {
      count(1, false);
      return v;
    }
    if (onPath.has(v)) throw new AliasError([...path], 'an alias refers to a node that contains it');
    const known = size.get(v);
    if (known !== undefined) {
      // an alias: its whole expansion counts, and it gets a fresh copy of its own
      count(1 + known, true);
      aliasDepth++;
      try {
        return copyFresh(v);
      } finally {
        aliasDepth--;
      }
    }
    const start = decodeCount;
    count(1, false);
    onPath.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      const arr: unknown[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        arr[i] = copy(v[i]);
        path.pop();
      }
      out = arr;
    } else {
      const obj: Record<string, unknown> = Object.create(null);
      for (const k of Object.keys(v)) {
        path.push(k);
        count(1, false); // the key
        obj[k] = copy((v as Record<string, unknown>)[k]);
        path.pop();
      }
      out = obj;
    }
    onPath.delete(v);
    size.set(v, decodeCount - start - 1);
    return out;
  };

  // a second occurrence: a structural copy (its size was already charged)
  const copyFresh = nullProtoCopy;

  return copy(root);
}

/** A structural copy with null-prototype mappings. */
function nullProtoCopy(v: unknown): unknown {
  if (!isContainer(v)) return v;
  if (Array.isArray(v)) return v.map(nullProtoCopy);
  const obj: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(v)) obj[k] = nullProtoCopy((v as Record<string, unknown>)[k]);
  return obj;
}

/**
 * nullProtoCopy in place, for a tree that shares nothing (js-yaml's result
 * when the text has no alias): its mappings get a null prototype, no copy
 * and no garbage (a 50,000-node nodes.conf is ~1.5 million objects).
 */
function nullProtoInPlace(v: unknown): unknown {
  if (!isContainer(v)) return v;
  if (Array.isArray(v)) {
    for (const x of v) nullProtoInPlace(x);
    return v;
  }
  Object.setPrototypeOf(v, null);
  for (const k of Object.keys(v)) nullProtoInPlace((v as Record<string, unknown>)[k]);
  return v;
}

/* ---------- load / dump ---------- */

/**
 * Parse YAML text with NODES_SCHEMA. Syntax errors, excessive aliasing and
 * recursive aliases throw WwError `code` naming FILE:LINE:COL.
 */
export function loadYaml(text: string, file: string, code: WwErrorCode): unknown {
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file, schema: NODES_SCHEMA });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const m = err.mark;
      const where = m ? `${file}:${m.line + 1}:${m.column + 1}` : file;
      throw new WwError(code, `${where}: invalid YAML: ${err.reason}`, { cause: err });
    }
    throw err;
  }
  // no `*` in the text: no alias anywhere, so nothing to count or unshare; only the null-prototype copy
  if (!text.includes('*')) return nullProtoInPlace(data);
  try {
    return unshare(data);
  } catch (err) {
    if (!(err instanceof AliasError)) throw err;
    const pos = err.path.length > 0 ? findLocation(locateKeys(text), err.path) : undefined;
    const where = pos ? `${file}:${pos.line}:${pos.keyColumn}` : file;
    const at = err.path.length > 0 ? ` (at ${err.path.join('.')})` : '';
    throw new WwError(code, `${where}: invalid YAML: ${err.message}${at}`);
  }
}

/** Serialise as nodes.conf is written: block style, no anchors, double quotes where needed, no line folding. */
export function dumpYaml(data: unknown, indent = 2): string {
  return yaml.dump(data, { indent, lineWidth: -1, noRefs: true, quotingType: '"', schema: NODES_SCHEMA });
}

/* ---------- the parse cache's form ---------- */

/** The key that marks a kept-text scalar in the cache's JSON (a NUL can not start a nodes.conf key in practice; a document that has one is not cached). */
const SCALAR_KEY = '\u0000yaml';

/**
 * The parsed tree as JSON text for the parse cache (JSON.parse reads it two
 * to three times faster than v8.deserialize reads the same tree).
 * YamlScalars become `{"\u0000yaml": [kind, text]}`; undefined when the tree
 * itself uses that key (then it is not cached).
 */
export function toCacheForm(v: unknown): string | undefined {
  let clash = false;
  const text = JSON.stringify(v, function (this: unknown, k: string, x: unknown) {
    if (k === SCALAR_KEY) clash = true;
    // JSON.stringify calls toJSON first: the holder still has the YamlScalar itself
    // only a number or a bool can have come from a YamlScalar's toJSON: strings (most values) skip the look-up
    if (typeof x !== 'number' && typeof x !== 'boolean') return x;
    const raw = (this as Record<string, unknown>)[k];
    return raw instanceof YamlScalar ? { [SCALAR_KEY]: [raw.kind, raw.text] } : x;
  });
  return clash ? undefined : text;
}

const REVIVE: Record<string, yaml.Type> = {
  bool: byTag('tag:yaml.org,2002:bool'),
  int: byTag('tag:yaml.org,2002:int'),
  float: byTag('tag:yaml.org,2002:float'),
};

/**
 * Inverse of toCacheForm on its parsed JSON; throws a plain Error on anything
 * toCacheForm did not make (the caller then re-parses). Revives in place
 * (JSON.parse's fresh tree is taken over, its mappings given a null
 * prototype): a 10,000-node cache costs a third of what copying it did, and
 * makes no garbage.
 */
export function fromCacheForm(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null) v[i] = fromCacheForm(x);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  const sc = o[SCALAR_KEY];
  if (sc !== undefined) {
    const [kind, text] = sc as [YamlScalarKind, string];
    const type = REVIVE[kind];
    if (type === undefined || typeof text !== 'string' || !type.resolve(text)) throw new Error('bad cached scalar');
    return new YamlScalar(text, kind, type.construct(text) as boolean | number);
  }
  // user keys live in null-prototype objects (`__proto__`, `constructor` are ordinary names)
  Object.setPrototypeOf(o, null);
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null) o[k] = fromCacheForm(x);
  }
  return o;
}
