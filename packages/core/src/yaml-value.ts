import { YamlScalar } from './yaml/scalar.js';

/** A YAML mapping as loaded: an object (not null, not a list, not a kept-text scalar). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof YamlScalar);
}

/**
 * A deep copy of YAML data (mappings, sequences, scalars), so a value handed
 * out (a merged node's resources) never shares state with the document.
 * Mappings are copied as null-prototype objects: user keys such as
 * `__proto__` or `constructor` stay ordinary keys.
 */
export function cloneData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneData) as T;
  if (isMapping(v)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(v)) out[k] = cloneData(v[k]);
    return out as T;
  }
  return v;
}

/** A new empty mapping (null prototype: any key is an ordinary key). */
export function newMapping(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}
