// text/template's builtin functions (funcs.go) over the engine's value model.
// They receive raw values: undefined = invalid reflect.Value, null = nil interface.
// Errors are thrown as plain Errors; the executor wraps them as "error calling NAME: MSG".

import { formatVerb, sprint, sprintf, sprintln } from './fmt.js';
import type { FuncInfo, ParamType } from './nodes.js';
import { isPrint } from './strconv.js';
import {
  GoBigInt,
  GoComplex,
  GoFloat,
  GoUint8,
  IfaceValue,
  compareBytes,
  decodeBytes,
  encodeBytes,
  isEscapedByte,
  Kind,
  isPlainObject,
  kindOf,
  mapGet,
  mapSize,
  NamedString,
  sliceTypeName,
  stringOf,
  truth,
  typeName,
  utf8Len,
} from './values.js';

/** indirectInterface: a nil interface is an invalid value. */
function ind(v: unknown): unknown {
  return v === null ? undefined : v;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function length(item: unknown): number {
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (item === null) throw new Error('len of nil pointer');
  if (typeof item === 'string') return utf8Len(item);
  if (item instanceof NamedString) return utf8Len(item.v);
  if (Array.isArray(item)) return item.length;
  if (typeof item === 'object' && (item instanceof Map || isPlainObject(item))) return mapSize(item);
  throw new Error(`len of type ${typeName(item)}`);
}

function indexArg(index: unknown, cap: number): number {
  let x: number;
  if (typeof index === 'number' && Number.isSafeInteger(index)) x = index;
  else if (index instanceof GoUint8) x = index.v;
  else if (index instanceof GoBigInt) x = Number(index.v);
  else if (index === undefined) throw new Error('cannot index slice/array with nil');
  else if (index === null || index instanceof IfaceValue) throw new Error('cannot index slice/array with type interface {}');
  else throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function stringBytes(s: string): Uint8Array | string {
  return isAscii(s) ? s : encodeBytes(s);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  item = ind(item);
  if (item === undefined) throw new Error('index of untyped nil');
  for (let idx of indexes) {
    idx = ind(idx);
    if (item === null) throw new Error('index of nil pointer');
    if (typeof item === 'string') {
      const b = stringBytes(item);
      const x = indexArg(idx, b.length);
      if (x === b.length) throw new Error('reflect: string index out of range');
      item = new GoUint8(typeof b === 'string' ? b.charCodeAt(x) : b[x]!);
    } else if (Array.isArray(item)) {
      const x = indexArg(idx, item.length);
      if (x === item.length) throw new Error('reflect: slice index out of range');
      const e = item[x];
      item = e === undefined ? null : e;
    } else if (typeof item === 'object' && (item instanceof Map || isPlainObject(item))) {
      if (idx === undefined) throw new Error('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new Error(`value has type ${typeName(idx)}; should be string`);
      const v = mapGet(item, idx);
      item = v === undefined ? null : v;
    } else throw new Error(`can't index item of type ${typeName(item)}`);
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  item = ind(item);
  if (item === undefined) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = cap = utf8Len(item);
  } else if (Array.isArray(item)) len = cap = item.length;
  else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, 0];
  for (let i = 0; i < indexes.length; i++) idx[i] = indexArg(indexes[i], cap);
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') {
    const b = stringBytes(item);
    return typeof b === 'string' ? b.slice(idx[0], idx[1]) : decodeBytes(b.subarray(idx[0], idx[1]));
  }
  const out = (item as unknown[]).slice(idx[0], idx[1]);
  const tn = sliceTypeName(item as unknown[]);
  if (tn !== '[]interface {}') Object.defineProperty(out, Symbol.for('warewulf.gotemplate.type'), { value: tn });
  return out;
}

// --- comparison (funcs.go basicKind / eq / lt) ---

const enum BK {
  Invalid,
  Bool,
  Complex,
  Int,
  Float,
  String,
  Uint,
}

/** funcs.go's basicKind: the comparable kinds, from the value model's kindOf. */
function basicKind(v: unknown): BK {
  switch (kindOf(v)) {
    case Kind.Bool:
      return BK.Bool;
    case Kind.Int:
      return BK.Int;
    case Kind.Uint:
      return BK.Uint;
    case Kind.Float:
      return BK.Float;
    case Kind.Complex:
      return BK.Complex;
    case Kind.String:
      return BK.String;
    default:
      return BK.Invalid;
  }
}

function big(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (v instanceof GoBigInt) return v.v;
  if (v instanceof GoUint8) return BigInt(v.v);
  return 0n;
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat || v instanceof GoUint8) return v.v;
  if (v instanceof GoBigInt) return Number(v.v);
  return 0;
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

function reflectKind(v: unknown): Kind {
  return kindOf(v);
}

function isNilValue(v: unknown): boolean {
  return v === undefined || v === null;
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  arg1 = ind(arg1);
  if (arg2.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(arg1);
  for (let arg of arg2) {
    arg = ind(arg);
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if ((k1 === BK.Int && k2 === BK.Uint) || (k1 === BK.Uint && k2 === BK.Int)) t = big(arg1) === big(arg);
      else if (arg1 !== undefined && arg !== undefined) throw new Error(errBadComparison);
    } else {
      switch (k1) {
        case BK.Bool:
          t = arg1 === arg;
          break;
        case BK.String:
          t = stringOf(arg1) === stringOf(arg);
          break;
        case BK.Int:
        case BK.Uint:
          t = typeof arg1 === 'number' && typeof arg === 'number' ? arg1 === arg : big(arg1) === big(arg);
          break;
        case BK.Float:
          t = num(arg1) === num(arg);
          break;
        case BK.Complex:
          t = (arg1 as GoComplex).re === (arg as GoComplex).re && (arg1 as GoComplex).im === (arg as GoComplex).im;
          break;
        default: {
          const r1 = reflectKind(arg1);
          const r2 = reflectKind(arg);
          if (!(r1 === r2 || r1 === Kind.Invalid || r2 === Kind.Invalid)) {
            throw new Error(
              `non-comparable types ${formatVerb('s', arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${formatVerb('v', arg)}`,
            );
          }
          if (isNilValue(arg1) || isNilValue(arg)) t = isNilValue(arg) === isNilValue(arg1);
          else {
            if (r2 === Kind.Slice || r2 === Kind.Map || r2 === Kind.Func) {
              throw new Error(`non-comparable type ${formatVerb('s', arg)}: ${typeName(arg)}`);
            }
            t = arg1 === arg;
          }
        }
      }
    }
    if (t) return true;
  }
  return false;
}

function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = ind(arg1);
  const k1 = basicKind(arg1);
  if (k1 === BK.Invalid) throw new Error(errBadComparisonType);
  arg2 = ind(arg2);
  const k2 = basicKind(arg2);
  if (k2 === BK.Invalid) throw new Error(errBadComparisonType);
  if (k1 !== k2) {
    if ((k1 === BK.Int && k2 === BK.Uint) || (k1 === BK.Uint && k2 === BK.Int)) return big(arg1) < big(arg2);
    throw new Error(errBadComparison);
  }
  switch (k1) {
    case BK.Bool:
    case BK.Complex:
      throw new Error(errBadComparisonType);
    case BK.Float:
      return num(arg1) < num(arg2);
    case BK.Int:
    case BK.Uint:
      return typeof arg1 === 'number' && typeof arg2 === 'number' ? arg1 < arg2 : big(arg1) < big(arg2);
    case BK.String:
      return compareBytes(stringOf(arg1), stringOf(arg2)) < 0;
  }
  return false;
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}
function gt(a: unknown, b: unknown): boolean {
  return !le(a, b);
}
function ge(a: unknown, b: unknown): boolean {
  return !lt(a, b);
}

