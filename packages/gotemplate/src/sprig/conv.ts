// Sprig's value helpers (strval, strslice, empty) and spf13/cast's numeric
// conversions, over the engine's value model (README "Value model").

import { formatValue, stringerOf } from '../fmt.js';
import { GoBigInt, GoComplex, GoFloat, GoUint8, NamedString, isPlainObject, kindOf, Kind, mapSize, typeName } from '../values.js';

/** Sprig's strval: strings as is, errors and Stringers by their text, else fmt's %v. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.message;
  if (typeof v === 'object' && v !== null) {
    const s = stringerOf(v);
    if (s) return String(s.call(v));
  }
  return formatValue(v);
}

/** Sprig's strslice: a list's non-nil elements as strings; nil is empty; a scalar is a one-element list. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const e of v) if (e !== null && e !== undefined) out.push(strval(e));
    return out;
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

/** Sprig's empty: nil, false, 0, "" and empty lists/maps are empty; structs never are. */
export function empty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (typeof v) {
    case 'string':
      return v.length === 0;
    case 'boolean':
      return !v;
    case 'number':
      return v === 0;
    case 'function':
      return false;
  }
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof NamedString) return v.v.length === 0;
  if (v instanceof GoFloat || v instanceof GoUint8) return v.v === 0;
  if (v instanceof GoBigInt) return v.v === 0n;
  if (v instanceof GoComplex) return v.re === 0 && v.im === 0;
  if (v instanceof Map || isPlainObject(v as object)) return mapSize(v as object) === 0;
  return false;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** cast's trimZeroDecimal: "12.000" -> "12" (only all-zero decimals). */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') return foundZero ? s.slice(0, i - 1) : s;
    if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** strconv.ParseInt(s, 0, 64): base prefixes 0x, 0o, 0b and a leading 0 (octal), `_` separators with a prefix. */
export function parseGoInt(s: string): bigint | undefined {
  let m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2]!;
  const neg = m[1] === '-';
  if (body.includes('_') && !/^0[xXbBoO]|^0/.test(body)) return undefined;
  body = body.replace(/_/g, '');
  let n: bigint;
  if (/^0[xX]/.test(body)) n = BigInt(body);
  else if (/^0[bB]/.test(body)) n = BigInt(body);
  else if (/^0[oO]/.test(body)) n = BigInt(body);
  else if (body.length > 1 && body[0] === '0') n = BigInt('0o' + body.slice(1));
  else n = BigInt(body);
  if (neg) n = -n;
  m = null;
  if (n < INT64_MIN || n > INT64_MAX) return undefined;
  return n;
}

/** cast.ToInt64 (errors give 0): ints, floats truncated, bools, base-prefixed strings, else 0. */
export function toInt64(v: unknown): bigint {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return BigInt.asIntN(64, BigInt(v));
    if (!Number.isFinite(v)) return INT64_MIN;
    return BigInt.asIntN(64, BigInt(Math.trunc(v)));
  }
  if (v instanceof GoFloat) return toInt64(v.v === 0 ? 0 : Math.trunc(v.v));
  if (v instanceof GoUint8) return BigInt(v.v);
  if (v instanceof GoBigInt) return v.v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return parseGoInt(trimZeroDecimal(v)) ?? 0n;
  return 0n;
}

/** cast.ToFloat64 (errors give 0). */
export function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat || v instanceof GoUint8) return v.v;
  if (v instanceof GoBigInt) return Number(v.v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const f = parseGoFloat(v);
    return f ?? 0;
  }
  return 0;
}

/** strconv.ParseFloat(s, 64) for the decimal forms (and inf/nan); undefined when invalid. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (/^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?$/.test(s)) {
    return Number(s.replace(/_/g, ''));
  }
  if (/^[+-]?0[xX]/.test(s)) {
    const n = Number(s.replace(/^([+-]?)0[xX]/, '$10x'));
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** An int64 result in the value model: a JS number when safe, else GoBigInt. */
export function goInt(n: bigint): number | GoBigInt {
  const w = BigInt.asIntN(64, n);
  return w >= -(2n ** 53n - 1n) && w <= 2n ** 53n - 1n ? Number(w) : new GoBigInt(w);
}

/** A float64 result: integral values are boxed so they stay float64 (print `1`, typeOf `float64`). */
export function goFloat(f: number): number | GoFloat {
  return Number.isSafeInteger(f) || Object.is(f, -0) ? new GoFloat(f) : f;
}

/** Go's int (64-bit here) argument from a JS value: ints as is, else cast.ToInt. */
export function toInt(v: unknown): number {
  return Number(BigInt.asIntN(53, toInt64(v)));
}

/** reflect.Kind's name for a value, as Sprig's kindOf prints it. */
export function reflectKindName(v: unknown): string {
  switch (kindOf(v)) {
    case Kind.Invalid:
    case Kind.Nil:
      return 'invalid';
    case Kind.Bool:
      return 'bool';
    case Kind.Int:
      return 'int';
    case Kind.Uint:
      return 'uint8';
    case Kind.Float:
      return 'float64';
    case Kind.Complex:
      return 'complex128';
    case Kind.String:
      return 'string';
    case Kind.Slice:
      return 'slice';
    case Kind.Map:
      return 'map';
    case Kind.Func:
      return 'func';
    default:
      return 'struct';
  }
}

/** fmt's %T of a value (nil is `<nil>`). */
export function goTypeName(v: unknown): string {
  return v === null || v === undefined ? '<nil>' : typeName(v);
}

/** Is v a Go slice (a JS array)? */
export function isList(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

/** Is v a Go map (plain object or Map)? */
export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v instanceof Map || isPlainObject(v));
}
