/**
 * What an overlay template sees (§5.3): one data object per node, Go structs
 * as class instances (so a misspelt field is an error, as in Go), maps as
 * null-prototype objects, every value merged, maps and structs never nil.
 *
 * Go printing is kept per type: IP fields hold an {@link IP} (a slice with a
 * String method: an unset one prints `<nil>` and is false in `if`); WWbool is a named string
 * type with `.Bool`/`.BoolDefaultTrue`; `.Kernel.Args` is a `[]string` whose
 * String() joins with spaces, so the seed-era `{{.Kernel.Args}}` prints
 * `quiet crashkernel=no` while `range`/`join` still see a list.
 *
 * Cost model: a {@link TemplateBuild} is made once per overlay build. Server
 * data (`.Warewulf`, `.Dhcp` ...) is built and frozen once; each node's view
 * ({@link NodeInfo}, also `.ThisNode` and an `.AllNodes` element) once per
 * node; `.AllNodes` once, on first use. Everything a template can reach is
 * frozen, so a template cannot change what another node's render sees
 * (Sprig's `set` on node data fails; copy with `deepCopy` or `dict` first).
 */
import { NamedString } from '@warewulf/gotemplate';
import { formatGoTime } from '@warewulf/gotemplate/sprig';
import { netmaskToBits } from '../ip.js';
import { resolvePaths, type Paths } from '../config/paths.js';
import { defaultWarewulfConf } from '../config/defaults.js';
import type { WarewulfConf } from '../config/types.js';
import { deriveNetworkValues } from '../config/derived.js';
import type { MergedNode } from '../node/merge.js';
import { parseBoolWord } from '../node/values.js';

type GoMap<T> = Record<string, T>;

/** Object.freeze keeping the declared type (class private fields and mutable array types survive). */
function frozen<T>(v: T): T {
  Object.freeze(v);
  return v;
}

function newMap<T>(): GoMap<T> {
  return Object.create(null) as GoMap<T>;
}

/** Node's WWbool: a string (`"true"`, `"false"`, `""`) with boolean accessors (§2.2). */
export class WWbool extends NamedString {
  /** `yes` or a true word -> true; empty or unparsable -> false. */
  Bool(): boolean {
    return this.v.toLowerCase() === 'yes' || parseBoolWord(this.v) === true;
  }

  /** As Bool, but empty means true (how templates read `onboot`). */
  BoolDefaultTrue(): boolean {
    return this.v === '' ? true : this.Bool();
  }
}

const WW_EMPTY = (new WWbool(''));

const WW_TRUE = frozen(new WWbool('true'));
const WW_FALSE = frozen(new WWbool('false'));

/** The WWbool of a stored value (shared instances for '', true, false). */
export function wwbool(v: string): WWbool {
  return v === '' ? WW_EMPTY : v === 'true' ? WW_TRUE : v === 'false' ? WW_FALSE : new WWbool(v);
}

/** gotemplate's marker for a slice's Go type name (see stringSlice/stringerSlice). */
const GO_TYPE = Symbol.for('warewulf.gotemplate.type');

/**
 * net.IP: a slice with a String() method, so an unset address is an empty
 * slice that prints `<nil>` and is false in `if`, and a set one prints its
 * text (one element here, not Go's 16 bytes: `len`/`index` on an IP differ).
 */
export class IP extends Array<string> {
  String(): string {
    return this.length === 0 ? '<nil>' : (this[0] as string);
  }

  /** encoding.TextMarshaler: what toJson prints (`""` when unset). */
  MarshalText(): string {
    return this.length === 0 ? '' : (this[0] as string);
  }
}
Object.defineProperty(IP.prototype, GO_TYPE, { value: 'net.IP' });

const NIL_IP = frozen(new IP());

/** The IP of a stored address ('' is the unset address, printing `<nil>`). */
export function ip(v: string): IP {
  if (v === '') return NIL_IP;
  const a = new IP();
  a.push(v);
  return a;
}

