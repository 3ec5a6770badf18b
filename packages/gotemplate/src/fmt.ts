// Go's fmt package (Sprint, Sprintln, Sprintf) over the engine's value model.
// Structure follows fmt/print.go so that odd corners (%!verb(type=value),
// flags applied to fallbacks, interface-typed container elements) match.

import { canBackquote, formatFloat, isPrint, quote, quoteRune } from './strconv.js';
import {
  GoBigInt,
  GoComplex,
  GoFloat,
  GoUint8,
  encodeBytes,
  isPlainObject,
  mapGet,
  NamedString,
  sliceTypeName,
  sortedKeys,
  typeName,
} from './values.js';

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Does the value have a Go String() method (fmt.Stringer)? */
export function stringerOf(v: object): (() => unknown) | undefined {
  if (Array.isArray(v)) {
    // only a slice given a named type with stringerSlice() has one
    const s = (v as { String?: unknown }).String;
    return typeof s === 'function' ? (s as () => unknown) : undefined;
  }
  if (isPlainObject(v) || v instanceof Map) return undefined;
  if (v instanceof GoFloat || v instanceof GoUint8 || v instanceof GoComplex || v instanceof GoBigInt) return undefined;
  const f = (v as { String?: unknown }).String;
  return typeof f === 'function' ? (f as () => unknown) : undefined;
}

/** Enumerable data fields of a struct-like class instance, in declaration order. */
export function structFields(v: object): string[] {
  return Object.keys(v).filter((k) => typeof (v as Record<string, unknown>)[k] !== 'function');
}

class Printer {
  buf = '';
  // flags
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  widPresent = false;
  prec = 0;
  precPresent = false;
  // the argument being printed (for %!verb(type=value))
  arg: unknown = undefined;
  argIsValue = false; // set while printing container elements (p.value in Go)
  erroring = false;

  clearflags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
    this.widPresent = this.precPresent = false;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  truncate(s: string): string {
    if (this.precPresent) {
      let n = this.prec;
      let i = 0;
      for (const ch of s) {
        n--;
        if (n < 0) return s.slice(0, i);
        i += ch.length;
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtBoolean(b: boolean): void {
    this.pad(b ? 'true' : 'false');
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(quote(s, this.plus));
  }

  fmtSx(s: string, digits: string): void {
    const b = encodeBytes(s);
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = '';
    if (this.sharp) out += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += '0' + digits[16];
      }
      const c = b[i]!;
      out += digits[c >> 4]! + digits[c & 15]!;
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtInteger(u: bigint, base: number, verb: string, digits: string): void {
    const negative = u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8) {
        if (s[0] !== '0') s = '0' + s;
      } else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    u = BigInt.asUintN(64, u); // Go formats the uint64 bit pattern
    let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    const r = Number(u);
    if (this.sharp && u <= 0x10ffffn && isPrint(r)) s += " '" + String.fromCodePoint(r) + "'";
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtFloatRaw(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === '-' || num[0] === '+') {
      // keep
    } else num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      num = sharpFloat(num, verb, prec);
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // --- print.go level ---

  badVerb(verb: string): void {
    this.erroring = true;
    this.buf += '%!' + verb + '(';
    if (this.arg !== undefined && this.arg !== NIL_ARG) {
      this.buf += typeName(this.arg) + '=';
      this.printArg(this.arg, 'v');
    } else if (this.argIsValue) {
      this.buf += '<nil>';
    } else {
      this.buf += '<nil>';
    }
    this.buf += ')';
    this.erroring = false;
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.fmtBoolean(v);
    else this.badVerb(verb);
  }

  fmtInt(v: bigint, signed: boolean, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV && !signed) {
          // fmt0x64 with leading 0x
          const oldSharp = this.sharp;
          this.sharp = true;
          this.fmtInteger(v, 16, 'v', LDIGITS);
          this.sharp = oldSharp;
        } else this.fmtInteger(v, 10, verb, LDIGITS);
        break;
      case 'd':
        this.fmtInteger(v, 10, verb, LDIGITS);
        break;
      case 'b':
        this.fmtInteger(v, 2, verb, LDIGITS);
        break;
      case 'o':
      case 'O':
        this.fmtInteger(v, 8, verb, LDIGITS);
        break;
      case 'x':
        this.fmtInteger(v, 16, verb, LDIGITS);
        break;
      case 'X':
        this.fmtInteger(v, 16, verb, UDIGITS);
        break;
      case 'c': {
        let r = v;
        if (r > 0x10ffffn || r < 0n || (r >= 0xd800n && r <= 0xdfffn)) r = 0xfffdn;
        this.pad(String.fromCodePoint(Number(r)));
        break;
      }
      case 'q': {
        let r = Number(v);
        if (v > 0x10ffffn || v < 0n) r = 0xfffd;
        this.pad(quoteRune(r, this.plus)); // fmtQc ignores '#'
        break;
      }
      case 'U':
        this.fmtUnicode(v);
        break;
      default:
        this.badVerb(verb);
    }
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloatRaw(v, 'g', -1);
        break;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloatRaw(v, verb, -1);
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        this.fmtFloatRaw(v, verb === 'F' ? 'f' : verb, 6);
        break;
      default:
        this.badVerb(verb);
    }
  }

