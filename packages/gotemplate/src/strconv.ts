import { decodeBytes } from './values.js';

// Go's strconv pieces the engine needs: FormatFloat (exact, round-half-even)
// and Quote/QuoteRune. Go works on UTF-8 bytes; we work on code points and
// convert to bytes only where byte semantics are visible.

interface Digits {
  d: string; // significant digits, no leading/trailing zeros ("" for zero)
  dp: number; // decimal point position: value = 0.d × 10^dp
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  const e2 = exp - 1075;
  let s: string;
  let dp: number;
  if (e2 >= 0) {
    s = (mant << BigInt(e2)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e2)).toString();
    dp = s.length + e2;
  }
  return { d: trimZeros(s), dp };
}

function trimZeros(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 48) e--;
  return s.slice(0, e);
}

/** Shortest digits that round-trip (JS and Go agree on these). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const e = x.toExponential(); // "d.ddde+N"
  const i = e.indexOf('e');
  const mant = e.slice(0, i).replace('.', '');
  return { d: trimZeros(mant), dp: parseInt(e.slice(i + 1), 10) + 1 };
}

/** Round to nd significant digits, half to even on the exact value. */
function roundDigits(a: Digits, nd: number): Digits {
  if (nd < 0 || nd >= a.d.length) return a;
  const c = a.d.charCodeAt(nd);
  let up: boolean;
  if (c === 53 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 53;
  if (!up) return { d: trimZeros(a.d.slice(0, nd)), dp: a.dp };
  let i = nd - 1;
  while (i >= 0 && a.d.charCodeAt(i) === 57) i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

function digitAt(d: Digits, i: number): string {
  return i >= 0 && i < d.d.length ? d.d[i]! : '0';
}

function fmtE(neg: boolean, d: Digits, prec: number, ch: string): string {
  let s = neg ? '-' : '';
  s += digitAt(d, 0);
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  s += ch;
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  s += exp < 10 ? '0' + exp : String(exp);
  return s;
}

function fmtF(neg: boolean, d: Digits, prec: number): string {
  let s = neg ? '-' : '';
  if (d.dp > 0) {
    s += d.d.slice(0, d.dp);
    for (let i = d.d.length; i < d.dp; i++) s += '0';
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, d.dp + i - 1);
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  if (fmt === 'x' || fmt === 'X' || fmt === 'b') return fmtBinary(ax, neg, fmt, prec);
  const shortest = prec < 0;
  let d: Digits;
  const lower = fmt.toLowerCase();
  if (shortest) {
    d = shortestDigits(ax);
    switch (lower) {
      case 'e':
        prec = Math.max(d.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(d.d.length - d.dp, 0);
        break;
      case 'g':
        prec = d.d.length;
        break;
    }
  } else {
    d = exactDigits(ax);
    switch (lower) {
      case 'e':
        d = roundDigits(d, prec + 1);
        break;
      case 'f':
        d = roundDigits(d, d.dp + prec);
        if (d.dp + prec < 0) d = { d: '', dp: 0 };
        break;
      case 'g':
        if (prec === 0) prec = 1;
        d = roundDigits(d, prec);
        break;
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
    case 'F':
      return fmtF(neg, d, prec);
    case 'g':
    case 'G': {
      let eprec = prec;
      const nd = d.d.length;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = nd;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
  return '%' + fmt;
}

const printableRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint (ASCII space counts, other spaces do not). */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return printableRe.test(String.fromCodePoint(cp));
}

function hex(n: number, w: number): string {
  return n.toString(16).padStart(w, '0');
}

function quoteCp(cp: number, q: number, ascii: boolean): string {
  if (cp === q || cp === 92) return '\\' + String.fromCharCode(cp);
  if (ascii ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp >= 0xdc80 && cp <= 0xdcff) return '\\x' + hex(cp - 0xdc00, 2); // a raw byte (see values.ts)
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

/** strconv.Quote (or QuoteToASCII). */
export function quote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) out += quoteCp(ch.codePointAt(0)!, 34, ascii);
  return out + '"';
}

/** strconv.QuoteRune. */
export function quoteRune(cp: number, ascii = false): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0) cp = 0xfffd;
  return "'" + quoteCp(cp, 39, ascii) + "'";
}

export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x60 || c === 0xfeff) return false;
    if (c < 0x20 && c !== 9) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

/** strconv.Unquote for "..." `...` and '...' literals; throws "invalid syntax". */
export function unquote(text: string): string {
  const q = text[0];
  if (text.length < 2 || text[text.length - 1] !== q) throw new SyntaxError('invalid syntax');
  const body = text.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new SyntaxError('invalid syntax');
  let out = '';
  let bytes: number[] | null = null; // pending \x / octal bytes, decoded as UTF-8
  const flush = (): void => {
    if (bytes) {
      out += decodeBytes(Uint8Array.from(bytes));
      bytes = null;
    }
  };
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === q && q === '"') throw new SyntaxError('invalid syntax');
    if (c === '\n') throw new SyntaxError('invalid syntax');
    if (c !== '\\') {
      flush();
      const cp = body.codePointAt(i)!;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        flush();
        out += '\x07';
        break;
      case 'b':
        flush();
        out += '\b';
        break;
      case 'f':
        flush();
        out += '\f';
        break;
      case 'n':
        flush();
        out += '\n';
        break;
      case 'r':
        flush();
        out += '\r';
        break;
      case 't':
        flush();
        out += '\t';
        break;
      case 'v':
        flush();
        out += '\v';
        break;
      case '\\':
        flush();
        out += '\\';
        break;
      case "'":
      case '"':
        if (e !== q) throw new SyntaxError('invalid syntax');
        flush();
        out += e;
        break;
      case 'x': {
        const h = body.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new SyntaxError('invalid syntax');
        (bytes ??= []).push(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const h = body.slice(i, i + n);
        if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new SyntaxError('invalid syntax');
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new SyntaxError('invalid syntax');
        flush();
        out += String.fromCodePoint(cp);
        i += n;
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const o = body.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(o)) throw new SyntaxError('invalid syntax');
          const v = parseInt(o, 8);
          if (v > 255) throw new SyntaxError('invalid syntax');
          (bytes ??= []).push(v);
          i += 2;
          break;
        }
        throw new SyntaxError('invalid syntax');
      }
    }
  }
  flush();
  return out;
}

/** %b (mantissa p exponent) and %x/%X (hex float) of strconv.FormatFloat. */
function fmtBinary(ax: number, neg: boolean, fmt: string, prec: number): string {
  f64.setFloat64(0, ax);
  const bits = f64.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  exp -= 1023;
  if (fmt === 'b') {
    const e = exp - 52;
    return (neg ? '-' : '') + mant.toString() + 'p' + (e >= 0 ? '+' : '') + String(e);
  }
  if (mant === 0n) exp = 0;
  mant <<= 8n; // leading 1 at bit 60
  const B60 = 1n << 60n;
  const MASK64 = (1n << 64n) - 1n;
  while (mant !== 0n && (mant & B60) === 0n) {
    mant = (mant << 1n) & MASK64;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (B60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hexd = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let s = (neg ? '-' : '') + '0' + fmt + String(Number((mant >> 60n) & 1n));
  mant = (mant << 4n) & MASK64;
  if (prec < 0 && mant !== 0n) {
    s += '.';
    while (mant !== 0n) {
      s += hexd[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  } else if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      s += hexd[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  }
  s += fmt === 'X' ? 'P' : 'p';
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  s += exp < 10 ? '0' + exp : String(exp);
  return s;
}
