// Sprig's numeric functions (numeric.go): integer arithmetic through
// cast.ToInt64 (64-bit wrap-around), float arithmetic through decimals.

import { type FuncMap, goFunc } from '../template.js';
import { goFloat, goInt, toFloat64, toInt, toInt64 } from './conv.js';

const A = 'any';

/** An exact decimal coef * 10^exp (shopspring/decimal, as far as Sprig's float functions use it). */
interface Dec {
  c: bigint;
  e: number;
}

/** decimal.NewFromFloat: the shortest decimal that round-trips (JS's own number formatting). */
function decOf(f: number): Dec {
  if (!Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${f}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(f))!;
  const frac = m[3] ?? '';
  return { c: BigInt((m[1] ?? '') + m[2] + frac), e: Number(m[4] ?? 0) - frac.length };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * 10n ** BigInt(a.e - e), b.c * 10n ** BigInt(b.e - e), e];
}

const DEC_OPS: Record<string, (a: Dec, b: Dec) => Dec> = {
  add: (a, b) => {
    const [x, y, e] = align(a, b);
    return { c: x + y, e };
  },
  sub: (a, b) => {
    const [x, y, e] = align(a, b);
    return { c: x - y, e };
  },
  mul: (a, b) => ({ c: a.c * b.c, e: a.e + b.e }),
  // Div rounds half away from zero to 16 decimal places (decimal.DivisionPrecision)
  div: (a, b) => {
    if (b.c === 0n) throw new Error('decimal division by 0');
    const [x, y] = align(a, b);
    const scaled = x * 10n ** 17n;
    let q = scaled / y;
    const neg = q < 0n;
    if (neg) q = -q;
    q = (q + 5n) / 10n;
    return { c: neg ? -q : q, e: -16 };
  },
};

function decFloat(d: Dec): number {
  return Number(`${d.c}e${d.e}`);
}

/** Sprig's execDecimalOp: each operand through decimal.NewFromFloat, the result back to float64. */
function decimalOp(first: unknown, rest: unknown[], op: string): number | object {
  const f = DEC_OPS[op]!;
  let acc = decOf(toFloat64(first));
  for (const r of rest) acc = f(acc, decOf(toFloat64(r)));
  return goFloat(decFloat(acc));
}

/** Go's int64 division semantics (truncate; division by zero is a runtime panic). */
function div64(a: bigint, b: bigint, mod: boolean): bigint {
  if (b === 0n) throw new Error('runtime error: integer divide by zero');
  return mod ? a % b : a / b;
}

export function mathFuncs(): FuncMap {
  return {
    add1: goFunc([A], (i: unknown) => goInt(toInt64(i) + 1n)),
    add: goFunc([], (...xs: unknown[]) => goInt(xs.reduce<bigint>((a, x) => a + toInt64(x), 0n)), A),
    sub: goFunc([A, A], (a: unknown, b: unknown) => goInt(toInt64(a) - toInt64(b))),
    div: goFunc([A, A], (a: unknown, b: unknown) => goInt(div64(toInt64(a), toInt64(b), false))),
    mod: goFunc([A, A], (a: unknown, b: unknown) => goInt(div64(toInt64(a), toInt64(b), true))),
    mul: goFunc([A], (a: unknown, ...xs: unknown[]) => goInt(xs.reduce<bigint>((p, x) => BigInt.asIntN(64, p * toInt64(x)), toInt64(a))), A),
    max: goFunc([A], (a: unknown, ...xs: unknown[]) => goInt(xs.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a))), A),
    biggest: goFunc([A], (a: unknown, ...xs: unknown[]) => goInt(xs.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a))), A),
    min: goFunc([A], (a: unknown, ...xs: unknown[]) => goInt(xs.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a))), A),
    maxf: goFunc([A], (a: unknown, ...xs: unknown[]) => goFloat(xs.reduce<number>((m, x) => Math.max(m, toFloat64(x)), toFloat64(a))), A),
    minf: goFunc([A], (a: unknown, ...xs: unknown[]) => goFloat(xs.reduce<number>((m, x) => Math.min(m, toFloat64(x)), toFloat64(a))), A),
    add1f: goFunc([A], (i: unknown) => decimalOp(i, [1], 'add')),
    addf: goFunc([], (...xs: unknown[]) => decimalOp(0, xs, 'add'), A),
    subf: goFunc([A], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, 'sub'), A),
    mulf: goFunc([A], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, 'mul'), A),
    divf: goFunc([A], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, 'div'), A),
    ceil: goFunc([A], (a: unknown) => goFloat(Math.ceil(toFloat64(a)))),
    floor: goFunc([A], (a: unknown) => goFloat(Math.floor(toFloat64(a)))),
    round: goFunc([A, 'int'], (a: unknown, p: number, ...r: unknown[]) => {
      const rOpt = r.length > 0 ? toFloat64(r[0]) : 0.5;
      const pow = 10 ** p;
      const digit = pow * toFloat64(a);
      const [intPart, frac] = [Math.trunc(digit), digit - Math.trunc(digit)];
      const x = frac >= rOpt ? Math.ceil(digit) : intPart;
      return goFloat(x / pow);
    }, A),
    int: goFunc([A], (v: unknown) => toInt(v)),
    int64: goFunc([A], (v: unknown) => goInt(toInt64(v))),
    float64: goFunc([A], (v: unknown) => goFloat(toFloat64(v))),
    atoi: goFunc(['string'], (s: string) => {
      if (!/^[+-]?[0-9]+$/.test(s)) return 0;
      const n = BigInt(s);
      return n > 2n ** 63n - 1n || n < -(2n ** 63n) ? 0 : goInt(n);
    }),
    toDecimal: goFunc([A], (v: unknown) => {
      const s = typeof v === 'string' ? v : String(toInt64(v));
      return /^[+-]?[0-7]+$/.test(s) ? goInt(BigInt.asIntN(64, BigInt('0o' + s.replace(/^[+-]/, '')) * (s.startsWith('-') ? -1n : 1n))) : 0;
    }),
    seq: goFunc([], (...params: number[]) => seq(params), 'int'),
    until: goFunc(['int'], (n: number) => untilStep(0, n, n < 0 ? -1 : 1)),
    untilStep: goFunc(['int', 'int', 'int'], untilStep),
  };
}

function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (step === 0) return out;
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

/** Sprig's seq: like GNU seq, numbers joined by spaces. */
function seq(params: number[]): string {
  const inc = (a: number, b: number, s: number) => untilStep(a, b + (s > 0 ? 1 : -1), s).join(' ');
  switch (params.length) {
    case 0:
      return '';
    case 1:
      return params[0]! < 1 ? inc(1, params[0]!, -1) : inc(1, params[0]!, 1);
    case 2:
      return params[1]! < params[0]! ? inc(params[0]!, params[1]!, -1) : inc(params[0]!, params[1]!, 1);
    case 3: {
      const [start, step, end] = params as [number, number, number];
      if (end < start) {
        if (step >= 0) return '';
        return inc(start, end, step);
      }
      if (step <= 0) return '';
      return inc(start, end, step);
    }
    default:
      return '';
  }
}

