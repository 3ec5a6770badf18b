// The function map of the Go reference CLI (gotemplate-ref/main.go), with the
// same Go signatures so that Go's argument checks produce the same errors.
// The subject argument comes last so it can be piped in.

import { quote as goQuote } from './strconv.js';
import { type FuncMap, goFunc } from './template.js';
import { GoBigInt, GoFloat, GoUint8, isEscapedByte, stringSlice } from './values.js';
import { empty, goInt, strslice, strval } from './sprig/conv.js';

const INT64_MAX = 9.223372036854775807e18;

function toInt(v: unknown): bigint {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return BigInt(v);
    const f = Math.trunc(v);
    if (Number.isNaN(f) || f >= INT64_MAX || f < -INT64_MAX) return 0n;
    return BigInt(f);
  }
  if (v instanceof GoFloat) return toInt(v.v === 0 ? 0 : v.v);
  if (v instanceof GoUint8) return BigInt(v.v);
  if (v instanceof GoBigInt) return v.v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    if (!/^[+-]?[0-9]+$/.test(v)) return 0n;
    const n = BigInt(v);
    return n > 2n ** 63n - 1n || n < -(2n ** 63n) ? 0n : n;
  }
  return 0n;
}

// unicode.IsSpace
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]';
export const TRIM_RE = new RegExp(`^${SPACE}+|${SPACE}+$`, 'gu');

export function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && isEscapedByte(ch.charCodeAt(0))) {
      out += '\uFFFD'; // strings.Map turns invalid UTF-8 into RuneError
      continue;
    }
    const m = f(ch);
    out += Array.from(m).length === 1 ? m : ch;
  }
  return out;
}

export function refFuncs(): FuncMap {
  return {
    join: goFunc(['string', 'any'], (sep: string, list: unknown) => strslice(list).join(sep)),
    split: goFunc(['string', 'string'], (sep: string, s: string) =>
      stringSlice(sep === '' ? Array.from(s) : s.split(sep)),
    ),
    replace: goFunc(['string', 'string', 'string'], (o: string, n: string, s: string) =>
      o === '' ? goReplaceEmpty(s, n) : s.split(o).join(n),
    ),
    lower: goFunc(['string'], (s: string) => mapRunes(s, (c) => (c === '\u0130' ? 'i' : c.toLowerCase()))),
    upper: goFunc(['string'], (s: string) => mapRunes(s, (c) => c.toUpperCase())),
    trim: goFunc(['string'], (s: string) => s.replace(TRIM_RE, '')),
    contains: goFunc(['string', 'string'], (sub: string, s: string) => s.includes(sub)),
    hasPrefix: goFunc(['string', 'string'], (p: string, s: string) => s.startsWith(p)),
    hasSuffix: goFunc(['string', 'string'], (p: string, s: string) => s.endsWith(p)),
    default: goFunc(['any'], (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0]), 'any'),
    list: goFunc([], (...items: unknown[]) => items.map((x) => (x === undefined ? null : x)), 'any'),
    dict: goFunc(
      [],
      (...kv: unknown[]) => {
        const m: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (let i = 0; i < kv.length; i += 2) {
          const k = strval(kv[i] ?? null);
          m[k] = i + 1 >= kv.length ? '' : (kv[i + 1] ?? null);
        }
        return m;
      },
      'any',
    ),
    add: goFunc([], (...ns: unknown[]) => goInt(ns.reduce<bigint>((a, n) => a + toInt(n), 0n)), 'any'),
    sub: goFunc(['any', 'any'], (a: unknown, b: unknown) => goInt(toInt(a) - toInt(b))),
    inc: goFunc(['any'], (n: unknown) => goInt(toInt(n) + 1n)),
    quote: goFunc(
      [],
      (...vs: unknown[]) =>
        vs
          .filter((v) => v !== null && v !== undefined)
          .map((v) => goQuote(strval(v)))
          .join(' '),
      'any',
    ),
  };
}

/** strings.ReplaceAll with an empty old string: insert NEW before every rune and at the end. */
export function goReplaceEmpty(s: string, n: string): string {
  return n + Array.from(s).join(n) + (s.length > 0 ? n : '');
}
