// Sprig's string functions (strings.go and the goutils/xstrings helpers it
// calls), with Go's signatures so Go's argument checks apply.

import { createHash } from 'node:crypto';
import { type FuncMap, goFunc } from '../template.js';
import { quote as goQuote } from '../strconv.js';
import { decodeBytes, encodeBytes } from '../values.js';
import { formatValue } from '../fmt.js';
import { strslice, strval } from './conv.js';
import { TRIM_RE, goReplaceEmpty, mapRunes } from '../ref-funcs.js';

/** Go's string slicing by byte offsets; panics become errors like Go's runtime text. */
export function byteSlice(s: string, start: number, end: number): string {
  const b = encodeBytes(s);
  if (start < 0 || end > b.length || start > end) throw new Error(`runtime error: slice bounds out of range [${start}:${end}]`);
  return decodeBytes(b.subarray(start, end));
}

// unicode.IsSpace
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]';
const SPACE_RE = new RegExp(`${SPACE}`, 'gu');
const isSpace = (ch: string) => new RegExp(`^${SPACE}$`, 'u').test(ch);

/** strings.Trim(s, cutset). */
function trimSet(s: string, cutset: string): string {
  const set = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** Go's deprecated strings.Title: upper-case the first letter of each word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) return false;
    return true;
  }
  if (/\p{L}|\p{Nd}/u.test(ch)) return false;
  return isSpace(ch);
}

function swapcase(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch !== ch.toLowerCase()) out += ch.toLowerCase();
    else if (ch !== ch.toUpperCase()) out += ch.toUpperCase(); // unicode.ToTitle equals ToUpper outside a few digraphs
    else out += ch;
  }
  return out;
}

/** goutils.Uncapitalize: lower-case the first letter of every whitespace-separated word. */
function uncapitalize(s: string): string {
  let out = '';
  let ws = true;
  for (const ch of s) {
    out += ws ? ch.toLowerCase() : ch;
    ws = isSpace(ch);
  }
  return out;
}

/** goutils.Initials: the first letter of each whitespace-separated word. */
function initials(s: string): string {
  let out = '';
  let ws = true;
  for (const ch of s) {
    if (isSpace(ch)) ws = true;
    else if (ws) {
      out += ch;
      ws = false;
    }
  }
  return out;
}

/** goutils.Abbreviate / AbbreviateFull (byte offsets as in Go). */
function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  const len = encodeBytes(s).length;
  if (maxWidth < 4 || (offset > 0 && maxWidth < 7)) return s;
  if (len <= maxWidth) return s;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  const abrevMarker = '...';
  if (offset <= 4) return byteSlice(s, 0, maxWidth - 3) + abrevMarker;
  if (maxWidth < 7) return s;
  if (offset + maxWidth - 3 < len) return abrevMarker + abbreviateFull(byteSlice(s, offset, len), 0, maxWidth - 3);
  return abrevMarker + byteSlice(s, len - (maxWidth - 3), len);
}

/** goutils.WrapCustom(str, wrapLength, newLineStr, wrapLongWords). */
function wrapCustom(str: string, wrapLength: number, newLineStr: string, wrapLongWords: boolean): string {
  if (str === '') return '';
  if (newLineStr === '') newLineStr = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const inputLineLength = str.length;
  let offset = 0;
  let out = '';
  while (inputLineLength - offset > wrapLength) {
    if (str[offset] === ' ') {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    let spaceToWrapAt = str.slice(offset, end).lastIndexOf(' ') + offset;
    if (spaceToWrapAt >= offset) {
      out += str.slice(offset, spaceToWrapAt) + newLineStr;
      offset = spaceToWrapAt + 1;
    } else if (wrapLongWords) {
      out += str.slice(offset, wrapLength + offset) + newLineStr;
      offset += wrapLength;
    } else {
      spaceToWrapAt = str.slice(wrapLength + offset).indexOf(' ') + wrapLength + offset;
      if (spaceToWrapAt >= wrapLength + offset) {
        out += str.slice(offset, spaceToWrapAt) + newLineStr;
        offset = spaceToWrapAt + 1;
      } else {
        out += str.slice(offset);
        offset = inputLineLength;
      }
    }
  }
  return out + str.slice(offset);
}

/** Words of an identifier-like string for the case converters: split at non-alphanumerics and case changes. */
function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '');
}

