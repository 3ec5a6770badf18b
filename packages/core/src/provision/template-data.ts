/**
 * What the iPXE and GRUB templates see (§7.1): the node, the server and the
 * request, as a Go struct (a class, so a misspelt field fails as in Go).
 * Kept apart from the overlay template data (§5.3): boot scripts need a
 * small, fixed set of values, and they must render in microseconds.
 */
import { isIPv6 } from 'node:net';
import { formatIPv6, parseIPv6 } from '../ip.js';
import type { WarewulfConf } from '../config/types.js';
import type { MergedNode } from '../node/merge.js';
import { nodeInfo, type NetDevData } from '../overlay/template-data.js';

export class BootTemplateData {
  constructor(
    readonly Id: string,
    readonly Hostname: string,
    readonly Fqdn: string,
    readonly Cluster: string,
    readonly ImageName: string,
    readonly Ipxe: string,
    /** The hardware address from the request, normalised. */
    readonly Hwaddr: string,
    /** The server's IPv4 address (warewulf.conf ipaddr). */
    readonly Ipaddr: string,
    /** The server's IPv6 address, normalised. */
    readonly Ipaddr6: string,
    readonly Port: string,
    /** `ipaddr:port`, or `[ipaddr6]:port` for a request that came over IPv6. */
    readonly Authority: string,
    /** The node's kernel args joined by single spaces. */
    readonly KernelArgs: string,
    /** `kernel.version`, else the version of the image's default kernel. */
    readonly KernelVersion: string,
    readonly Root: string,
    readonly TLS: boolean,
    readonly Tags: Record<string, string>,
    readonly NetDevs: Record<string, NetDevData>,
    /**
     * Seconds a node waits before retrying a failed download (2-9): a
     * per-node spread so that nodes refused in a boot storm do not come back
     * all at once. Not upstream's; our scripts use it.
     */
    readonly RetryDelay: string,
    readonly Message: string = '',
    readonly WaitTime: string = '',
  ) {}

  /** 4.3's names (§7.1). */
  get ContainerName(): string {
    return this.ImageName;
  }

  get KernelOverride(): string {
    return this.KernelVersion;
  }
}

/** The request side of the data: who asked and how. */
export interface BootRequestInfo {
  /** Normalised hardware address the node asked with. */
  hwaddr: string;
  /** The request arrived over IPv6 (not IPv4-mapped). */
  ipv6: boolean;
}

function normalizeV6(a: string): string {
  return a !== '' && isIPv6(a) ? formatIPv6(parseIPv6(a)) : a;
}

/** Authority of the server as a node should address it (§7.1). */
export function serverAuthority(conf: Pick<WarewulfConf, 'ipaddr' | 'ipaddr6' | 'warewulf'>, ipv6: boolean): string {
  const v6 = normalizeV6(conf.ipaddr6);
  if (ipv6 && v6 !== '') return `[${v6}]:${conf.warewulf.port}`;
  return `${conf.ipaddr}:${conf.warewulf.port}`;
}

/** A stable 2-9 s from the hardware address (FNV-1a: cheap, and spreads neighbouring MACs). */
export function retryDelayFor(hwaddr: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < hwaddr.length; i++) h = Math.imul(h ^ hwaddr.charCodeAt(i), 0x01000193);
  return String(2 + ((h >>> 0) % 8));
}

/**
 * Template data of a known node for the boot scripts. `kernelVersion` is the
 * resolved version (explicit `kernel.version` wins; the caller passes the
 * image default's otherwise).
 */
export function bootTemplateData(
  node: MergedNode,
  conf: Pick<WarewulfConf, 'ipaddr' | 'ipaddr6' | 'warewulf'>,
  req: BootRequestInfo,
  kernelVersion: string,
): BootTemplateData {
  // the node's view only: server data (paths, formatted build time) is not part of a boot script's data
  const nd = nodeInfo(node);
  const args = node.fields.get('Kernel.Args')?.value;
  return new BootTemplateData(
    node.id, node.id, node.id, nd.ClusterName, nd.ImageName, nd.Ipxe, req.hwaddr,
    conf.ipaddr, normalizeV6(conf.ipaddr6), String(conf.warewulf.port), serverAuthority(conf, req.ipv6),
    Array.isArray(args) ? args.join(' ') : '',
    nd.Kernel.Version !== '' ? nd.Kernel.Version : kernelVersion,
    nd.Root, conf.warewulf.tls, nd.Tags, nd.NetDevs, retryDelayFor(req.hwaddr),
  );
}

/** Data for `unconfigured.ipxe`: only `.Hwaddr` (and the server values a script needs to say where it is). */
export function unknownNodeTemplateData(conf: Pick<WarewulfConf, 'ipaddr' | 'ipaddr6' | 'warewulf'>, req: BootRequestInfo): BootTemplateData {
  return new BootTemplateData(
    '', '', '', '', '', '', req.hwaddr, conf.ipaddr, normalizeV6(conf.ipaddr6), String(conf.warewulf.port),
    serverAuthority(conf, req.ipv6), '', '', '', conf.warewulf.tls, {}, {}, retryDelayFor(req.hwaddr),
  );
}