export class KernelData {
  constructor(
    /** The node's kernel.version, or the image's default kernel version when that is empty (§6.3). */
    readonly Version: string,
    /** []string that prints space-joined (the 4.3 string form). */
    readonly Args: string[],
    explicit: string,
  ) {
    this.#explicit = explicit;
  }

  readonly #explicit: string;

  /** 4.3 alias: the node's own kernel setting. */
  get Override(): string {
    return this.#explicit;
  }
}

export class IpmiData {
  constructor(
    readonly UserName: string,
    readonly Password: string,
    readonly Ipaddr: IP,
    readonly Gateway: IP,
    readonly Netmask: IP,
    readonly Port: string,
    readonly Interface: string,
    readonly EscapeChar: string,
    readonly Write: WWbool,
    readonly Template: string,
    readonly Tags: GoMap<string>,
  ) {}
}

export class NetDevData {
  readonly #primary: boolean;

  constructor(
    readonly Type: string,
    readonly OnBoot: WWbool,
    readonly Device: string,
    readonly Hwaddr: string,
    readonly Ipaddr: IP,
    readonly Netmask: IP,
    readonly Gateway: IP,
    readonly Ipaddr6: IP,
    readonly PrefixLen6: string,
    readonly Gateway6: IP,
    readonly MTU: string,
    readonly Tags: GoMap<string>,
    primary: boolean,
  ) {
    this.#primary = primary;
  }

  /** `10.10.1.11/24`; empty when the address or a valid mask is missing. */
  IpCIDR(): string {
    const bits = this.Netmask.length === 0 ? undefined : netmaskToBits(this.Netmask.String());
    return this.Ipaddr.length === 0 || bits === undefined ? '' : `${this.Ipaddr.String()}/${bits}`;
  }

  /** `fd00::5/64` when the IPv6 address is set and the prefix length is 0..128. */
  IpCIDR6(): string {
    const n = Number(this.PrefixLen6);
    if (this.Ipaddr6.length === 0 || this.PrefixLen6 === '' || !Number.isInteger(n) || n < 0 || n > 128) return '';
    return `${this.Ipaddr6.String()}/${n}`;
  }

  /** Whether this is the node's primary network device. */
  Primary(): boolean {
    return this.#primary;
  }

}

/** The same device with its primary flag lost, as upstream's promoted `.NetDevs` copy has it (§5.3). */
function withoutPrimary(d: NetDevData): NetDevData {
  if (!d.Primary()) return d;
  return (new NetDevData(d.Type, d.OnBoot, d.Device, d.Hwaddr, d.Ipaddr, d.Netmask, d.Gateway, d.Ipaddr6, d.PrefixLen6, d.Gateway6, d.MTU, d.Tags, false));
}

export class PartitionData {
  constructor(
    readonly Id: string,
    readonly Number: string,
    readonly SizeMiB: string,
    readonly StartMiB: string,
    readonly TypeGuid: string,
    readonly Guid: string,
    readonly WipePartitionEntry: boolean,
    readonly ShouldExist: boolean,
    readonly Resize: boolean,
  ) {}
}

export class DiskData {
  constructor(
    readonly Id: string,
    readonly WipeTable: boolean,
    readonly Partitions: GoMap<PartitionData>,
  ) {}

  /** Partitions ordered by numeric `number` (numbered first), then by label (§2.2). */
  PartitionList(): PartitionData[] {
    return Object.values(this.Partitions).sort((a, b) => {
      const na = a.Number === '' ? Infinity : Number(a.Number);
      const nb = b.Number === '' ? Infinity : Number(b.Number);
      if (na !== nb) return na < nb ? -1 : 1;
      return a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0;
    });
  }
}

export class FileSystemData {
  constructor(
    readonly Id: string,
    readonly Format: string,
    readonly Path: string,
    readonly WipeFileSystem: boolean,
    readonly Label: string,
    readonly Uuid: string,
    readonly Options: string[],
    readonly MountOptions: string,
  ) {}
}

const byId = <T extends { Id: string }>(a: T, b: T) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0);

