/**
 * Turning what an admin asked for (`node set --ipaddr ... --netname ...`)
 * into core's field edits: flags and selectors become concrete fields
 * (`NetDevs[default].Ipaddr`), values are validated by core at this edge and
 * errors name the flag. The same request shape serves node and profile
 * add/set/unset.
 */
import { FIELD_BY_FLAG, FIELD_BY_NAME, WwError, checkName, parseFieldValue, type EditOp, type FieldRef, type FieldSpec } from '@warewulf/core';
import { splitListFlag } from './flag-values.js';

export interface Selectors {
  netname: string;
  diskname?: string;
  partname?: string;
  fsname?: string;
}

export interface SetRequest extends Selectors {
  /** Field flags that were given explicitly, by long flag name, with their raw text. */
  values: ReadonlyMap<string, string | readonly string[]>;
  tagadd?: [string, string][];
  tagdel?: string[];
  ipmitagadd?: [string, string][];
  ipmitagdel?: string[];
  nettagadd?: [string, string][];
  nettagdel?: string[];
  netdel?: string;
  diskdel?: string;
  partdel?: string;
  fsdel?: string;
  addProfiles?: string[];
  delProfiles?: string[];
}

export interface UnsetRequest extends Selectors {
  /** Field flags given (booleans in `unset`). */
  fields: ReadonlySet<string>;
  /** Which selectors were given explicitly (a selector alone removes its sub-entity). */
  explicit: ReadonlySet<'netname' | 'diskname' | 'partname' | 'fsname'>;
  tag?: string[];
  ipmitag?: string[];
  nettag?: string[];
}

const spec = (name: string): FieldSpec => FIELD_BY_NAME.get(name) as FieldSpec;

/** `--fsname var` (with `--partname var`) means the partition's block device (§1.2). */
export function resolveFsName(sel: Selectors): string | undefined {
  if (sel.fsname === undefined) return undefined;
  if (sel.fsname.startsWith('/dev')) return sel.fsname;
  if (sel.partname !== undefined && sel.fsname === sel.partname) return `/dev/disk/by-partlabel/${sel.partname}`;
  throw new WwError('WW_ERR_INVALID_VALUE', 'filesystems need to have a underlying blockdev');
}

/** The map keys that address a field of the given scope. */
function keysFor(s: FieldSpec, sel: Selectors, fsname: string | undefined, forUnset: boolean): string[] {
  const flag = `--${s.flag ?? s.name}`;
  switch (s.scope) {
    case 'top':
      return [];
    case 'net':
      return [sel.netname];
    case 'disk':
      if (sel.diskname === undefined) throw new WwError('WW_ERR_USAGE', `--diskname must be specified with ${flag}`);
      return [sel.diskname];
    case 'part':
      if (sel.diskname === undefined || sel.partname === undefined) {
        throw new WwError('WW_ERR_USAGE', forUnset ? `--diskname and --partname must be specified with ${flag}` : 'partition and disk must be specified');
      }
      return [sel.diskname, sel.partname];
    case 'fs':
      if (fsname === undefined) throw new WwError('WW_ERR_USAGE', `--fsname must be specified with ${flag}`);
      return [fsname];
  }
}

function tagRef(name: string, keys: string[]): FieldRef {
  return { spec: spec(name), keys };
}

/** Edits for `add`/`set`, in upstream's processing order (§1.3). */
/** Selector values are names of sub-entities: each follows its kind's rule (`--netname ''` is refused). */
function checkSelectors(sel: Selectors): void {
  checkName('network', sel.netname, '--netname');
  if (sel.diskname !== undefined) checkName('disk', sel.diskname, '--diskname');
  if (sel.partname !== undefined) checkName('partition', sel.partname, '--partname');
  // a name without `/` is a partition's (resolveFsName turns it into its device or refuses it as upstream does)
  if (sel.fsname !== undefined && sel.fsname.startsWith('/')) checkName('filesystem', sel.fsname, '--fsname');
}