  fmtComplex(v: GoComplex, verb: string): void {
    switch (verb) {
      case 'v':
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
      case 'f':
      case 'F':
      case 'e':
      case 'E': {
        const oldPlus = this.plus;
        this.buf += '(';
        this.fmtFloat(v.re, verb);
        this.plus = true;
        this.fmtFloat(v.im, verb);
        this.buf += 'i)';
        this.plus = oldPlus;
        break;
      }
      default:
        this.badVerb(verb);
    }
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        break;
      case 's':
        this.fmtS(v);
        break;
      case 'x':
        this.fmtSx(v, LDIGITS);
        break;
      case 'X':
        this.fmtSx(v, UDIGITS);
        break;
      case 'q':
        this.fmtQ(v);
        break;
      default:
        this.badVerb(verb);
    }
  }

  handleMethods(v: unknown, verb: string): boolean {
    if (this.erroring || this.sharpV) return false;
    if (verb !== 'v' && verb !== 's' && verb !== 'x' && verb !== 'X' && verb !== 'q') return false;
    if (typeof v !== 'object' || v === null) return false;
    if (v instanceof Error) {
      this.fmtString(v.message, verb);
      return true;
    }
    const f = stringerOf(v);
    if (!f) return false;
    this.fmtString(String(f.call(v)), verb);
    return true;
  }

  /** printArg: a top-level operand (an interface{} argument in Go). */
  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    this.argIsValue = false;
    if (arg === undefined || arg === null || arg === NIL_ARG) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    this.printScalarOrValue(arg, verb, 0);
  }

  printScalarOrValue(arg: unknown, verb: string, depth: number): void {
    switch (typeof arg) {
      case 'string':
        this.fmtString(arg, verb);
        return;
      case 'number':
        if (Number.isSafeInteger(arg)) this.fmtInt(BigInt(arg), true, verb);
        else this.fmtFloat(arg, verb);
        return;
      case 'boolean':
        this.fmtBool(arg, verb);
        return;
      case 'bigint':
        this.fmtInt(arg, true, verb);
        return;
      case 'function':
        this.pad('0x1'); // Go prints a func's address; there is none to show here
        return;
    }
    if (arg instanceof GoFloat) return this.fmtFloat(arg.v, verb);
    if (arg instanceof GoUint8) return this.fmtInt(BigInt(arg.v), false, verb);
    if (arg instanceof GoBigInt) return this.fmtInt(arg.v, true, verb);
    if (arg instanceof GoComplex) return this.fmtComplex(arg, verb);
    if (this.handleMethods(arg, verb)) return;
    if (arg instanceof NamedString) return this.fmtString(arg.v, verb);
    this.printValue(arg as object, verb, depth);
  }

  /** An element inside a container: Go's interface-typed reflect.Value. */
  printElem(v: unknown, verb: string, depth: number): void {
    if (v === null || v === undefined) {
      this.buf += this.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    this.arg = v;
    if (typeof v === 'object' && this.handleMethods(v, verb)) return;
    this.printScalarOrValue(v, verb, depth);
  }

  printValue(v: object, verb: string, depth: number): void {
    this.arg = v;
    if (Array.isArray(v)) {
      if (this.sharpV) {
        this.buf += sliceTypeName(v) + '{';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) this.buf += ', ';
          this.printElem(v[i], verb, depth + 1);
        }
        this.buf += '}';
      } else {
        this.buf += '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) this.buf += ' ';
          this.printElem(v[i], verb, depth + 1);
        }
        this.buf += ']';
      }
      return;
    }
    if (v instanceof Map || isPlainObject(v)) {
      this.buf += this.sharpV ? 'map[string]interface {}{' : 'map[';
      const keys = sortedKeys(v);
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
        const k = keys[i]!;
        this.arg = k;
        this.fmtString(k, verb);
        this.buf += ':';
        this.printElem(mapGet(v, k), verb, depth + 1);
      }
      this.buf += this.sharpV ? '}' : ']';
      return;
    }
    // struct
    if (this.sharpV) this.buf += typeName(v);
    this.buf += '{';
    const fields = structFields(v);
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
      if (this.plusV || this.sharpV) this.buf += fields[i] + ':';
      this.printElem((v as Record<string, unknown>)[fields[i]!], verb, depth + 1);
    }
    this.buf += '}';
  }

  doPrint(a: unknown[]): void {
    let prevString = false;
    for (let i = 0; i < a.length; i++) {
      const arg = a[i];
      const isString = typeof arg === 'string' || arg instanceof NamedString;
      if (i > 0 && !isString && !prevString) this.buf += ' ';
      this.printArg(arg, 'v');
      prevString = isString;
    }
  }

  doPrintln(a: unknown[]): void {
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.buf += ' ';
      this.printArg(a[i], 'v');
    }
    this.buf += '\n';
  }

  reordered = false;
  goodArgNum = true;

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    // parseArgNumber
    let index = 0;
    let wid = 1;
    let ok = false;
    if (format.length - i >= 3) {
      for (let k = i + 1; k < format.length; k++) {
        if (format[k] === ']') {
          const r = parsenum(format, i + 1, k);
          if (!r.ok || r.i !== k) {
            wid = k - i + 1;
          } else {
            index = r.n - 1;
            wid = k - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, a: unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let i = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop: while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format.charCodeAt(i) !== 37) i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearflags();
      simple: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = !this.minus;
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            this.zero = false;
            break;
          case ' ':
            this.space = true;
            break;
          default:
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v') {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      // width
      if (i < end && format[i] === '*') {
        i++;
        const r = intFromArg(a, argNum);
        this.wid = r.n;
        this.widPresent = r.ok;
        argNum = r.argNum;
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        const r = parsenum(format, i, end);
        this.wid = r.n;
        this.widPresent = r.ok;
        i = r.i;
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          const r = intFromArg(a, argNum);
          this.prec = r.n;
          this.precPresent = r.ok;
          argNum = r.argNum;
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          const r = parsenum(format, i, end);
          this.prec = r.n;
          this.precPresent = r.ok;
          i = r.i;
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === '%') {
        this.buf += '%';
      } else if (!this.goodArgNum) {
        this.buf += '%!' + verb + '(BADINDEX)';
      } else if (argNum >= a.length) {
        this.buf += '%!' + verb + '(MISSING)';
      } else {
        if (verb === 'v') {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < a.length) {
      this.clearflags();
      this.buf += '%!(EXTRA ';
      for (let k = argNum; k < a.length; k++) {
        if (k > argNum) this.buf += ', ';
        const arg = a[k];
        if (arg === undefined || arg === null || arg === NIL_ARG) this.buf += '<nil>';
        else {
          this.buf += typeName(arg) + '=';
          this.printArg(arg, 'v');
        }
      }
      this.buf += ')';
    }
  }
}

/** Marker for a nil interface{} argument (kept distinct from "no argument"). */
const NIL_ARG: unique symbol = Symbol('nil');

function parsenum(s: string, start: number, end: number): { n: number; ok: boolean; i: number } {
  let i = start;
  let n = 0;
  let ok = false;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (n > 1e6) return { n: 0, ok: false, i: end };
    n = n * 10 + (c - 48);
    ok = true;
    i++;
  }
  return { n, ok, i };
}

function intFromArg(a: unknown[], argNum: number): { n: number; ok: boolean; argNum: number } {
  let n = 0;
  let ok = false;
  if (argNum < a.length) {
    const v = a[argNum];
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      n = v;
      ok = true;
    } else if (v instanceof GoUint8) {
      n = v.v;
      ok = true;
    }
    if (n > 1e6 || n < -1e6) {
      n = 0;
      ok = false;
    }
    argNum++;
  }
  return { n, ok, argNum };
}