/** One merged node as templates see it: `.ThisNode` and each element of `.AllNodes` (upstream's node.Node). */
export class NodeInfo {
  constructor(
    readonly Id: string,
    readonly Discoverable: WWbool,
    readonly AssetKey: string,
    readonly Profiles: string[],
    readonly Comment: string,
    readonly ClusterName: string,
    readonly ImageName: string,
    readonly Ipxe: string,
    readonly RuntimeOverlay: string[],
    readonly SystemOverlay: string[],
    readonly Kernel: KernelData,
    readonly Ipmi: IpmiData,
    readonly Init: string,
    readonly Root: string,
    readonly NetDevs: GoMap<NetDevData>,
    readonly Tags: GoMap<string>,
    readonly PrimaryNetDev: string,
    readonly Disks: GoMap<DiskData>,
    readonly FileSystems: GoMap<FileSystemData>,
    readonly Resources: GoMap<unknown>,
  ) {}

  /** Disks sorted by device. */
  DiskList(): DiskData[] {
    return Object.values(this.Disks).sort(byId);
  }

  /** File systems sorted by device. */
  FileSystemList(): FileSystemData[] {
    return Object.values(this.FileSystems).sort(byId);
  }

  get Hostname(): string {
    return this.Id;
  }

  // 4.3 aliases, see defineAliases
  declare readonly Container: string;
  declare readonly ContainerName: string;
  declare readonly Keys: GoMap<string>;
}

/**
 * The 4.3 names `.Container`, `.ContainerName` (= `.ImageName`) and `.Keys`
 * (= `.Tags`) for old site templates: getters, so they read as fields but do
 * not show in struct dumps (upstream has no such fields).
 */
function defineAliases(proto: object): void {
  Object.defineProperties(proto, {
    Container: { get(this: { ImageName: string }) { return this.ImageName; } },
    ContainerName: { get(this: { ImageName: string }) { return this.ImageName; } },
    Keys: { get(this: { Tags: GoMap<string> }) { return this.Tags; } },
  });
}
defineAliases(NodeInfo.prototype);

/* ---------- server data (warewulf.conf + paths), once per build ---------- */

export class WarewulfData {
  readonly #w: WarewulfConf['warewulf'];

  constructor(
    w: WarewulfConf['warewulf'],
    readonly Port: number,
    readonly TLSPort: number,
    readonly UpdateInterval: number,
    readonly SystemdName: string,
  ) {
    this.#w = w;
  }

  Secure(): boolean {
    return this.#w.secure;
  }
  SecureFiles(): boolean {
    return this.#w.secureFiles;
  }
  TLSEnabled(): boolean {
    return this.#w.tls;
  }
  AutobuildOverlays(): boolean {
    return this.#w.autobuildOverlays;
  }
  EnableHostOverlay(): boolean {
    return this.#w.hostOverlay;
  }
  GrubBoot(): boolean {
    return this.#w.grubboot;
  }
}

class Enablable {
  readonly #enabled: boolean;
  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }
  Enabled(): boolean {
    return this.#enabled;
  }
}

export class DhcpData extends Enablable {
  constructor(
    enabled: boolean,
    readonly Template: string,
    readonly RangeStart: string,
    readonly RangeEnd: string,
    readonly Range6Start: string,
    readonly Range6End: string,
    readonly SystemdName: string,
  ) {
    super(enabled);
  }
}

export class TftpData extends Enablable {
  constructor(
    enabled: boolean,
    readonly TftpRoot: string,
    readonly SystemdName: string,
    readonly IpxeBinaries: GoMap<string>,
  ) {
    super(enabled);
  }
}

export class ExportData {
  constructor(
    readonly Path: string,
    readonly ExportOptions: string,
  ) {}
}

export class NfsData extends Enablable {
  constructor(
    enabled: boolean,
    readonly ExportsExtended: ExportData[],
    readonly SystemdName: string,
  ) {
    super(enabled);
  }
}

export class SshData {
  constructor(readonly KeyTypes: string[]) {}
}