// --- escapers ---

/** evalArgs: the single-string fast path, else fmt.Sprint with <no value> for nils. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

export function htmlEscapeString(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

export function jsEscapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (c) {
      case 92:
        out += '\\\\';
        continue;
      case 39:
        out += "\\'";
        continue;
      case 34:
        out += '\\"';
        continue;
      case 60:
        out += '\\u003C';
        continue;
      case 62:
        out += '\\u003E';
        continue;
      case 38:
        out += '\\u0026';
        continue;
      case 61:
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else if (c < 0x80 || isPrint(c) || isEscapedByte(c)) out += ch;
    else out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

export function queryEscape(s: string): string {
  let out = '';
  for (const b of encodeBytes(s)) {
    if ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 45 || b === 95 || b === 46 || b === 126) {
      out += String.fromCharCode(b);
    } else if (b === 32) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  fn = ind(fn);
  if (fn === undefined) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

function info(
  name: string,
  fn: (...args: never[]) => unknown,
  params: ParamType[],
  variadic: ParamType | null = null,
): FuncInfo {
  return { name, builtin: true, fn: fn as (...args: unknown[]) => unknown, params, variadic };
}

/** The builtin function table. `and`/`or` are evaluated specially (short-circuit) by the executor. */
export const BUILTINS: ReadonlyMap<string, FuncInfo> = new Map<string, FuncInfo>([
  ['and', info('and', () => undefined, ['value'], 'value')],
  ['or', info('or', () => undefined, ['value'], 'value')],
  ['not', info('not', (a: unknown) => !truth(ind(a)), ['value'])],
  ['len', info('len', length, ['value'])],
  ['index', info('index', index, ['value'], 'value')],
  ['slice', info('slice', slice, ['value'], 'ivalue')],
  ['eq', info('eq', eq, ['value'], 'value')],
  ['ne', info('ne', ne, ['value', 'value'])],
  ['lt', info('lt', lt, ['value', 'value'])],
  ['le', info('le', le, ['value', 'value'])],
  ['gt', info('gt', gt, ['value', 'value'])],
  ['ge', info('ge', ge, ['value', 'value'])],
  ['print', info('print', (...a: unknown[]) => sprint(a), [], 'any')],
  ['printf', info('printf', (f: string, ...a: unknown[]) => sprintf(f, a), ['string'], 'any')],
  ['println', info('println', (...a: unknown[]) => sprintln(a), [], 'any')],
  ['html', info('html', (...a: unknown[]) => htmlEscapeString(evalArgs(a)), [], 'any')],
  ['js', info('js', (...a: unknown[]) => jsEscapeString(evalArgs(a)), [], 'any')],
  ['urlquery', info('urlquery', (...a: unknown[]) => queryEscape(evalArgs(a)), [], 'any')],
  ['call', info('call', call, ['value'], 'value')],
]);
