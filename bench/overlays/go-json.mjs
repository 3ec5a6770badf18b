// The template data as JSON for Go's text/template (used by the bench and the
// golden test): struct fields, getters and zero-argument methods
// evaluated, Stringers as their text (an unset IP as null), named strings as
// their text. `allNodes: false` leaves .AllNodes out (per-node templates).
const SKIP = new Set(['constructor', 'String', 'MarshalText']);

export function goJSONData(v, opts = {}, depth = 0) {
  if (v === null || v === undefined || typeof v !== 'object') return v ?? null;
  if (typeof v.v === 'string' && Object.keys(v).length === 1 && typeof v.Bool === 'function') return v.v;
  if (typeof v.String === 'function') return Array.isArray(v) && v.length === 0 ? null : String(v.String());
  if (Array.isArray(v)) return v.map((e) => goJSONData(e, opts, depth + 1));
  const out = {};
  for (const k of Object.keys(v)) out[k] = goJSONData(v[k], opts, depth + 1);
  for (let p = Object.getPrototypeOf(v); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (SKIP.has(k) || k in out || (k === 'AllNodes' && opts.allNodes === false)) continue;
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (d.get) out[k] = goJSONData(v[k], opts, depth + 1);
      else if (typeof d.value === 'function' && d.value.length === 0) out[k] = goJSONData(d.value.call(v), opts, depth + 1);
    }
  }
  return out;
}