export class PathsData {
  constructor(
    readonly Bindir: string,
    readonly Sysconfdir: string,
    readonly Localstatedir: string,
    readonly Cachedir: string,
    readonly Ipxesource: string,
    readonly Srvdir: string,
    readonly Firewallddir: string,
    readonly Systemddir: string,
    readonly Datadir: string,
    readonly WWOverlaydir: string,
    readonly WWChrootdir: string,
    readonly WWProvisiondir: string,
    readonly WWClientdir: string,
    readonly WWFilesdir: string,
  ) {}
}

/** What a build knows about the server; paths are the resolved (relocated) ones. */
export interface ServerContext {
  conf: WarewulfConf;
  paths: Paths;
  /** The server's hostname (`.BuildHost`, the host overlay's pseudo node). */
  hostname: string;
  /** Render time (`.BuildTime`); default: now. */
  buildTime?: Date;
  /** The version of an image's default kernel, for nodes without kernel.version (§6.3). */
  kernelVersion?: (imageName: string) => string | undefined;
}

/** The server part of the data, shared (frozen) by every node of a build. */
export interface ServerData {
  BuildHost: string;
  BuildTime: string;
  BuildTimeUnix: string;
  Ipaddr: string;
  Netmask: string;
  Network: string;
  IpCIDR: string;
  NetworkCIDR: string;
  Ipaddr6: string;
  PrefixLen6: string;
  IpCIDR6: string;
  Network6: string;
  NetworkCIDR6: string;
  Ipv6: boolean;
  Warewulf: WarewulfData;
  Dhcp: DhcpData;
  Tftp: TftpData;
  Nfs: NfsData;
  Ssh: SshData;
  Paths: PathsData;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    frozen(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

function mapOf<T>(entries: Record<string, T>): GoMap<T> {
  const m = newMap<T>();
  for (const k of Object.keys(entries)) m[k] = entries[k] as T;
  return frozen(m);
}

/** `.BuildHost`, `.BuildTime`, `.Warewulf`, `.Dhcp` ... from warewulf.conf and the paths (§5.3, §3.1). */
export function serverTemplateData(ctx: ServerContext): ServerData {
  const c = ctx.conf;
  const p = ctx.paths;
  const t = ctx.buildTime ?? new Date();
  const derived = deriveNetworkValues(c);
  return deepFreeze({
    BuildHost: ctx.hostname,
    BuildTime: formatGoTime(t, '01-02-2006 15:04:05 MST', 'Local'),
    BuildTimeUnix: String(Math.floor(t.getTime() / 1000)),
    Ipaddr: c.ipaddr,
    Netmask: c.netmask,
    Network: c.network,
    IpCIDR: derived.ipCIDR,
    NetworkCIDR: derived.networkCIDR,
    Ipaddr6: c.ipaddr6,
    PrefixLen6: c.prefixlen6,
    IpCIDR6: derived.ipCIDR6,
    Network6: derived.network6,
    NetworkCIDR6: derived.networkCIDR6,
    Ipv6: derived.ipv6,
    Warewulf: new WarewulfData(c.warewulf, c.warewulf.port, c.warewulf.tlsPort, c.warewulf.updateInterval, c.warewulf.systemdName),
    Dhcp: new DhcpData(c.dhcp.enabled, c.dhcp.template, c.dhcp.rangeStart, c.dhcp.rangeEnd, c.dhcp.range6Start, c.dhcp.range6End, c.dhcp.systemdName),
    Tftp: new TftpData(c.tftp.enabled, p.tftproot, c.tftp.systemdName, mapOf(c.tftp.ipxe)),
    Nfs: new NfsData(c.nfs.enabled, c.nfs.exportPaths.map((e) => new ExportData(e.path, e.exportOptions)), c.nfs.systemdName),
    Ssh: new SshData([...c.ssh.keyTypes]),
    Paths: new PathsData(
      p.bindir, p.sysconfdir, p.localstatedir, p.cachedir, p.ipxesource, p.srvdir, p.firewallddir, p.systemddir,
      p.datadir, p.wwoverlaydir, p.wwchrootdir, p.wwprovisiondir, p.wwclientdir, p.wwfilesdir,
    ),
  });
}

/* ---------- one node ---------- */

const EMPTY_LIST: string[] = frozen([]);
const EMPTY_MAP = frozen(newMap<never>());

/** `.Kernel.Args`: a []string whose String() joins with spaces (the seed-era string form). */
class KernelArgs extends Array<string> {
  String(): string {
    return this.join(' ');
  }
}
Object.defineProperty(KernelArgs.prototype, GO_TYPE, { value: 'node.KernelArgs' });

function kernelArgs(a: readonly string[]): string[] {
  const k = new KernelArgs();
  for (const x of a) k.push(x);
  return k;
}

/** Frozen deep copies of `resources` values, shared by every node that inherits the same value. */
const frozenCopies = new WeakMap<object, unknown>();
function frozenCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const hit = frozenCopies.get(v);
  if (hit !== undefined) return hit;
  let out: unknown;
  if (Array.isArray(v)) out = frozen(v.map(frozenCopy));
  else {
    const m = newMap<unknown>();
    for (const [k, e] of Object.entries(v)) m[k] = frozenCopy(e);
    out = frozen(m);
  }
  frozenCopies.set(v, out);
  return out;
}

interface NetAcc {
  f: Map<string, string>;
  tags: GoMap<string> | undefined;
}
interface PartAcc {
  f: Map<string, string>;
  b: Map<string, boolean>;
}
interface DiskAcc {
  wipe: boolean;
  parts: Map<string, PartAcc>;
}

/** The node's view from its merged fields: one pass over the field map. */
export function nodeInfo(node: MergedNode, kernelVersion?: (image: string) => string | undefined): NodeInfo {
  // internal accumulators are Maps (cheap); what templates see are null-prototype objects
  const top = new Map<string, string>();
  let tags: GoMap<string> | undefined;
  let ipmiTags: GoMap<string> | undefined;
  let lists: Map<string, string[]> | undefined;
  let resources: GoMap<unknown> | undefined;
  const nets = new Map<string, NetAcc>();
  const disks = new Map<string, DiskAcc>();
  const fss = new Map<string, { f: Map<string, string>; wipe: boolean; options: string[] }>();
  for (const f of node.fields.values()) {
    const spec = f.entry.ref.spec;
    const keys = f.entry.ref.keys;
    const v = f.value;
    switch (spec.scope) {
      case 'top':
        if (spec.tagMap) {
          if (spec.name === 'Tags[]') (tags ??= newMap())[keys[0] as string] = String(v);
          else (ipmiTags ??= newMap())[keys[0] as string] = String(v);
        } else if (spec.kind === 'list') (lists ??= new Map()).set(spec.name, v as string[]);
        else if (spec.kind === 'any') (resources ??= newMap())[keys[0] as string] = frozenCopy(v);
        else top.set(spec.name, String(v));
        break;
      case 'net': {
        const name = keys[0] as string;
        let acc = nets.get(name);
        if (acc === undefined) nets.set(name, (acc = { f: new Map(), tags: undefined }));
        if (spec.tagMap) (acc.tags ??= newMap())[keys[1] as string] = String(v);
        else acc.f.set(spec.name, String(v));
        break;
      }
      case 'disk':
      case 'part': {
        const dev = keys[0] as string;
        let d = disks.get(dev);
        if (d === undefined) disks.set(dev, (d = { wipe: false, parts: new Map() }));
        if (spec.scope === 'disk') {
          d.wipe = v === true;
          break;
        }
        const label = keys[1] as string;
        let p = d.parts.get(label);
        if (p === undefined) d.parts.set(label, (p = { f: new Map(), b: new Map() }));
        if (spec.kind === 'bool') p.b.set(spec.name, v === true);
        else p.f.set(spec.name, String(v));
        break;
      }
      case 'fs': {
        const dev = keys[0] as string;
        let fs = fss.get(dev);
        if (fs === undefined) fss.set(dev, (fs = { f: new Map(), wipe: false, options: EMPTY_LIST }));
        if (spec.kind === 'bool') fs.wipe = v === true;
        else if (spec.kind === 'list') fs.options = v as string[];
        else fs.f.set(spec.name, String(v));
        break;
      }
    }
  }
  const s = (k: string) => top.get(k) ?? '';
  // merged lists are shared, not copied: no template function mutates a slice
  const list = (k: string) => lists?.get(k) ?? EMPTY_LIST;

  const netdevs = newMap<NetDevData>();
  for (const [name, acc] of nets) {
    const g = (k: string) => acc.f.get(k) ?? '';
    netdevs[name] = new NetDevData(
        g('NetDevs[].Type'), wwbool(g('NetDevs[].OnBoot')), g('NetDevs[].Device'), g('NetDevs[].Hwaddr'), ip(g('NetDevs[].Ipaddr')),
        ip(g('NetDevs[].Netmask')), ip(g('NetDevs[].Gateway')), ip(g('NetDevs[].Ipaddr6')), g('NetDevs[].PrefixLen6'),
        ip(g('NetDevs[].Gateway6')), g('NetDevs[].MTU'), acc.tags ? frozen(acc.tags) : EMPTY_MAP,
      node.primaryNetDev === name,
    );
  }
  const diskMap = newMap<DiskData>();
  for (const [dev, d] of disks) {
    const parts = newMap<PartitionData>();
    for (const [label, p] of d.parts) {
      const g = (k: string) => p.f.get(`Disks[].Partitions[].${k}`) ?? '';
      const b = (k: string) => p.b.get(`Disks[].Partitions[].${k}`) ?? false;
      parts[label] = new PartitionData(label, g('Number'), g('SizeMiB'), g('StartMiB'), g('TypeGuid'), g('Guid'), b('WipePartitionEntry'), b('ShouldExist'), b('Resize'));
    }
    diskMap[dev] = new DiskData(dev, d.wipe, frozen(parts));
  }
  const fsMap = newMap<FileSystemData>();
  for (const [dev, fs] of fss) {
    const g = (k: string) => fs.f.get(`FileSystems[].${k}`) ?? '';
    fsMap[dev] = new FileSystemData(dev, g('Format'), g('Path'), fs.wipe, g('Label'), g('Uuid'), fs.options, g('MountOptions'));
  }
  const explicitKernel = s('Kernel.Version');
  const image = s('ImageName');
  const kver = explicitKernel !== '' ? explicitKernel : image !== '' && kernelVersion ? (kernelVersion(image) ?? '') : '';
  // class instances need no freezing (no template function writes a struct field); maps do (Sprig's set)
  return new NodeInfo(
      node.id,
      wwbool(s('Discoverable')),
      s('AssetKey'),
      [...node.profiles],
      s('Comment'),
      s('ClusterName'),
      image,
      s('Ipxe'),
      list('RuntimeOverlay'),
      list('SystemOverlay'),
      new KernelData(kver, kernelArgs(lists?.get('Kernel.Args') ?? EMPTY_LIST), explicitKernel),
      new IpmiData(
        s('Ipmi.UserName'), s('Ipmi.Password'), ip(s('Ipmi.Ipaddr')), ip(s('Ipmi.Gateway')), ip(s('Ipmi.Netmask')),
        s('Ipmi.Port'), s('Ipmi.Interface'), s('Ipmi.EscapeChar'), wwbool(s('Ipmi.Write')), s('Ipmi.Template'),
        ipmiTags ? frozen(ipmiTags) : EMPTY_MAP,
      ),
      s('Init'),
      s('Root'),
      frozen(netdevs),
      tags ? frozen(tags) : EMPTY_MAP,
      node.primaryNetDev ?? '',
      frozen(diskMap),
      frozen(fsMap),
      resources ? frozen(resources) : EMPTY_MAP,
  );
}

/** The pseudo node the host overlay renders for (§5.7): named after the server, cluster name = hostname. */
export function hostNodeInfo(hostname: string): NodeInfo {
  return new NodeInfo(
    hostname, WW_EMPTY, '', EMPTY_LIST, '', hostname, '', '', EMPTY_LIST, EMPTY_LIST,
    new KernelData('', kernelArgs([]), ''),
    new IpmiData('', '', NIL_IP, NIL_IP, NIL_IP, '', '', '', WW_EMPTY, '', EMPTY_MAP),
    '', '', EMPTY_MAP, EMPTY_MAP, '', EMPTY_MAP, EMPTY_MAP, EMPTY_MAP,
  );
}

/**
 * The data object of one template execution (upstream's TemplateStruct): the
 * server data, the node's fields promoted, `.ThisNode`, `.AllNodes`.
 * `Overlay` and `BuildSource` are set per template file by the renderer.
 */
export class NodeData {
  Overlay = '';
  BuildSource = '';
  readonly Id: string;
  readonly Hostname: string;
  readonly BuildHost: string;
  readonly BuildTime: string;
  readonly BuildTimeUnix: string;
  readonly Ipaddr: string;
  readonly Netmask: string;
  readonly Network: string;
  readonly IpCIDR: string;
  readonly NetworkCIDR: string;
  readonly Ipaddr6: string;
  readonly PrefixLen6: string;
  readonly IpCIDR6: string;
  readonly Network6: string;
  readonly NetworkCIDR6: string;
  readonly Ipv6: boolean;
  readonly Warewulf: WarewulfData;
  readonly Dhcp: DhcpData;
  readonly Tftp: TftpData;
  readonly Nfs: NfsData;
  readonly Ssh: SshData;
  readonly Paths: PathsData;
  readonly Discoverable: WWbool;
  readonly AssetKey: string;
  readonly Profiles: string[];
  readonly Comment: string;
  readonly ClusterName: string;
  readonly ImageName: string;
  readonly Ipxe: string;
  readonly RuntimeOverlay: string[];
  readonly SystemOverlay: string[];
  readonly Kernel: KernelData;
  readonly Ipmi: IpmiData;
  readonly Init: string;
  readonly Root: string;
  /** The promoted copy: `.Primary` is false on every device here (upstream quirk, §5.3); `.ThisNode.NetDevs` has it right. */
  readonly NetDevs: GoMap<NetDevData>;
  readonly Tags: GoMap<string>;
  readonly PrimaryNetDev: string;
  readonly Disks: GoMap<DiskData>;
  readonly FileSystems: GoMap<FileSystemData>;
  readonly Resources: GoMap<unknown>;
  readonly ThisNode: NodeInfo;
  readonly #allNodes: () => NodeInfo[];

