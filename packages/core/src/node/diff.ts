/**
 * What a change did to an entity, as data: per concrete field its value
 * before and after (undefined: not set), plus whole sub-entities removed
 * (a network, a disk...). wwctl prints these as `node set` summaries; the
 * REST API returns them.
 */
import type { FieldRef } from './fields.js';
import type { FlatEntry, FlatFields, FlatValue } from './flat.js';
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
  const out: FieldChange[] = [];
  const changed: FlatEntry[] = [];
  for (const [path, e] of before) if (!same(e.value, after.get(path)?.value)) changed.push(e);
  for (const [path, e] of after) if (!before.has(path)) changed.push(e);
  // only the changes are sorted: a `node set` over 50,000 nodes diffs every node
  changed.sort(compareFields);
  for (const e of changed) out.push({ kind: 'field', ref: e.ref, path: e.path, before: before.get(e.path)?.value, after: after.get(e.path)?.value });
  return out;
}
