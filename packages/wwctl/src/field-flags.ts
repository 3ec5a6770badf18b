/**
 * The field flags of `node|profile add|set|unset`, generated from core's
 * field table (§1.2), plus the selectors, tag flags, delete flags and the
 * hidden 4.3 vocabulary. Parsed options become a core SetRequest/UnsetRequest.
 */
import { Command, Option } from 'commander';
import { FIELDS, FIELD_BY_FLAG, type FieldSpec } from '@warewulf/core';
import { parseKeyValues, splitNames } from './flag-values.js';
import { type SetRequest, type UnsetRequest } from './requests.js';

type Opts = Record<string, unknown>;

/** Repeated list flags accumulate, each argument kept whole (it is split by its own rules later); scalars keep the last. */
const accumulate = (v: string, prev: unknown): string[] => [...(Array.isArray(prev) ? (prev as string[]) : []), v];
const attr = (flag: string): string => `f_${flag}`;

/** Legacy 4.3 spellings (the field table's `legacyFlags`): [flags, canonical field flag]. */
const LEGACY_VALUE_FLAGS: readonly [string, string][] = FIELDS.flatMap((s) => (s.legacyFlags ?? []).map((f) => [f, s.flag as string] as [string, string]));

/** Bool-ish flags take an optional value in pflag style: `--onboot` alone means true. */
export const BOOL_FLAGS: ReadonlySet<string> = new Set(
  FIELDS.filter((s) => (s.kind === 'wwbool' || s.kind === 'bool') && s.flag !== undefined).flatMap((s) =>
    [`--${s.flag}`, s.short !== undefined ? `-${s.short}` : ''].filter((x) => x !== ''),
  ),
);

const LONG_OF_SHORT = new Map(FIELDS.filter((s) => s.short !== undefined).map((s) => [`-${s.short}`, `--${s.flag}`]));

/**
 * pflag lets `--discoverable n01` mean "discoverable=true, node n01";
 * commander would take n01 as the value. A bare bool flag becomes
 * `--flag=true`, or `--flag=VALUE` when its value came as the next argument.
 */
export function rewriteBoolFlag(flag: string, value = 'true'): string {
  return `${LONG_OF_SHORT.get(flag) ?? flag}=${value}`;
}

/** One option per field flag that `kind` has, stored under `f_<flag>`. */
function addFieldOptions(cmd: Command, kind: 'node' | 'profile', make: (names: string, s: FieldSpec) => Option): void {
  for (const s of FIELDS) {
    if (s.flag === undefined || (s.nodeOnly && kind === 'profile')) continue;
    const o = make(`${s.short !== undefined ? `-${s.short}, ` : ''}--${s.flag}`, s);
    o.attributeName = () => attr(s.flag as string);
    cmd.addOption(o);
  }
}