  constructor(server: ServerData, n: NodeInfo, allNodes: () => NodeInfo[]) {
    this.Id = n.Id;
    this.Hostname = n.Id;
    this.BuildHost = server.BuildHost;
    this.BuildTime = server.BuildTime;
    this.BuildTimeUnix = server.BuildTimeUnix;
    this.Ipaddr = server.Ipaddr;
    this.Netmask = server.Netmask;
    this.Network = server.Network;
    this.IpCIDR = server.IpCIDR;
    this.NetworkCIDR = server.NetworkCIDR;
    this.Ipaddr6 = server.Ipaddr6;
    this.PrefixLen6 = server.PrefixLen6;
    this.IpCIDR6 = server.IpCIDR6;
    this.Network6 = server.Network6;
    this.NetworkCIDR6 = server.NetworkCIDR6;
    this.Ipv6 = server.Ipv6;
    this.Warewulf = server.Warewulf;
    this.Dhcp = server.Dhcp;
    this.Tftp = server.Tftp;
    this.Nfs = server.Nfs;
    this.Ssh = server.Ssh;
    this.Paths = server.Paths;
    this.Discoverable = n.Discoverable;
    this.AssetKey = n.AssetKey;
    this.Profiles = n.Profiles;
    this.Comment = n.Comment;
    this.ClusterName = n.ClusterName;
    this.ImageName = n.ImageName;
    this.Ipxe = n.Ipxe;
    this.RuntimeOverlay = n.RuntimeOverlay;
    this.SystemOverlay = n.SystemOverlay;
    this.Kernel = n.Kernel;
    this.Ipmi = n.Ipmi;
    this.Init = n.Init;
    this.Root = n.Root;
    let promoted: GoMap<NetDevData> = n.NetDevs;
    for (const name in n.NetDevs) {
      if (n.NetDevs[name]!.Primary()) {
        promoted = newMap();
        for (const k in n.NetDevs) promoted[k] = withoutPrimary(n.NetDevs[k]!);
        frozen(promoted);
        break;
      }
    }
    this.NetDevs = promoted;
    this.Tags = n.Tags;
    this.PrimaryNetDev = n.PrimaryNetDev;
    this.Disks = n.Disks;
    this.FileSystems = n.FileSystems;
    this.Resources = n.Resources;
    this.ThisNode = n;
    this.#allNodes = allNodes;
  }

