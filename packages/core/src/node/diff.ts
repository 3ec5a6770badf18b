/**
 * Change summaries of `node set`/`unset` and `profile set` (§1.3): per entity
 * the changed fields as `path: before → after`, entities with the same
 * changes grouped under one compressed hostlist header.
 */
import { compressHostlist } from '../hostlist.js';
import type { FieldSpec } from './fields.js';
import type { FlatFields, FlatValue } from './flat.js';
import { compareFields } from './merge.js';

export interface FieldChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** Flag-name spelling of a concrete field: `netdevs[default].ipaddr`, `kernel.kernelargs`. */
export function changePath(spec: FieldSpec, keys: readonly string[]): string {
  const parts = spec.name.split('.');
  let i = 0;
  const filled = parts.map((p) => p.replace(/\[\]/g, () => `[${keys[i++] ?? ''}]`));
  const last = filled.length - 1;
  return filled
    .map((p, idx) => {
      if (idx === last && spec.flag !== undefined) return spec.flag;
      return p.replace(/^[^[]+/, (m) => m.toLowerCase());
    })
    .join('.');
}

export function formatChangeValue(spec: FieldSpec, v: FlatValue | undefined): string {
  if (v === undefined) return '<unset>';
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  if (spec.kind === 'ip' || spec.kind === 'bool') return String(v);
  if (spec.kind === 'any') return JSON.stringify(v);
  return JSON.stringify(String(v));
}

function same(a: FlatValue | undefined, b: FlatValue | undefined): boolean {
  if (a === b) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffFields(before: FlatFields, after: FlatFields): FieldChange[] {
  const paths = new Map([...before.values(), ...after.values()].map((e) => [e.path, e]));
  const entries = [...paths.values()].sort(compareFields);
  const out: FieldChange[] = [];
  for (const e of entries) {
    const a = before.get(e.path)?.value;
    const b = after.get(e.path)?.value;
    if (same(a, b)) continue;
    const spec = e.ref.spec;
    out.push({ path: changePath(spec, e.ref.keys), before: formatChangeValue(spec, a), after: formatChangeValue(spec, b) });
  }
  return out;
}

/** Group entities with identical change sets; groups ordered by their first id. */
export function formatChangeSummary(changes: ReadonlyMap<string, readonly FieldChange[]>): string {
  const groups = new Map<string, string[]>();
  for (const [id, list] of changes) {
    if (list.length === 0) continue;
    const body = list.map((c) => `  ${c.path}: ${c.before} → ${c.after}\n`).join('');
    const ids = groups.get(body);
    if (ids) ids.push(id);
    else groups.set(body, [id]);
  }
  const blocks = [...groups.entries()]
    .map(([body, ids]) => ({ first: [...ids].sort()[0] as string, text: `${compressHostlist([...ids].sort())}:\n${body}` }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  return blocks.map((b) => b.text).join('\n');
}
