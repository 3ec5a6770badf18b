/**
 * Secret fields (the field table's `secret`: the IPMI password) never leave
 * the API in clear: every representation shows `********` where one is set,
 * as `wwctl node list` and the fields endpoint do. A representation is
 * meant to be PUT back, so a secret given as `********` in a PUT or PATCH
 * means "keep the one stored" (PUT: the stored value is put back in; PATCH:
 * the field is left out), and any other value sets it.
 */
import { FIELDS, flattenEntity, type RawEntity, type Section } from '@warewulf/core';

export const SECRET_MASK = '********';

const SECRETS = FIELDS.filter((f) => f.secret === true);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The container holding `path`'s last key, or undefined when a step is missing. */
function holder(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let cur = root;
  for (const k of path.slice(0, -1)) {
    const next = Object.hasOwn(cur, k) ? cur[k] : undefined;
    if (!isObject(next)) return undefined;
    cur = next;
  }
  return cur;
}

/** `entity` (a fresh plain representation) with every set secret replaced by the mask, in place. */
export function maskSecrets<T extends Record<string, unknown>>(entity: T): T {
  for (const f of SECRETS) {
    const h = holder(entity, f.yaml);
    const k = f.yaml[f.yaml.length - 1] as string;
    if (h !== undefined && Object.hasOwn(h, k) && h[k] !== '' && h[k] !== undefined && h[k] !== null) h[k] = SECRET_MASK;
  }
  return entity;
}

/**
 * An incoming entity with masked secrets resolved, in place: for a PUT the
 * stored entry's value is put back (none stored: the field is dropped); for
 * a PATCH the field is dropped, so it is not changed.
 */
export function keepMaskedSecrets(incoming: RawEntity, stored: RawEntity | undefined, section: Section, method: 'PUT' | 'PATCH'): void {
  const current = method === 'PUT' && stored !== undefined ? flattenEntity(stored, section === 'node') : undefined;
  for (const f of SECRETS) {
    const h = holder(incoming, f.yaml);
    const k = f.yaml[f.yaml.length - 1] as string;
    if (h === undefined || h[k] !== SECRET_MASK) continue;
    const kept = current?.get(f.name)?.value;
    if (typeof kept === 'string' && kept !== '') h[k] = kept;
    else delete h[k];
  }
}