  /** Every node of the registry, sorted by (cluster name, id); built once per build, on first use. */
  get AllNodes(): NodeInfo[] {
    return this.#allNodes();
  }

  // 4.3 aliases, see defineAliases
  declare readonly Container: string;
  declare readonly ContainerName: string;
  declare readonly Keys: GoMap<string>;
}

defineAliases(NodeData.prototype);

/**
 * One overlay build's template data: server data once, each node's view
 * once, `.AllNodes` once. `nodes` is every node of the registry (the lead's
 * NodeDb); `dataFor` may be called for any of them, or for a node outside it.
 */
export class TemplateBuild {
  readonly server: ServerData;
  readonly #nodes: () => Iterable<MergedNode>;
  readonly #views = new Map<string, NodeInfo>();
  readonly #kernel: ((image: string) => string | undefined) | undefined;
  #all: NodeInfo[] | undefined;
  /** Set when any template of this build read `.AllNodes` (for dependency tracking). */
  allNodesRead = false;

  constructor(
    readonly ctx: ServerContext,
    nodes: Iterable<MergedNode> | (() => Iterable<MergedNode>),
  ) {
    this.server = serverTemplateData(ctx);
    this.#nodes = typeof nodes === 'function' ? nodes : () => nodes;
    const cache = new Map<string, string | undefined>();
    const kv = ctx.kernelVersion;
    this.#kernel = kv
      ? (image) => {
          if (!cache.has(image)) cache.set(image, kv(image));
          return cache.get(image);
        }
      : undefined;
  }

