/**
 * What a change did to an entity, as data: per concrete field its value
 * before and after (undefined: not set), plus whole sub-entities removed
 * (a network, a disk...). wwctl prints these as `node set` summaries; the
 * REST API returns them.
 */
import type { FieldRef } from './fields.js';
import type { FlatFields, FlatValue } from './flat.js';
import { compareFields } from './merge.js';

export type FieldChange =
  | { readonly kind: 'field'; readonly ref: FieldRef; readonly path: string; readonly before: FlatValue | undefined; readonly after: FlatValue | undefined }
  /** A sub-entity removed whole, e.g. `network devices` / `eth9` (which may have had no fields at all). */
  | { readonly kind: 'removed'; readonly yaml: readonly string[]; readonly what: string };

function same(a: FlatValue | undefined, b: FlatValue | undefined): boolean {
  if (a === b) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The fields whose own value differs between two flattenings, in data-model order. */
export function diffFields(before: FlatFields, after: FlatFields): FieldChange[] {
  const paths = new Map([...before.values(), ...after.values()].map((e) => [e.path, e]));
  const entries = [...paths.values()].sort(compareFields);
  const out: FieldChange[] = [];
  for (const e of entries) {
    const a = before.get(e.path)?.value;
    const b = after.get(e.path)?.value;
    if (same(a, b)) continue;
    out.push({ kind: 'field', ref: e.ref, path: e.path, before: a, after: b });
  }
  return out;
}
