// encoding/json over the engine's value model: what Sprig's toJson,
// toPrettyJson and toRawJson print, and fromJson's decoding (numbers are
// float64, as json.Unmarshal into interface{} makes them).

import { formatFloat } from '../strconv.js';
import { GoBigInt, GoFloat, GoUint8, NamedString, isPlainObject, mapGet, sortedKeys } from '../values.js';

function quoteJSON(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) {
      if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0x09) out += '\\t';
      else out += '\\u00' + c.toString(16).padStart(2, '0');
    } else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) out += '\\u00' + c.toString(16);
    else if (c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16);
    else if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) out += '\\ufffd';
    else out += s[i];
  }
  return out + '"';
}

/** Go's float64 JSON text: %f within [1e-6, 1e21), else %e with a two-digit exponent trimmed. */
function floatJSON(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    let s = formatFloat(f, 'e', -1);
    s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
    return s;
  }
  return formatFloat(f, 'f', -1);
}

/** Go's json.Marshal / MarshalIndent text of a value; throws json's errors (unsupported value/type). */
export function marshalJSON(v: unknown, opts: { escapeHTML: boolean; indent?: string }): string {
  const ind = opts.indent;
  const enc = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return 'null';
    switch (typeof x) {
      case 'string':
        return quoteJSON(x, opts.escapeHTML);
      case 'boolean':
        return x ? 'true' : 'false';
      case 'number':
        return Number.isSafeInteger(x) ? String(x) : floatJSON(x);
      case 'function':
        throw new Error('json: unsupported type: func(...interface {}) interface {}');
      case 'bigint':
        return String(x);
    }
    if (x instanceof GoFloat) return floatJSON(x.v);
    if (x instanceof GoUint8) return String(x.v);
    if (x instanceof GoBigInt) return String(x.v);
    if (x instanceof NamedString) return quoteJSON(x.v, opts.escapeHTML);
    const nl = ind === undefined ? '' : '\n' + ind.repeat(depth + 1);
    const close = ind === undefined ? '' : '\n' + ind.repeat(depth);
    const colon = ind === undefined ? ':' : ': ';
    const marshal = (x as { MarshalText?: unknown }).MarshalText;
    // encoding.TextMarshaler (net.IP and the like)
    if (typeof marshal === 'function' && !isPlainObject(x)) return quoteJSON(String(marshal.call(x)), opts.escapeHTML);
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + x.map((e) => nl + enc(e, depth + 1)).join(',') + close + ']';
    }
    const obj = x as Record<string, unknown>;
    const keys = x instanceof Map || isPlainObject(x) ? sortedKeys(x) : Object.keys(x).filter((k) => typeof obj[k] !== 'function');
    if (keys.length === 0) return '{}';
    const get = (k: string) => (x instanceof Map || isPlainObject(x) ? mapGet(x, k) : obj[k]);
    return '{' + keys.map((k) => nl + quoteJSON(k, opts.escapeHTML) + colon + enc(get(k), depth + 1)).join(',') + close + '}';
  };
  return enc(v, 0);
}

/** json.Unmarshal into interface{}: objects are maps, numbers float64. Throws json's syntax error text. */
export function unmarshalJSON(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (text.trim() === '') throw new Error('unexpected end of JSON input');
    throw new Error('invalid character in JSON input');
  }
  const conv = (x: unknown): unknown => {
    if (typeof x === 'number') return Number.isInteger(x) ? new GoFloat(x) : x;
    if (Array.isArray(x)) return x.map(conv);
    if (x !== null && typeof x === 'object') {
      const out = Object.create(null) as Record<string, unknown>;
      for (const [k, e] of Object.entries(x)) out[k] = conv(e);
      return out;
    }
    return x;
  };
  return conv(parsed);
}