/** The %#e / %#f / %#g / %#x decimal-point and trailing-zero rules of fmt.fmtFloat. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
    digits = prec;
    if (digits === -1) digits = 6;
  }
  let tail = '';
  let hasDot = false;
  let sawNonzero = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i]!;
    if (c === '.') hasDot = true;
    else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasDot) {
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  while (digits > 0) {
    num += '0';
    digits--;
  }
  return num + tail;
}

function toArgs(a: unknown[]): unknown[] {
  return a.map((x) => (x === null || x === undefined ? NIL_ARG : x));
}

export function sprint(a: unknown[]): string {
  const p = new Printer();
  p.doPrint(toArgs(a));
  return p.buf;
}

export function sprintln(a: unknown[]): string {
  const p = new Printer();
  p.doPrintln(toArgs(a));
  return p.buf;
}

export function sprintf(format: string, a: unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, toArgs(a));
  return p.buf;
}

/** fmt.Sprint of one value (the "%v" text of a value). */
export function formatValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isSafeInteger(v) ? String(v) : formatFloat(v, 'g', -1);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  const p = new Printer();
  p.printArg(v === null || v === undefined ? NIL_ARG : v, 'v');
  return p.buf;
}

/** fmt.Sprintf("%s", v) for error messages that print a reflect.Value with %s. */
export function formatVerb(verb: string, v: unknown): string {
  const p = new Printer();
  p.printArg(v === null || v === undefined ? NIL_ARG : v, verb);
  return p.buf;
}
