/** A YAML mapping as js-yaml gives it: a plain object (not null, not a list). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of YAML data (mappings, sequences, scalars), so a value handed
 * out (a merged node's resources) never shares state with the document.
 * Mappings are copied as null-prototype objects: user keys such as
 * `__proto__` or `constructor` stay ordinary keys.
 */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneData) as T;
  if (isMapping(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(v)) out[k] = cloneData(v[k]);
    return out as T;
  }
  return v;
}