export function addFieldFlags(cmd: Command, kind: 'node' | 'profile', withDeletes: boolean): void {
  // bool flags show pflag's optional value (`--onboot[=value]`); main.ts turns a bare one into `=true`
  addFieldOptions(cmd, kind, (names, s) =>
    new Option(`${names} ${s.kind === 'wwbool' || s.kind === 'bool' ? '[value]' : '<value>'}`, s.help).argParser(s.kind === 'list' ? accumulate : (v: string) => v),
  );
  cmd.option('-n, --netname <name>', 'Define the network name to configure', 'default');
  cmd.option('--diskname <name>', 'Set disk device name');
  cmd.option('--partname <name>', 'Set the partition name so it can be used by a file system');
  cmd.option('--fsname <name>', 'Set the file system name which must match a partition name');
  cmd.option('--tagadd <k=v>', 'Add/set a tag (key=value[,key=value])', accumulate);
  cmd.option('--ipmitagadd <k=v>', 'Add/set an IPMI tag', accumulate);
  cmd.option('--nettagadd <k=v>', 'Add/set a network tag', accumulate);
  cmd.addOption(new Option('-t, --tag <k=v>', 'add a tag (4.3)').argParser(accumulate).hideHelp());
  cmd.addOption(new Option('--nettag <k=v>', 'add a network tag (4.3)').argParser(accumulate).hideHelp());
  for (const [flags, target] of LEGACY_VALUE_FLAGS) {
    if (target === 'asset' && kind === 'profile') continue;
    const o = new Option(flags, `= --${target} (4.3)`).argParser(accumulate).hideHelp();
    const name = o.attributeName();
    o.attributeName = () => `legacy_${name}_${target}`;
    cmd.addOption(o);
  }
  cmd.addOption(new Option('--addprofile <profiles>', 'append profiles (4.3)').argParser(accumulate).hideHelp());
  cmd.addOption(new Option('--delprofile <profiles>', 'remove profiles (4.3)').argParser(accumulate).hideHelp());
  cmd.addOption(new Option('--primary [yes]', 'make --netname the primary network (4.3)').hideHelp());
  if (kind === 'node') cmd.addOption(new Option('--undiscoverable', 'make the node undiscoverable (4.3)').hideHelp());
  if (withDeletes) {
    cmd.option('--tagdel <keys>', 'Delete tags', accumulate);
    cmd.option('--ipmitagdel <keys>', 'Delete IPMI tags', accumulate);
    cmd.option('--nettagdel <keys>', 'Delete network tags', accumulate);
    cmd.addOption(new Option('--netdeltag <keys>', 'delete network tags (4.3)').argParser(accumulate).hideHelp());
    // 4.3's --netdel was a bool deleting the --netname network; today's takes the name (§1.2)
    cmd.option('--netdel [name]', 'Delete the network device (alone: the --netname network)');
    cmd.option('--diskdel <name>', 'Delete the disk');
    cmd.option('--partdel <name>', 'Delete the partition');
    cmd.option('--fsdel <name>', 'Delete the file system');
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const args = (v: unknown): string[] | undefined => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : undefined);
const list = (v: unknown, flag: string): string[] | undefined => args(v)?.flatMap((a) => splitNames(a, flag));
const kv = (v: unknown, flag: string): [string, string][] | undefined => args(v)?.flatMap((a) => parseKeyValues(a, flag));

/** Only flags given on the command line count (an empty value still counts as a change). */
export function setRequestFrom(cmd: Command): SetRequest {
  const o = cmd.opts<Opts>();
  const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
  const values = new Map<string, string | string[]>();
  for (const s of FIELDS) {
    const v = s.flag === undefined ? undefined : o[attr(s.flag)];
    if (s.flag !== undefined && given(attr(s.flag)) && (typeof v === 'string' || Array.isArray(v))) values.set(s.flag, v as string | string[]);
  }
  for (const key of Object.keys(o)) {
    if (!key.startsWith('legacy_') || !given(key)) continue;
    const target = key.slice(key.lastIndexOf('_') + 1);
    values.set(target, o[key] as string | string[]);
  }
  if (o.undiscoverable === true) values.set('discoverable', 'false');
  const netname = str(o.netname) ?? 'default';
  if (o.primary !== undefined && !/^(no|false|0)$/i.test(String(o.primary))) values.set('primarynet', netname);
  const tagadd = [...(kv(o.tagadd, 'tagadd') ?? []), ...(kv(o.tag, 'tag') ?? [])];
  const nettagadd = [...(kv(o.nettagadd, 'nettagadd') ?? []), ...(kv(o.nettag, 'nettag') ?? [])];
  const nettagdel = [...(list(o.nettagdel, 'nettagdel') ?? []), ...(list(o.netdeltag, 'netdeltag') ?? [])];
  const req: SetRequest = {
    values,
    netname,
    ...(str(o.diskname) !== undefined ? { diskname: str(o.diskname) as string } : {}),
    ...(str(o.partname) !== undefined ? { partname: str(o.partname) as string } : {}),
    ...(str(o.fsname) !== undefined ? { fsname: str(o.fsname) as string } : {}),
    tagadd,
    tagdel: list(o.tagdel, 'tagdel') ?? [],
    ipmitagadd: kv(o.ipmitagadd, 'ipmitagadd') ?? [],
    ipmitagdel: list(o.ipmitagdel, 'ipmitagdel') ?? [],
    nettagadd,
    nettagdel,
    addProfiles: list(o.addprofile, 'addprofile') ?? [],
    delProfiles: list(o.delprofile, 'delprofile') ?? [],
    ...(o.netdel === true ? { netdel: netname } : str(o.netdel) !== undefined ? { netdel: str(o.netdel) as string } : {}),
    ...(str(o.diskdel) !== undefined ? { diskdel: str(o.diskdel) as string } : {}),
    ...(str(o.partdel) !== undefined ? { partdel: str(o.partdel) as string } : {}),
    ...(str(o.fsdel) !== undefined ? { fsdel: str(o.fsdel) as string } : {}),
  };
  return req;
}

/** `unset` takes each field flag as a boolean. */
export function addUnsetFlags(cmd: Command, kind: 'node' | 'profile'): void {
  addFieldOptions(cmd, kind, (names, s) => new Option(names, `unset: ${s.help}`));
  cmd.option('-n, --netname <name>', 'network to unset fields of (alone: remove the network)', 'default');
  cmd.option('--diskname <name>', 'disk to unset fields of (alone: remove the disk)');
  cmd.option('--partname <name>', 'partition to unset fields of (alone: remove the partition)');
  cmd.option('--fsname <name>', 'file system to unset fields of (alone: remove the file system)');
  cmd.option('--tag <keys>', 'tags to remove', accumulate);
  cmd.option('--ipmitag <keys>', 'IPMI tags to remove', accumulate);
  cmd.option('--nettag <keys>', 'network tags to remove', accumulate);
}

export function unsetRequestFrom(cmd: Command): UnsetRequest {
  const o = cmd.opts<Opts>();
  const given = (key: string) => cmd.getOptionValueSource(key) === 'cli';
  const fields = new Set<string>();
  for (const flag of FIELD_BY_FLAG.keys()) if (o[attr(flag)] === true) fields.add(flag);
  const explicit = new Set<'netname' | 'diskname' | 'partname' | 'fsname'>();
  for (const k of ['netname', 'diskname', 'partname', 'fsname'] as const) if (given(k)) explicit.add(k);
  return {
    fields,
    explicit,
    netname: str(o.netname) ?? 'default',
    ...(str(o.diskname) !== undefined ? { diskname: str(o.diskname) as string } : {}),
    ...(str(o.partname) !== undefined ? { partname: str(o.partname) as string } : {}),
    ...(str(o.fsname) !== undefined ? { fsname: str(o.fsname) as string } : {}),
    tag: list(o.tag, 'tag') ?? [],
    ipmitag: list(o.ipmitag, 'ipmitag') ?? [],
    nettag: list(o.nettag, 'nettag') ?? [],
  };
}
