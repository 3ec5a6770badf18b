/**
 * Change summaries of `node set`/`unset` and `profile set` (§1.3): per entity
 * the changed fields as `path: before → after` in flag spelling, entities
 * with the same changes grouped under one compressed hostlist header.
 * Secrets (the IPMI password) are masked as the tables mask them.
 */
import { compressHostlist, type FieldChange, type FieldSpec, type FlatValue } from '@warewulf/core';

const MASK = '********';

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
  if (spec.secret) return MASK;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  if (spec.kind === 'ip' || spec.kind === 'bool') return String(v);
  if (spec.kind === 'any') return JSON.stringify(v);
  return JSON.stringify(String(v));
}

const REMOVED_LABEL: Record<string, string> = { 'network devices': 'netdevs', disks: 'disks', filesystems: 'filesystems', partitions: 'partitions' };

function changeLine(c: FieldChange): string {
  if (c.kind === 'removed') {
    const label = c.yaml.map((k, i) => (i % 2 === 0 ? (REMOVED_LABEL[k] ?? k) : `[${k}]`)).join('').replace(/\]\[/g, '].[');
    return `  ${label}: ${c.what} → <removed>\n`;
  }
  return `  ${changePath(c.ref.spec, c.ref.keys)}: ${formatChangeValue(c.ref.spec, c.before)} → ${formatChangeValue(c.ref.spec, c.after)}\n`;
}

/** Group entities with identical change sets; groups ordered by their first id. */
export function formatChangeSummary(changes: ReadonlyMap<string, readonly FieldChange[]>): string {
  const groups = new Map<string, string[]>();
  for (const [id, list] of changes) {
    if (list.length === 0) continue;
    const body = list.map(changeLine).join('');
    const ids = groups.get(body);
    if (ids) ids.push(id);
    else groups.set(body, [id]);
  }
  const blocks = [...groups.entries()]
    .map(([body, ids]) => ({ first: [...ids].sort()[0] as string, text: `${compressHostlist([...ids].sort())}:\n${body}` }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  return blocks.map((b) => b.text).join('\n');
}
