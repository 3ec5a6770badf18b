// Sprig's list and dict functions (list.go, dict.go). Lists are Go slices
// (JS arrays); dicts are map[string]interface{} (plain objects). A panic in
// Sprig (wrong kind of list) is an error here with Sprig's message.

import { type FuncMap, goFunc } from '../template.js';
import { GoBigInt, GoFloat, GoUint8, NamedString, mapGet } from '../values.js';
import { empty, isMap, reflectKindName, strval, toInt } from './conv.js';

/** reflect.DeepEqual over the value model. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object') return false;
  if (a instanceof GoFloat || a instanceof GoUint8) return b instanceof a.constructor && (b as GoFloat).v === a.v;
  if (a instanceof GoBigInt) return b instanceof GoBigInt && a.v === b.v;
  if (a instanceof NamedString) return b instanceof a.constructor && (b as NamedString).v === a.v;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function list(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`${what} type ${reflectKindName(v)}`);
}

/** A Sprig function with a must- variant: the plain one panics (an error here too), so both fail alike. */
function both(m: FuncMap, name: string, f: ReturnType<typeof goFunc>): void {
  m[name] = f;
  m['must' + name[0]!.toUpperCase() + name.slice(1)] = f;
}

function dictArg(v: unknown, name: string): Record<string, unknown> {
  if (isMap(v)) return v;
  throw new Error(`wrong type for value; expected map[string]interface {}; got ${reflectKindName(v) === 'invalid' ? '<nil>' : typeof v} in ${name}`);
}

/** A map[string]interface{} safe for any key (no prototype, so `__proto__` is an ordinary key). */
export function newMap(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** An element stored in a slice or map: a nil interface (null), never undefined. */
function nilOf(v: unknown): unknown {
  return v === undefined ? null : v;
}

function copyMap(d: Record<string, unknown>): Record<string, unknown> {
  const out = newMap();
  for (const k of Object.keys(d)) out[k] = d[k];
  return out;
}

/** mergo.Merge(dst, src) for map[string]interface{}: fill keys dst lacks (or holds empty values), recursing into maps. */
function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>, overwrite: boolean): void {
  for (const k of Object.keys(src)) {
    const s = src[k];
    const d = Object.hasOwn(dst, k) ? dst[k] : undefined;
    if (isMap(d) && isMap(s)) {
      mergeInto(d, s, overwrite);
      continue;
    }
    if (!Object.hasOwn(dst, k) || empty(d) || (overwrite && !empty(s))) dst[k] = s;
  }
}

/** copystructure.Copy: deep copy of maps and slices; other values shared. */
export function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const out = newMap();
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k]);
    return out;
  }
  return v;
}

