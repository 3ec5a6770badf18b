/**
 * The one description of every node/profile field: its YAML key path in
 * nodes.conf, its display path (used by `node list -a`, diffs and the REST
 * field names upstream), its CLI flag, its help, its value kind and how it
 * merges. Flags, the YAML reader and writer, inheritance, provenance and
 * listings are all generated from this table.
 */

/**
 * string  – scalar; later non-empty value wins.
 * ip      – like string, validated as an IPv4/IPv6 literal; `0.0.0.0`/`::` mean unset.
 * mac     – like string, validated as a MAC address, stored lower-case.
 * wwbool  – string-backed bool ("true"/"false" on disk); an explicit "false" overrides.
 * bool    – real YAML bool (disk/partition/fs flags); any explicit value overrides.
 * list    – list of strings; concatenated over profiles, then `~x` removes `x`.
 * any     – arbitrary YAML (resources); deep-merged.
 */
export type FieldKind = 'string' | 'ip' | 'mac' | 'wwbool' | 'bool' | 'list' | 'any';

/** Which sub-entity a field belongs to; decides which selector flag (`--netname` ...) addresses it. */
export type FieldScope = 'top' | 'net' | 'disk' | 'part' | 'fs';

export interface FieldSpec {
  /** Display path with `[]` for each map key: `NetDevs[].Ipaddr`, `Tags[]`. */
  readonly name: string;
  /** YAML key path; `*` stands for a map key (network name, tag key, disk device ...). */
  readonly yaml: readonly string[];
  readonly kind: FieldKind;
  readonly scope: FieldScope;
  /** Long flag of `node set`/`profile set`; tag maps have none (they use --tagadd & co). */
  readonly flag?: string;
  readonly short?: string;
  readonly help: string;
  /** Only nodes carry it (discoverable, asset key). */
  readonly nodeOnly?: boolean;
  /** True for the free-form key=value maps (tags); each key is a field of its own. */
  readonly tagMap?: boolean;
  /**
   * An extra rule on the value (values.ts checkValue), applied on every way in
   * (flags, nodes.conf, node import/edit, the REST API): a contiguous IPv4
   * netmask, a number in a range, an interface name, an ipmitool word, a
   * character or name the BMC template can quote, a mount point.
   */
  readonly check?:
    | 'netmask' | 'port' | 'mtu' | 'prefixlen6' | 'partnumber' | 'mib'
    | 'ifname' | 'ipmiinterface' | 'escapechar' | 'ipmiuser' | 'mountpoint';
  /** Type label shown by `overlay info` and `node edit` headers. */
  readonly typeLabel: string;
  /** The built-in default (the seed's defaults layer): fills the merged node when no layer sets it. */
  readonly default?: string | readonly string[];
  /** Never printed in clear: tables, change summaries and logs mask it (`-y`/`-j`/export show it). */
  readonly secret?: boolean;
  /** Lists: how a single string splits into items (4.3's `kernel args: "quiet splash"` is space separated). */
  readonly separator?: 'comma' | 'space';
  /**
   * Strings only: an older release wrote this field as a YAML list (§2.7: a
   * filesystem's `mount_options: [defaults, noatime]`); such a list is read as
   * its items joined with this separator, and written back as that string.
   */
  readonly listJoin?: string;
  /** `node add` gives the 2nd, 3rd... node of a range the next address (§1.3). */
  readonly numbered?: boolean;
  /** Older spellings of the field in nodes.conf (§2.7), relative to the entity; `*` = the field's own map key. */
  readonly legacyKeys?: readonly (readonly string[])[];
  /** Hidden 4.3 flags that set this field (`-C, --container <name>`). */
  readonly legacyFlags?: readonly string[];
  /** The row of the seed's `node list -a` layout: its label and position (fields without one follow when set). */
  readonly seed?: { readonly label: string; readonly order: number; readonly join?: string };
}

function f(spec: Omit<FieldSpec, 'typeLabel'> & { typeLabel?: string }): FieldSpec {
  const label: Record<FieldKind, string> = {
    string: 'string', ip: 'IP', mac: 'MAC', wwbool: 'WWbool', bool: 'bool', list: '[]string', any: 'any',
  };
  return Object.freeze({ ...spec, typeLabel: spec.typeLabel ?? label[spec.kind] });
}