function camelcase(s: string): string {
  return s
    .split('_')
    .map((w) => (w === '' ? '_' : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('')
    .replace(/_+$/, (m) => m);
}

function adler32(b: Uint8Array): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

const S = 'string';
const I = 'int';

export function stringFuncs(): FuncMap {
  return {
    abbrev: goFunc([I, S], (w: number, s: string) => (w < 4 ? s : abbreviateFull(s, 0, w))),
    abbrevboth: goFunc([I, I, S], (l: number, r: number, s: string) => (r < 4 || (l > 0 && r < 7) ? s : abbreviateFull(s, l, r))),
    trunc: goFunc([I, S], (c: number, s: string) => {
      const n = encodeBytes(s).length;
      if (c < 0 && n + c > 0) return byteSlice(s, n + c, n);
      if (c >= 0 && n > c) return byteSlice(s, 0, c);
      return s;
    }),
    trim: goFunc([S], (s: string) => s.replace(TRIM_RE, '')),
    upper: goFunc([S], (s: string) => mapRunes(s, (c) => c.toUpperCase())),
    lower: goFunc([S], (s: string) => mapRunes(s, (c) => (c === '\u0130' ? 'i' : c.toLowerCase()))),
    title: goFunc([S], title),
    untitle: goFunc([S], uncapitalize),
    substr: goFunc([I, I, S], (start: number, end: number, s: string) => {
      const n = encodeBytes(s).length;
      if (start < 0) return byteSlice(s, 0, end);
      if (end < 0 || end > n) return byteSlice(s, start, n);
      return byteSlice(s, start, end);
    }),
    repeat: goFunc([I, S], (count: number, s: string) => {
      if (count < 0) throw new Error('strings: negative Repeat count');
      return s.repeat(count);
    }),
    trimall: goFunc([S, S], (a: string, b: string) => trimSet(b, a)),
    trimAll: goFunc([S, S], (a: string, b: string) => trimSet(b, a)),
    trimSuffix: goFunc([S, S], (a: string, b: string) => (a !== '' && b.endsWith(a) ? b.slice(0, b.length - a.length) : b)),
    trimPrefix: goFunc([S, S], (a: string, b: string) => (a !== '' && b.startsWith(a) ? b.slice(a.length) : b)),
    nospace: goFunc([S], (s: string) => s.replace(SPACE_RE, '')),
    initials: goFunc([S], initials),
    swapcase: goFunc([S], swapcase),
    snakecase: goFunc([S], (s: string) => words(s).map((w) => w.toLowerCase()).join('_')),
    kebabcase: goFunc([S], (s: string) => words(s).map((w) => w.toLowerCase()).join('-')),
    camelcase: goFunc([S], camelcase),
    wrap: goFunc([I, S], (l: number, s: string) => wrapCustom(s, l, '\n', false)),
    wrapWith: goFunc([I, S, S], (l: number, sep: string, s: string) => wrapCustom(s, l, sep, true)),
    contains: goFunc([S, S], (sub: string, s: string) => s.includes(sub)),
    hasPrefix: goFunc([S, S], (p: string, s: string) => s.startsWith(p)),
    hasSuffix: goFunc([S, S], (p: string, s: string) => s.endsWith(p)),
    quote: goFunc([], (...vs: unknown[]) => vs.filter((v) => v !== null && v !== undefined).map((v) => goQuote(strval(v))).join(' '), 'any'),
    squote: goFunc([], (...vs: unknown[]) => vs.filter((v) => v !== null && v !== undefined).map((v) => `'${formatValue(v)}'`).join(' '), 'any'),
    cat: goFunc([], (...vs: unknown[]) => vs.filter((v) => v !== null && v !== undefined).map((v) => formatValue(v)).join(' '), 'any'),
    indent: goFunc([I, S], (n: number, s: string) => ' '.repeat(n) + s.split('\n').join('\n' + ' '.repeat(n))),
    nindent: goFunc([I, S], (n: number, s: string) => '\n' + ' '.repeat(n) + s.split('\n').join('\n' + ' '.repeat(n))),
    replace: goFunc([S, S, S], (o: string, n: string, s: string) => (o === '' ? goReplaceEmpty(s, n) : s.split(o).join(n))),
    plural: goFunc([S, S, I], (one: string, many: string, count: number) => (count === 1 ? one : many)),
    sha1sum: goFunc([S], (s: string) => createHash('sha1').update(encodeBytes(s)).digest('hex')),
    sha256sum: goFunc([S], (s: string) => createHash('sha256').update(encodeBytes(s)).digest('hex')),
    adler32sum: goFunc([S], (s: string) => String(adler32(encodeBytes(s)))),
    toString: goFunc(['any'], strval),
    b64enc: goFunc([S], (s: string) => Buffer.from(encodeBytes(s)).toString('base64')),
    b64dec: goFunc([S], (s: string) => {
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return base64Error(s);
      return decodeBytes(new Uint8Array(Buffer.from(s, 'base64')));
    }),
    b32enc: goFunc([S], (s: string) => base32Encode(encodeBytes(s))),
    b32dec: goFunc([S], (s: string) => base32Decode(s)),
    join: goFunc([S, 'any'], (sep: string, v: unknown) => strslice(v).join(sep)),
    splitList: goFunc([S, S], (sep: string, s: string) => goSplit(s, sep, -1)),
    split: goFunc([S, S], (sep: string, s: string) => indexMap(goSplit(s, sep, -1))),
    splitn: goFunc([S, I, S], (sep: string, n: number, s: string) => indexMap(goSplit(s, sep, n))),
    toStrings: goFunc(['any'], strslice),
    sortAlpha: goFunc(['any'], (v: unknown) => {
      if (Array.isArray(v)) return strslice(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return [strval(v)];
    }),
  };
}

function indexMap(parts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  parts.forEach((p, i) => (out[`_${i}`] = p));
  return out;
}

/** strings.SplitN (n < 0: all; an empty separator splits into UTF-8 sequences). */
export function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = Array.from(s);
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function base64Error(s: string): string {
  // encoding/base64's CorruptInputError: the byte offset of the first bad input
  let i = 0;
  const body = s.replace(/=+$/, '');
  while (i < body.length && /[A-Za-z0-9+/]/.test(body[i]!)) i++;
  if (i === body.length) i = body.length % 4 === 1 ? body.length - 1 : s.length;
  return `illegal base64 data at input byte ${i}`;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(b: Uint8Array): string {
  let out = '';
  let bits = 0;
  let val = 0;
  for (const x of b) {
    val = (val << 8) | x;
    bits += 8;
    while (bits >= 5) {
      out += B32[(val >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(val << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function base32Decode(s: string): string {
  const body = s.replace(/=+$/, '');
  const bytes: number[] = [];
  let bits = 0;
  let val = 0;
  for (let i = 0; i < body.length; i++) {
    const k = B32.indexOf(body[i]!);
    if (k < 0) return `illegal base32 data at input byte ${i}`;
    val = ((val << 5) | k) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((val >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (s.length % 8 !== 0) return `illegal base32 data at input byte ${s.length - (s.length % 8)}`;
  return decodeBytes(new Uint8Array(bytes));
}