export function collectionFuncs(): FuncMap {
  const m: FuncMap = {
    list: goFunc([], (...v: unknown[]) => v.map(nilOf), 'any'),
    tuple: goFunc([], (...v: unknown[]) => v.map(nilOf), 'any'),
    dict: goFunc([], (...kv: unknown[]) => {
      const d = newMap();
      for (let i = 0; i < kv.length; i += 2) d[strval(kv[i] ?? null)] = i + 1 < kv.length ? nilOf(kv[i + 1]) : '';
      return d;
    }, 'any'),
    get: goFunc(['any', 'string'], (d: unknown, k: string) => {
      const v = mapGet(dictArg(d, 'get'), k);
      return v === undefined ? '' : v;
    }),
    set: goFunc(['any', 'string', 'any'], (d: unknown, k: string, v: unknown) => {
      dictArg(d, 'set')[k] = nilOf(v);
      return d;
    }),
    unset: goFunc(['any', 'string'], (d: unknown, k: string) => {
      delete dictArg(d, 'unset')[k];
      return d;
    }),
    hasKey: goFunc(['any', 'string'], (d: unknown, k: string) => Object.hasOwn(dictArg(d, 'hasKey'), k)),
    pluck: goFunc(['string'], (k: string, ...ds: unknown[]) => ds.map((d) => dictArg(d, 'pluck')).filter((d) => Object.hasOwn(d, k)).map((d) => d[k]), 'any'),
    keys: goFunc([], (...ds: unknown[]) => ds.flatMap((d) => Object.keys(dictArg(d, 'keys'))), 'any'),
    pick: goFunc(['any'], (d: unknown, ...ks: string[]) => {
      const src = dictArg(d, 'pick');
      const out = newMap();
      for (const k of ks) if (Object.hasOwn(src, k)) out[k] = src[k];
      return out;
    }, 'string'),
    omit: goFunc(['any'], (d: unknown, ...ks: string[]) => {
      const out = copyMap(dictArg(d, 'omit'));
      for (const k of ks) delete out[k];
      return out;
    }, 'string'),
    values: goFunc(['any'], (d: unknown) => {
      const src = dictArg(d, 'values');
      return Object.keys(src).map((k) => src[k]);
    }),
    dig: goFunc(['any'], (...args: unknown[]) => {
      if (args.length < 3) throw new Error('dig needs at least three arguments');
      const dict = args[args.length - 1];
      const def = args[args.length - 2];
      const ks = args.slice(0, -2).map((k) => strval(k));
      let cur: unknown = dictArg(dict, 'dig');
      for (const k of ks) {
        if (!isMap(cur) || !Object.hasOwn(cur, k)) return def;
        cur = cur[k];
      }
      return cur;
    }, 'any'),
    concat: goFunc([], (...lists: unknown[]) => {
      const out: unknown[] = [];
      for (const l of lists) {
        if (!Array.isArray(l)) throw new Error(`Cannot concat type ${reflectKindName(l)} as list`);
        out.push(...l);
      }
      return out;
    }, 'any'),
    deepEqual: goFunc(['any', 'any'], deepEqual),
  };
  for (const [name, f] of Object.entries({
    merge: false,
    mergeOverwrite: true,
  })) {
    both(m, name, goFunc(['any'], (dst: unknown, ...srcs: unknown[]) => {
      const d = dictArg(dst, name);
      for (const s of srcs) mergeInto(d, dictArg(s, name), f);
      return d;
    }, 'any'));
  }
  both(m, 'append', goFunc(['any', 'any'], (l: unknown, v: unknown) => [...list(l, 'Cannot push on'), nilOf(v)]));
  m['push'] = m['append']!;
  m['mustPush'] = m['append']!;
  both(m, 'prepend', goFunc(['any', 'any'], (l: unknown, v: unknown) => [nilOf(v), ...list(l, 'Cannot prepend on')]));
  both(m, 'first', goFunc(['any'], (l: unknown) => {
    const a = list(l, 'Cannot find first on');
    return a.length === 0 ? undefined : a[0];
  }));
  both(m, 'last', goFunc(['any'], (l: unknown) => {
    const a = list(l, 'Cannot find last on');
    return a.length === 0 ? undefined : a[a.length - 1];
  }));
  both(m, 'rest', goFunc(['any'], (l: unknown) => list(l, 'Cannot find rest on').slice(1)));
  both(m, 'initial', goFunc(['any'], (l: unknown) => list(l, 'Cannot find initial on').slice(0, -1)));
  both(m, 'reverse', goFunc(['any'], (l: unknown) => [...list(l, 'Cannot find reverse on')].reverse()));
  both(m, 'compact', goFunc(['any'], (l: unknown) => list(l, 'Cannot compact on').filter((x) => !empty(x))));
  both(m, 'uniq', goFunc(['any'], (l: unknown) => {
    const out: unknown[] = [];
    for (const x of list(l, 'Cannot find uniq on')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  }));
  both(m, 'without', goFunc(['any'], (l: unknown, ...omit: unknown[]) => list(l, 'Cannot find without on').filter((x) => !omit.some((o) => deepEqual(x, o))), 'any'));
  both(m, 'has', goFunc(['any', 'any'], (needle: unknown, hay: unknown) => {
    if (hay === null || hay === undefined) return false;
    return list(hay, 'Cannot find has on').some((x) => deepEqual(needle, x));
  }));
  both(m, 'slice', goFunc(['any'], (l: unknown, ...idx: unknown[]) => {
    if (!Array.isArray(l)) throw new Error(`list should be type of slice or array but ${reflectKindName(l)}`);
    if (l.length === 0) return undefined;
    const start = idx.length > 0 ? toInt(idx[0]) : 0;
    const end = idx.length < 2 ? l.length : toInt(idx[1]);
    if (start < 0 || end > l.length || start > end) throw new Error(`reflect: slice index out of range`);
    return l.slice(start, end);
  }, 'any'));
  both(m, 'chunk', goFunc(['int', 'any'], (size: number, l: unknown) => {
    const a = list(l, 'Cannot chunk');
    const out: unknown[][] = [];
    for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
    return out;
  }));
  m['deepCopy'] = goFunc(['any'], (v: unknown) => {
    if (v === null || v === undefined) throw new Error('copy: Copy called with nil');
    return deepCopy(v);
  });
  m['mustDeepCopy'] = goFunc(['any'], (v: unknown) => {
    if (v === null || v === undefined) throw new Error('copy: Copy called with nil');
    return deepCopy(v);
  });
  return m;
}

