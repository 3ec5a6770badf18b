/**
 * What an overlay template sees of a node: the merged node as Go structs
 * (class instances, so a misspelt field is an error as in Go, not a silent
 * `<no value>`). This is the seed's view (its `issue.ww` is the contract):
 * `.Id`, `.Container`, `.Kernel.Version`, `.Kernel.Args` as one string,
 * `.NetDevs` by name with `.Device`, `.IpCIDR`, `.Ipaddr6`, `.Hwaddr`, plus
 * the other node fields under their upstream names (§5.3). The overlay work
 * extends it with the server data (`.Warewulf`, `.Dhcp`, `.AllNodes`, ...).
 */
import { netmaskToBits } from '../ip.js';
import type { MergedNode } from '../node/merge.js';

type Get = (path: string) => string;

export class KernelData {
  constructor(
    readonly Version: string,
    /** Space-joined, as 4.3 and the seed's issue.ww print it. */
    readonly Args: string,
  ) {}
}

export class IpmiData {
  constructor(
    readonly UserName: string,
    readonly Password: string,
    readonly Ipaddr: string,
    readonly Gateway: string,
    readonly Netmask: string,
    readonly Port: string,
    readonly Interface: string,
    readonly EscapeChar: string,
    readonly Write: string,
    readonly Template: string,
    readonly Tags: Record<string, string>,
  ) {}
}

export class NetDevData {
  constructor(
    readonly Type: string,
    readonly OnBoot: string,
    readonly Device: string,
    readonly Hwaddr: string,
    readonly Ipaddr: string,
    readonly Netmask: string,
    readonly Gateway: string,
    readonly Ipaddr6: string,
    readonly PrefixLen6: string,
    readonly Gateway6: string,
    readonly MTU: string,
    readonly Tags: Record<string, string>,
    readonly Primary: boolean,
  ) {}

  /** `10.10.1.11/24`; empty when the address or a valid mask is missing. */
  get IpCIDR(): string {
    const bits = this.Netmask === '' ? undefined : netmaskToBits(this.Netmask);
    return this.Ipaddr === '' || bits === undefined ? '' : `${this.Ipaddr}/${bits}`;
  }
}

export class NodeData {
  constructor(
    readonly Id: string,
    readonly Hostname: string,
    readonly Comment: string,
    readonly ClusterName: string,
    readonly ImageName: string,
    readonly Ipxe: string,
    readonly Init: string,
    readonly Root: string,
    readonly Discoverable: string,
    readonly AssetKey: string,
    readonly Profiles: string[],
    readonly SystemOverlay: string[],
    readonly RuntimeOverlay: string[],
    readonly Kernel: KernelData,
    readonly Ipmi: IpmiData,
    readonly NetDevs: Record<string, NetDevData>,
    readonly Tags: Record<string, string>,
    readonly PrimaryNetDev: string,
  ) {}

  /** The 4.3 names, kept for old site templates. */
  get Container(): string {
    return this.ImageName;
  }

  get ContainerName(): string {
    return this.ImageName;
  }

  get Keys(): Record<string, string> {
    return this.Tags;
  }
}

function tagsOf(node: MergedNode, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of node.fields.values()) {
    if (f.entry.path.startsWith(prefix) && f.entry.ref.spec.tagMap) out[f.entry.ref.keys[f.entry.ref.keys.length - 1] as string] = String(f.value);
  }
  return out;
}

/** The template data of one merged node. */
export function nodeTemplateData(node: MergedNode): NodeData {
  const get: Get = (path) => {
    const v = node.fields.get(path)?.value;
    if (v === undefined) return '';
    return Array.isArray(v) ? v.join(',') : String(v);
  };
  const list = (path: string): string[] => {
    const v = node.fields.get(path)?.value;
    return Array.isArray(v) ? v.map(String) : [];
  };
  const netdevs: Record<string, NetDevData> = {};
  for (const net of node.netdevs) {
    const n = (f: string) => get(`NetDevs[${net}].${f}`);
    netdevs[net] = new NetDevData(
      n('Type'), n('OnBoot'), n('Device'), n('Hwaddr'), n('Ipaddr'), n('Netmask'), n('Gateway'), n('Ipaddr6'),
      n('PrefixLen6'), n('Gateway6'), n('MTU'), tagsOf(node, `NetDevs[${net}].Tags[`), node.primaryNetDev === net,
    );
  }
  const ipmi = (f: string) => get(`Ipmi.${f}`);
  return new NodeData(
    node.id, node.id, get('Comment'), get('ClusterName'), get('ImageName'), get('Ipxe'), get('Init'), get('Root'),
    get('Discoverable'), get('AssetKey'), [...node.profiles], list('SystemOverlay'), list('RuntimeOverlay'),
    new KernelData(get('Kernel.Version'), list('Kernel.Args').join(' ')),
    new IpmiData(
      ipmi('UserName'), ipmi('Password'), ipmi('Ipaddr'), ipmi('Gateway'), ipmi('Netmask'), ipmi('Port'),
      ipmi('Interface'), ipmi('EscapeChar'), ipmi('Write'), ipmi('Template'), tagsOf(node, 'Ipmi.Tags['),
    ),
    netdevs,
    tagsOf(node, 'Tags['),
    node.primaryNetDev ?? '',
  );
}
