// Value model: how plain JS data maps onto Go's reflect kinds.
//
//  undefined            -> invalid reflect.Value (a missing key, nil data): prints "<no value>"
//  null                 -> a nil interface{} (JSON null read from a map/slice)
//  string/boolean       -> string/bool
//  number               -> int when Number.isSafeInteger, else float64 (the JSON decoding rule)
//  GoFloat              -> float64 holding an integral value (template literal `1.0`)
//  GoUint8/GoComplex/GoBigInt -> the few other Go kinds the language can produce
//  Array                -> []interface{} ([]string when tagged by stringSlice())
//  plain object / Map   -> map[string]interface{}
//  class instance       -> struct (fields, getters, methods)
//  function             -> func

/** A float64 whose value happens to be integral (so a bare JS number would read as int). */
export class GoFloat {
  constructor(readonly v: number) {}
}
/** A byte, as produced by `index` on a string. */
export class GoUint8 {
  constructor(readonly v: number) {}
}
/** complex128 from an imaginary literal. */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}
/** A Go int outside JS's safe-integer range (only from integer literals). */
export class GoBigInt {
  constructor(readonly v: bigint) {}
}

/**
 * Go's two-result function convention: a func-map function may return
 * `goResult(value, err)`; a non-null err becomes "error calling NAME: MSG".
 */
export class GoResult {
  constructor(
    readonly value: unknown,
    readonly error: Error | string | null | undefined,
  ) {}
}
export function goResult(value: unknown, error?: Error | string | null): GoResult {
  return new GoResult(value, error);
}

/**
 * A value of a Go named string type (`type WWbool string`): kind string for
 * printing, comparison, `len` and truth, with the subclass's methods callable
 * from templates (`.OnBoot.BoolDefaultTrue`). The class name is its Go type name.
 */
export class NamedString {
  constructor(readonly v: string) {}
}

/** The string of a string-kind value (a JS string or a NamedString). */
export function stringOf(v: unknown): string {
  return v instanceof NamedString ? v.v : (v as string);
}

/**
 * Execution stop requested by a function (Warewulf's `abort`): thrown from a
 * func-map function, it passes through the executor untouched (not wrapped as
 * "error calling ..."), so the caller can tell it from a template error.
 * Output already written to a sink stays written.
 */
export class StopExecution {
  constructor(readonly reason: string = 'stop') {}
}

/**
 * Give a slice a Go named type with a `String()` method (`type Args []string`
 * with a Stringer): it ranges and indexes as a slice and prints through String.
 */
export function stringerSlice<T>(a: T[], goType: string, str: (a: T[]) => string): T[] {
  Object.defineProperty(a, GO_TYPE, { value: goType, enumerable: false });
  Object.defineProperty(a, 'String', { value: () => str(a), enumerable: false });
  return a;
}

/** A non-nil value whose static Go type is interface{} (see ParamType 'ivalue'). */
export class IfaceValue {
  constructor(readonly v: unknown) {}
}

const GO_TYPE = Symbol.for('warewulf.gotemplate.type');

/** Tag an array so that it reports Go type []string (what `split` returns). */
export function stringSlice(a: string[]): string[] {
  Object.defineProperty(a, GO_TYPE, { value: '[]string', enumerable: false });
  return a;
}

export function sliceTypeName(a: unknown[]): string {
  return (a as unknown as Record<symbol, string | undefined>)[GO_TYPE] ?? '[]interface {}';
}

export const enum Kind {
  Invalid = 0,
  Nil = 1, // nil interface
  Bool,
  Int,
  Uint,
  Float,
  Complex,
  String,
  Slice,
  Map,
  Struct,
  Func,
}

export function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'string':
      return Kind.String;
    case 'number':
      return Number.isSafeInteger(v) ? Kind.Int : Kind.Float;
    case 'boolean':
      return Kind.Bool;
    case 'undefined':
      return Kind.Invalid;
    case 'function':
      return Kind.Func;
    case 'bigint':
      return Kind.Int;
    case 'object':
      if (v === null) return Kind.Nil;
      if (Array.isArray(v)) return Kind.Slice;
      if (v instanceof GoFloat) return Kind.Float;
      if (v instanceof GoUint8) return Kind.Uint;
      if (v instanceof GoBigInt) return Kind.Int;
      if (v instanceof GoComplex) return Kind.Complex;
      if (v instanceof NamedString) return Kind.String;
      if (v instanceof Map || isPlainObject(v)) return Kind.Map;
      return Kind.Struct;
  }
  return Kind.Struct;
}

