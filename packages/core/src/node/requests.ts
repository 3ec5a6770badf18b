/**
 * Turning what an admin asked for (`node set --ipaddr ... --netname ...`)
 * into edits, with every value validated here at the edge. The same request
 * shape serves node and profile add/set/unset.
 */
import { WwError } from '../errors.js';
import { FIELD_BY_FLAG, FIELD_BY_NAME, type FieldRef, type FieldSpec } from './fields.js';
import type { EditOp } from './edit.js';
import { parseFlagValue } from './values.js';
import { formatIPv6, intToIpv4, ipv4ToInt, parseIPv6 } from '../ip.js';

export interface Selectors {
  netname: string;
  diskname?: string;
  partname?: string;
  fsname?: string;
}

export interface SetRequest extends Selectors {
  /** Field flags that were given explicitly, by long flag name, with their raw text. */
  values: ReadonlyMap<string, string>;
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
export function editsForSet(req: SetRequest): EditOp[] {
  if ((req.partname === undefined) !== (req.diskname === undefined) && [...req.values.keys()].some((f) => FIELD_BY_FLAG.get(f)?.scope === 'part')) {
    throw new WwError('WW_ERR_USAGE', 'partition and disk must be specified');
  }
  const fsname = resolveFsName(req);
  const edits: EditOp[] = [];
  for (const [flag, raw] of req.values) {
    const s = FIELD_BY_FLAG.get(flag);
    if (!s) throw new Error(`no field for flag --${flag}`);
    const ref: FieldRef = { spec: s, keys: keysFor(s, req, fsname, false) };
    const v = parseFlagValue(s, raw);
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

/** `10.0.0.254` + 3 -> `10.0.1.1`: node add numbers the addresses of a range (§1.3). */
export function incrementIp(ip: string, n: number): string {
  if (n === 0) return ip;
  if (ip.includes('.')) return intToIpv4((ipv4ToInt(ip) + n) % 2 ** 32);
  const groups = parseIPv6(ip);
  let carry = n;
  for (let i = 7; i >= 0 && carry > 0; i--) {
    const sum = (groups[i] ?? 0) + carry;
    groups[i] = sum % 0x10000;
    carry = Math.floor(sum / 0x10000);
  }
  return formatIPv6(groups);
}