  /** The view of one node (cached for the build). */
  info(node: MergedNode): NodeInfo {
    let v = this.#views.get(node.id);
    if (v === undefined) {
      v = nodeInfo(node, this.#kernel);
      this.#views.set(node.id, v);
    }
    return v;
  }

  /** `.AllNodes`: sorted by cluster name, then id (§5.3). */
  allNodes(): NodeInfo[] {
    this.allNodesRead = true;
    if (this.#all === undefined) {
      const all = [...this.#nodes()].map((n) => this.info(n));
      all.sort((a, b) => (a.ClusterName !== b.ClusterName ? (a.ClusterName < b.ClusterName ? -1 : 1) : a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
      this.#all = frozen(all);
    }
    return this.#all;
  }

  /** The data object for one node. */
  dataFor(node: MergedNode): NodeData {
    return new NodeData(this.server, this.info(node), () => this.allNodes());
  }

  /** The data object of the host overlay's pseudo node (§5.7). */
  hostData(): NodeData {
    return new NodeData(this.server, hostNodeInfo(this.ctx.hostname), () => this.allNodes());
  }
}

/** Server context with HEAD's defaults (defaults of §3.1, RPM paths, this host's name). */
export function defaultServerContext(hostname: string): ServerContext {
  return { conf: defaultWarewulfConf(), paths: resolvePaths({ env: {} }), hostname };
}

/** The data object of one node in a one-node build with default server settings (tests, `overlay show`). */
export function nodeTemplateData(node: MergedNode, build?: TemplateBuild): NodeData {
  return (build ?? new TemplateBuild(defaultServerContext('localhost'), [node])).dataFor(node);
}