/** Go's reflect type string for a value (as %T and error messages print it). */
export function typeName(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isSafeInteger(v) ? 'int' : 'float64';
    case 'boolean':
      return 'bool';
    case 'undefined':
      return '<nil>';
    case 'function':
      return 'func(...interface {}) interface {}';
    case 'bigint':
      return 'int';
    case 'object':
      if (v === null) return 'interface {}';
      if (Array.isArray(v)) return sliceTypeName(v);
      if (v instanceof GoFloat) return 'float64';
      if (v instanceof GoUint8) return 'uint8';
      if (v instanceof GoBigInt) return 'int';
      if (v instanceof GoComplex) return 'complex128';
      if (v instanceof Map || isPlainObject(v)) return 'map[string]interface {}';
      return (v as object).constructor?.name || 'struct';
  }
  return 'interface {}';
}

/** Numeric value of an int-like value as a bigint (int, uint8, big int). */
export function intValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoUint8) return v.v;
  if (v instanceof GoBigInt) return Number(v.v);
  return 0;
}

export function floatValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.v;
  return 0;
}

/** Own-property lookup on a Go-map-like value; undefined when the key is absent. */
export function mapGet(m: object, key: string): unknown {
  if (m instanceof Map) return m.has(key) ? nz(m.get(key)) : undefined;
  const v = (m as Record<string, unknown>)[key];
  if (v === undefined) return Object.hasOwn(m, key) ? null : undefined;
  if ((typeof v === 'function' || key === '__proto__') && !Object.hasOwn(m, key)) return undefined;
  return v;
}

function nz(v: unknown): unknown {
  return v === undefined ? null : v;
}

/** Keys of a map value in Go's sorted (byte-wise for strings) order. */
export function sortedKeys(m: object): string[] {
  const keys = m instanceof Map ? Array.from(m.keys(), String) : Object.keys(m);
  for (let i = 1; i < keys.length; i++) {
    if (compareBytes(keys[i - 1]!, keys[i]!) > 0) return keys.sort(compareBytes);
  }
  return keys;
}

/** Byte-wise (UTF-8) string order; equals UTF-16 order except around surrogates. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // surrogates (astral code points) sort above U+E000..U+FFFF in UTF-8
    if (ca >= 0xd800 && ca <= 0xdfff) ca += 0x2000;
    else if (ca >= 0xe000) ca -= 0x800;
    if (cb >= 0xd800 && cb <= 0xdfff) cb += 0x2000;
    else if (cb >= 0xe000) cb -= 0x800;
    return ca - cb;
  }
  return a.length - b.length;
}



export function mapSize(m: object): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** Go's isTrue on an (already interface-unwrapped) value. */
export function truth(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'undefined':
      return false;
    case 'object':
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof GoFloat || v instanceof GoUint8) return v.v !== 0;
      if (v instanceof GoBigInt) return v.v !== 0n;
      if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
      if (v instanceof NamedString) return v.v.length > 0;
      if (v instanceof Map) return v.size > 0;
      if (isPlainObject(v)) {
        for (const _ in v) return true;
        return false;
      }
      return true;
    case 'function':
      return true;
  }
  return true;
}

/** Byte length of a string in UTF-8 (Go's len). */
export function utf8Len(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (isEscapedByte(c)) n += 0; // one raw byte
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // surrogate pair: 2 units -> 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

// Go strings are byte strings; slicing one can cut a UTF-8 sequence. Such
// bytes are carried in JS strings as lone surrogates U+DC80..U+DCFF
// ("surrogateescape"), so that len/index/quote/output see the original bytes.

export function isEscapedByte(c: number): boolean {
  return c >= 0xdc80 && c <= 0xdcff;
}

/** Decode UTF-8 like Go's utf8.DecodeRune; each invalid byte becomes an escape. */
export function decodeBytes(b: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c0 = b[i]!;
    if (c0 < 0x80) {
      out += String.fromCharCode(c0);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (c0 >= 0xc2 && c0 <= 0xdf) {
      need = 1;
      cp = c0 & 0x1f;
      min = 0x80;
    } else if (c0 >= 0xe0 && c0 <= 0xef) {
      need = 2;
      cp = c0 & 0x0f;
      min = 0x800;
    } else if (c0 >= 0xf0 && c0 <= 0xf4) {
      need = 3;
      cp = c0 & 0x07;
      min = 0x10000;
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const c = b[i + k];
        if (c === undefined || (c & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (c & 0x3f);
      }
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out += String.fromCharCode(0xdc00 + c0);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/** Encode to UTF-8 bytes, turning escapes back into their raw byte. */
export function encodeBytes(s: string): Uint8Array {
  let esc = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      esc = true;
      break;
    }
  }
  if (!esc) return Buffer.from(s, 'utf8');
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isEscapedByte(c)) {
      parts.push(c - 0xdc00);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        for (const x of Buffer.from(s.slice(i, i + 2), 'utf8')) parts.push(x);
        i++;
        continue;
      }
    }
    for (const x of Buffer.from(s[i]!, 'utf8')) parts.push(x);
  }
  return Uint8Array.from(parts);
}