/** In nodes.conf declaration order (the order the writer uses, §2.5). */
export const FIELDS: readonly FieldSpec[] = Object.freeze([
  f({ name: 'Discoverable', yaml: ['discoverable'], kind: 'wwbool', scope: 'top', flag: 'discoverable', short: 'e', nodeOnly: true, help: 'Make node discoverable', seed: { label: 'Discoverable', order: 3 } }),
  f({ name: 'AssetKey', yaml: ['asset key'], kind: 'string', scope: 'top', flag: 'asset', nodeOnly: true, help: 'Set the node\'s Asset tag (key)', legacyFlags: ['--assetkey <key>'], seed: { label: 'AssetKey', order: 12 } }),
  f({ name: 'Profiles', yaml: ['profiles'], kind: 'list', scope: 'top', flag: 'profile', short: 'P', help: 'Set the node\'s profile members (comma separated)', seed: { label: 'Profiles', order: 2 } }),
  f({ name: 'Comment', yaml: ['comment'], kind: 'string', scope: 'top', flag: 'comment', help: 'Set arbitrary string comment', seed: { label: 'Comment', order: 0 } }),
  f({ name: 'ClusterName', yaml: ['cluster name'], kind: 'string', scope: 'top', flag: 'cluster', short: 'c', help: 'Set cluster group', seed: { label: 'Cluster', order: 1 } }),
  f({ name: 'ImageName', yaml: ['image name'], kind: 'string', scope: 'top', flag: 'image', help: 'Set image name', legacyKeys: [['container name']], legacyFlags: ['-C, --container <name>'], seed: { label: 'Container', order: 4 } }),
  f({ name: 'Ipxe', yaml: ['ipxe template'], kind: 'string', scope: 'top', flag: 'ipxe', help: 'Set the iPXE template name', default: 'default', seed: { label: 'Ipxe', order: 9 } }),
  f({ name: 'RuntimeOverlay', yaml: ['runtime overlay'], kind: 'list', scope: 'top', flag: 'runtime-overlays', short: 'R', help: 'Set the runtime overlays', default: ['generic'], legacyFlags: ['--runtime <overlays>'], seed: { label: 'RuntimeOverlay', order: 8 } }),
  f({ name: 'SystemOverlay', yaml: ['system overlay'], kind: 'list', scope: 'top', flag: 'system-overlays', short: 'O', help: 'Set the system overlays', default: ['wwinit'], legacyFlags: ['-S, --system <overlays>', '--wwinit <overlays>'], seed: { label: 'SystemOverlay', order: 7 } }),
  f({ name: 'Kernel.Version', yaml: ['kernel', 'version'], kind: 'string', scope: 'top', flag: 'kernelversion', help: 'Set kernel version', legacyKeys: [['kernel override'], ['kernel version'], ['kernel', 'override']], legacyFlags: ['-K, --kerneloverride <name>'], seed: { label: 'KernelOverride', order: 5 } }),
  f({ name: 'Kernel.Args', yaml: ['kernel', 'args'], kind: 'list', scope: 'top', flag: 'kernelargs', short: 'A', help: 'Set kernel arguments', default: ['quiet', 'crashkernel=no', 'vga=791'], separator: 'space', legacyKeys: [['kernel args']], seed: { label: 'KernelArgs', order: 6, join: ' ' } }),
  f({ name: 'Ipmi.UserName', yaml: ['ipmi', 'username'], kind: 'string', check: 'ipmiuser', scope: 'top', flag: 'ipmiuser', help: 'Set the IPMI username', legacyKeys: [['ipmi username']], seed: { label: 'IpmiUserName', order: 17 } }),
  f({ name: 'Ipmi.Password', yaml: ['ipmi', 'password'], kind: 'string', scope: 'top', flag: 'ipmipass', help: 'Set the IPMI password', legacyKeys: [['ipmi password']], secret: true }),
  f({ name: 'Ipmi.Ipaddr', yaml: ['ipmi', 'ipaddr'], kind: 'ip', scope: 'top', flag: 'ipmiaddr', help: 'Set the IPMI IP address', legacyKeys: [['ipmi ipaddr']], numbered: true, seed: { label: 'IpmiIpaddr', order: 13 } }),
  f({ name: 'Ipmi.Gateway', yaml: ['ipmi', 'gateway'], kind: 'ip', scope: 'top', flag: 'ipmigateway', help: 'Set the IPMI gateway', legacyKeys: [['ipmi gateway']], seed: { label: 'IpmiGateway', order: 16 } }),
  f({ name: 'Ipmi.Netmask', yaml: ['ipmi', 'netmask'], kind: 'ip', check: 'netmask', scope: 'top', flag: 'ipminetmask', help: 'Set the IPMI netmask', legacyKeys: [['ipmi netmask']], seed: { label: 'IpmiNetmask', order: 14 } }),
  f({ name: 'Ipmi.Port', yaml: ['ipmi', 'port'], kind: 'string', check: 'port', scope: 'top', flag: 'ipmiport', help: 'Set the IPMI port', legacyKeys: [['ipmi port']], seed: { label: 'IpmiPort', order: 15 } }),
  f({ name: 'Ipmi.Interface', yaml: ['ipmi', 'interface'], kind: 'string', check: 'ipmiinterface', scope: 'top', flag: 'ipmiinterface', help: 'Set the node\'s IPMI interface (defaults: \'lan\')', legacyKeys: [['ipmi interface']], seed: { label: 'IpmiInterface', order: 18 } }),
  f({ name: 'Ipmi.EscapeChar', yaml: ['ipmi', 'escapechar'], kind: 'string', check: 'escapechar', scope: 'top', flag: 'ipmiescapechar', help: 'Set the IPMI escape character (defaults: \'~\')', legacyKeys: [['ipmi escapechar']] }),
  f({ name: 'Ipmi.Write', yaml: ['ipmi', 'write'], kind: 'wwbool', scope: 'top', flag: 'ipmiwrite', help: 'Enable the write of IPMI configuration', legacyKeys: [['ipmi write']], seed: { label: 'IpmiWrite', order: 19 } }),
  f({ name: 'Ipmi.Template', yaml: ['ipmi', 'template'], kind: 'string', scope: 'top', flag: 'ipmitemplate', help: 'Set the BMC command template' }),
  f({ name: 'Ipmi.Tags[]', yaml: ['ipmi', 'tags', '*'], kind: 'string', scope: 'top', tagMap: true, help: 'IPMI tag', typeLabel: 'map[string]string' }),
  f({ name: 'Init', yaml: ['init'], kind: 'string', scope: 'top', flag: 'init', short: 'i', help: 'Define the init process to boot the image', default: '/sbin/init', seed: { label: 'Init', order: 10 } }),
  f({ name: 'Root', yaml: ['root'], kind: 'string', scope: 'top', flag: 'root', help: 'Define the rootfs', default: 'initramfs', seed: { label: 'Root', order: 11 } }),
  f({ name: 'NetDevs[].Type', yaml: ['network devices', '*', 'type'], kind: 'string', scope: 'net', flag: 'type', short: 'T', help: 'Set device type of given network', seed: { label: 'TYPE', order: 7 } }),
  f({ name: 'NetDevs[].OnBoot', yaml: ['network devices', '*', 'onboot'], kind: 'wwbool', scope: 'net', flag: 'onboot', help: 'Enable/disable network device (true/false)', seed: { label: 'ONBOOT', order: 8 } }),
  f({ name: 'NetDevs[].Device', yaml: ['network devices', '*', 'device'], kind: 'string', check: 'ifname', scope: 'net', flag: 'netdev', short: 'N', help: 'Set the device for given network', seed: { label: 'DEVICE', order: 1 } }),
  f({ name: 'NetDevs[].Hwaddr', yaml: ['network devices', '*', 'hwaddr'], kind: 'mac', scope: 'net', flag: 'hwaddr', short: 'H', help: 'Set the device\'s HW address for given network', seed: { label: 'HWADDR', order: 2 } }),
  f({ name: 'NetDevs[].Ipaddr', yaml: ['network devices', '*', 'ipaddr'], kind: 'ip', scope: 'net', flag: 'ipaddr', short: 'I', help: 'IPv4 address in given network', numbered: true, legacyKeys: [['network devices', '*', 'ipcidr']], seed: { label: 'IPADDR', order: 3 } }),
  f({ name: 'NetDevs[].Netmask', yaml: ['network devices', '*', 'netmask'], kind: 'ip', check: 'netmask', scope: 'net', flag: 'netmask', short: 'M', help: 'Set the networks netmask', default: '255.255.255.0', legacyKeys: [['network devices', '*', 'ipcidr']], seed: { label: 'NETMASK', order: 5 } }),
  f({ name: 'NetDevs[].Gateway', yaml: ['network devices', '*', 'gateway'], kind: 'ip', scope: 'net', flag: 'gateway', short: 'G', help: 'Set the node\'s network device gateway', seed: { label: 'GATEWAY', order: 6 } }),
  f({ name: 'NetDevs[].Ipaddr6', yaml: ['network devices', '*', 'ipaddr6'], kind: 'ip', scope: 'net', flag: 'ipaddr6', help: 'IPv6 address', numbered: true, legacyKeys: [['network devices', '*', 'ip6addr']], seed: { label: 'IPADDR6', order: 4 } }),
  f({ name: 'NetDevs[].PrefixLen6', yaml: ['network devices', '*', 'prefixlen6'], kind: 'string', check: 'prefixlen6', scope: 'net', flag: 'prefixlen6', help: 'IPv6 prefix length' }),
  f({ name: 'NetDevs[].Gateway6', yaml: ['network devices', '*', 'gateway6'], kind: 'ip', scope: 'net', flag: 'gateway6', help: 'IPv6 gateway' }),
  f({ name: 'NetDevs[].MTU', yaml: ['network devices', '*', 'mtu'], kind: 'string', check: 'mtu', scope: 'net', flag: 'mtu', help: 'Set the mtu' }),
  f({ name: 'NetDevs[].Tags[]', yaml: ['network devices', '*', 'tags', '*'], kind: 'string', scope: 'net', tagMap: true, help: 'network tag', typeLabel: 'map[string]string' }),
  f({ name: 'Tags[]', yaml: ['tags', '*'], kind: 'string', scope: 'top', tagMap: true, help: 'tag', typeLabel: 'map[string]string', legacyKeys: [['keys', '*']] }),
  f({ name: 'PrimaryNetDev', yaml: ['primary network'], kind: 'string', scope: 'top', flag: 'primarynet', short: 'p', help: 'Set the primary network interface' }),
  f({ name: 'Disks[].WipeTable', yaml: ['disks', '*', 'wipe_table'], kind: 'bool', scope: 'disk', flag: 'diskwipe', help: 'Whether or not the partition tables shall be wiped' }),
  f({ name: 'Disks[].Partitions[].Number', yaml: ['disks', '*', 'partitions', '*', 'number'], kind: 'string', check: 'partnumber', scope: 'part', flag: 'partnumber', help: 'Set the partition number, if not set next free slot is used' }),
  f({ name: 'Disks[].Partitions[].SizeMiB', yaml: ['disks', '*', 'partitions', '*', 'size_mib'], kind: 'string', check: 'mib', scope: 'part', flag: 'partsize', help: 'Set the size of the partition, if not set maximal possible size is used' }),
  f({ name: 'Disks[].Partitions[].StartMiB', yaml: ['disks', '*', 'partitions', '*', 'start_mib'], kind: 'string', check: 'mib', scope: 'part', help: 'Start of the partition' }),
  f({ name: 'Disks[].Partitions[].TypeGuid', yaml: ['disks', '*', 'partitions', '*', 'type_guid'], kind: 'string', scope: 'part', flag: 'parttype', help: 'Set the partition type GUID' }),
  f({ name: 'Disks[].Partitions[].Guid', yaml: ['disks', '*', 'partitions', '*', 'guid'], kind: 'string', scope: 'part', help: 'GUID of the partition' }),
  f({ name: 'Disks[].Partitions[].WipePartitionEntry', yaml: ['disks', '*', 'partitions', '*', 'wipe_partition_entry'], kind: 'bool', scope: 'part', flag: 'partwipe', help: 'Wipe the partition entry if it does not match' }),
  f({ name: 'Disks[].Partitions[].ShouldExist', yaml: ['disks', '*', 'partitions', '*', 'should_exist'], kind: 'bool', scope: 'part', flag: 'partcreate', help: 'Create the partition if it does not exist' }),
  f({ name: 'Disks[].Partitions[].Resize', yaml: ['disks', '*', 'partitions', '*', 'resize'], kind: 'bool', scope: 'part', help: 'Resize the partition' }),
  f({ name: 'FileSystems[].Format', yaml: ['filesystems', '*', 'format'], kind: 'string', scope: 'fs', flag: 'fsformat', help: 'Format of the file system' }),
  f({ name: 'FileSystems[].Path', yaml: ['filesystems', '*', 'path'], kind: 'string', check: 'mountpoint', scope: 'fs', flag: 'fspath', help: 'The mount point of the file system' }),
  f({ name: 'FileSystems[].WipeFileSystem', yaml: ['filesystems', '*', 'wipe_filesystem'], kind: 'bool', scope: 'fs', flag: 'fswipe', help: 'Wipe the file system' }),
  f({ name: 'FileSystems[].Label', yaml: ['filesystems', '*', 'label'], kind: 'string', scope: 'fs', help: 'File system label' }),
  f({ name: 'FileSystems[].Uuid', yaml: ['filesystems', '*', 'uuid'], kind: 'string', scope: 'fs', help: 'File system UUID' }),
  f({ name: 'FileSystems[].Options', yaml: ['filesystems', '*', 'options'], kind: 'list', scope: 'fs', help: 'mkfs options' }),
  f({ name: 'FileSystems[].MountOptions', yaml: ['filesystems', '*', 'mount_options'], kind: 'string', scope: 'fs', help: 'Mount options', listJoin: ' ' }),
  f({ name: 'Resources[]', yaml: ['resources', '*'], kind: 'any', scope: 'top', help: 'Arbitrary structured resource', typeLabel: 'any' }),
]);

