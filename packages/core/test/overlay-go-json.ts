// The template data as JSON for Go's reference renderer: structs become maps
// of their fields, getters and zero-argument methods (evaluated), values with
// a String() method become that string (an empty one, an unset IP, null), named strings their text.
import { NamedString } from '@warewulf/gotemplate';

const SKIP = new Set(['constructor', 'String', 'MarshalText']);

export function goJSONData(v: unknown, depth = 0): unknown {
  if (depth > 12) throw new Error('data too deep for JSON');
  if (v === null || v === undefined || typeof v !== 'object') return v ?? null;
  if (v instanceof NamedString) return v.v;
  const str = (v as { String?: unknown }).String;
  // an unset net.IP (an empty slice) is false in Go's `if`: null keeps it false in the JSON data
  if (typeof str === 'function') return Array.isArray(v) && v.length === 0 ? null : String(str.call(v));
  if (Array.isArray(v)) return v.map((e) => goJSONData(e, depth + 1));
  const proto = Object.getPrototypeOf(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = goJSONData((v as Record<string, unknown>)[k], depth + 1);
  if (proto !== Object.prototype && proto !== null) {
    for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const k of Object.getOwnPropertyNames(p)) {
        if (SKIP.has(k) || k in out) continue;
        const d = Object.getOwnPropertyDescriptor(p, k)!;
        if (d.get) out[k] = goJSONData((v as Record<string, unknown>)[k], depth + 1);
        else if (typeof d.value === 'function' && d.value.length === 0) out[k] = goJSONData(d.value.call(v), depth + 1);
      }
    }
  }
  return out;
}