export function editsForSet(req: SetRequest): EditOp[] {
  checkSelectors(req);
  if ((req.partname === undefined) !== (req.diskname === undefined) && [...req.values.keys()].some((f) => FIELD_BY_FLAG.get(f)?.scope === 'part')) {
    throw new WwError('WW_ERR_USAGE', 'partition and disk must be specified');
  }
  const fsname = resolveFsName(req);
  const edits: EditOp[] = [];
  for (const [flag, raw] of req.values) {
    const s = FIELD_BY_FLAG.get(flag);
    if (!s) throw new Error(`no field for flag --${flag}`);
    const ref: FieldRef = { spec: s, keys: keysFor(s, req, fsname, false) };
    const argsOf = typeof raw === 'string' ? [raw] : raw;
    // a list flag may be repeated; each argument splits by the list's own rules; a scalar takes the last
    const value = s.kind === 'list' ? argsOf.flatMap((a) => splitListFlag(a, s)) : (argsOf[argsOf.length - 1] as string);
    const v = parseFieldValue(s, value, `--${flag}`);
    edits.push(v.kind === 'set' ? { op: 'set', ref, value: v.value } : { op: 'unset', ref });
  }
  if (req.netdel !== undefined) edits.push({ op: 'remove', yaml: ['network devices', req.netdel], what: `network device name doesn't exist: ${req.netdel}` });
  if (req.partdel !== undefined) edits.push({ op: 'removePartition', ...(req.diskname !== undefined ? { disk: req.diskname } : {}), part: req.partdel });
  if (req.diskdel !== undefined) edits.push({ op: 'remove', yaml: ['disks', req.diskdel], what: `disk doesn't exist: ${req.diskdel}` });
  if (req.fsdel !== undefined) edits.push({ op: 'remove', yaml: ['filesystems', req.fsdel], what: `filesystem doesn't exist: ${req.fsdel}` });
  for (const k of req.tagdel ?? []) edits.push({ op: 'unset', ref: tagRef('Tags[]', [k]) });
  for (const [k, v] of req.tagadd ?? []) edits.push({ op: 'set', ref: tagRef('Tags[]', [k]), value: v });
  for (const [k, v] of req.ipmitagadd ?? []) edits.push({ op: 'set', ref: tagRef('Ipmi.Tags[]', [k]), value: v });
  for (const k of req.ipmitagdel ?? []) edits.push({ op: 'unset', ref: tagRef('Ipmi.Tags[]', [k]) });
  for (const k of req.nettagdel ?? []) edits.push({ op: 'unset', ref: tagRef('NetDevs[].Tags[]', [req.netname, k]) });
  for (const [k, v] of req.nettagadd ?? []) edits.push({ op: 'set', ref: tagRef('NetDevs[].Tags[]', [req.netname, k]), value: v });
  if (req.addProfiles?.length) edits.push({ op: 'addProfiles', names: req.addProfiles });
  if (req.delProfiles?.length) edits.push({ op: 'delProfiles', names: req.delProfiles });
  return edits;
}

/** Edits for `unset` (§1.3 node unset). */
export function editsForUnset(req: UnsetRequest): EditOp[] {
  checkSelectors(req);
  const fsname = resolveFsName(req);
  const edits: EditOp[] = [];
  const scopesUsed = new Set<string>();
  for (const flag of req.fields) {
    const s = FIELD_BY_FLAG.get(flag);
    if (!s) throw new Error(`no field for flag --${flag}`);
    scopesUsed.add(s.scope);
    edits.push({ op: 'unset', ref: { spec: s, keys: keysFor(s, req, fsname, true) } });
  }
  for (const k of req.tag ?? []) edits.push({ op: 'unset', ref: tagRef('Tags[]', [k]) });
  for (const k of req.ipmitag ?? []) edits.push({ op: 'unset', ref: tagRef('Ipmi.Tags[]', [k]) });
  for (const k of req.nettag ?? []) edits.push({ op: 'unset', ref: tagRef('NetDevs[].Tags[]', [req.netname, k]) });
  if (req.nettag?.length) scopesUsed.add('net');
  // a selector with no field of its scope removes the whole sub-entity
  if (req.explicit.has('netname') && !scopesUsed.has('net')) {
    edits.push({ op: 'remove', yaml: ['network devices', req.netname], what: `network device name doesn't exist: ${req.netname}` });
  }
  if (req.explicit.has('fsname') && !scopesUsed.has('fs') && fsname !== undefined) {
    edits.push({ op: 'remove', yaml: ['filesystems', fsname], what: `filesystem doesn't exist: ${fsname}` });
  }
  if (req.explicit.has('partname') && !scopesUsed.has('part') && req.partname !== undefined) {
    edits.push({ op: 'removePartition', ...(req.diskname !== undefined ? { disk: req.diskname } : {}), part: req.partname });
  } else if (req.explicit.has('diskname') && !scopesUsed.has('disk') && !scopesUsed.has('part') && req.diskname !== undefined) {
    edits.push({ op: 'remove', yaml: ['disks', req.diskname], what: `disk doesn't exist: ${req.diskname}` });
  }
  if (edits.length === 0) throw new WwError('WW_ERR_USAGE', 'no fields specified to unset');
  return edits;
}