/** Fields with a built-in default, by name (the seed's defaults layer, §2.8). */
export const DEFAULT_FIELDS: readonly FieldSpec[] = FIELDS.filter((s) => s.default !== undefined);

export const FIELD_BY_NAME: ReadonlyMap<string, FieldSpec> = new Map(FIELDS.map((s) => [s.name, s]));
export const FIELD_BY_FLAG: ReadonlyMap<string, FieldSpec> = new Map(
  FIELDS.filter((s) => s.flag !== undefined).map((s) => [s.flag as string, s]),
);

/** Top-level keys of a node in declaration order (writer order, §2.5). */
export const TOP_KEY_ORDER: readonly string[] = [
  'discoverable', 'asset key', 'profiles', 'comment', 'cluster name', 'image name', 'ipxe template',
  'runtime overlay', 'system overlay', 'kernel', 'ipmi', 'init', 'root', 'network devices', 'tags',
  'primary network', 'disks', 'filesystems', 'resources',
];

/** Key orders of the nested structures, for the writer. */
export const NESTED_KEY_ORDER: Readonly<Record<string, readonly string[]>> = {
  kernel: ['version', 'args'],
  ipmi: ['username', 'password', 'ipaddr', 'gateway', 'netmask', 'port', 'interface', 'escapechar', 'write', 'template', 'tags'],
  netdev: ['type', 'onboot', 'device', 'hwaddr', 'ipaddr', 'netmask', 'gateway', 'ipaddr6', 'prefixlen6', 'gateway6', 'mtu', 'tags'],
  disk: ['wipe_table', 'partitions'],
  partition: ['number', 'size_mib', 'start_mib', 'type_guid', 'guid', 'wipe_partition_entry', 'should_exist', 'resize'],
  filesystem: ['format', 'path', 'wipe_filesystem', 'label', 'uuid', 'options', 'mount_options'],
};

/** A concrete field: a spec plus the map keys that fill its `[]` slots. */
export interface FieldRef {
  readonly spec: FieldSpec;
  readonly keys: readonly string[];
}

/** `NetDevs[].Tags[]` split around its `[]` slots, so concrete paths are built by concatenation (hot path). */
const PATH_PARTS = new Map<FieldSpec, string[]>(FIELDS.map((s) => [s, s.name.split('[]')]));

/** `NetDevs[].Tags[]` + [default, mtu] -> `NetDevs[default].Tags[mtu]`. */
export function fieldPath(spec: FieldSpec, keys: readonly string[]): string {
  const parts = PATH_PARTS.get(spec) ?? spec.name.split('[]');
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i++) out += `[${keys[i - 1] ?? ''}]${parts[i] as string}`;
  return out;
}

/** YAML key path of a concrete field. */
export function yamlPath(spec: FieldSpec, keys: readonly string[]): string[] {
  let i = 0;
  return spec.yaml.map((k) => (k === '*' ? (keys[i++] ?? '') : k));
}
