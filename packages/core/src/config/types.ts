/**
 * The normalised, defaulted warewulf.conf. Field names are camelCase for TS
 * callers; `render.ts` maps them back to upstream's YAML keys. `raw` is the
 * document exactly as read so a writer can carry unknown keys back out.
 */

/** `paths:` keys of warewulf.conf (upstream spells them all lowercase). */
export const PATH_KEYS = [
  'bindir',
  'sysconfdir',
  'localstatedir',
  'cachedir',
  'ipxesource',
  'srvdir',
  'firewallddir',
  'systemddir',
  'datadir',
  'wwoverlaydir',
  'wwchrootdir',
  'wwprovisiondir',
  'wwclientdir',
  'wwfilesdir',
] as const;

export type PathKey = (typeof PATH_KEYS)[number];
export type PathsConf = Record<PathKey, string>;

export interface ExportPath {
  path: string;
  exportOptions: string;
  /** 4.3-era; moved to nodes.conf fstab by `upgrade nodes --with-warewulfconf`. Kept only if present. */
  mount?: boolean;
  mountOptions?: string;
}

export interface ImageMount {
  source: string;
  dest: string;
  readonly: boolean;
  options: string;
  copy: boolean;
}

export interface WarewulfConf {
  comment: string;
  ipaddr: string;
  netmask: string;
  network: string;
  fqdn: string;
  ipaddr6: string;
  prefixlen6: string;
  warewulf: {
    port: number;
    tlsPort: number;
    secure: boolean;
    secureFiles: boolean;
    tls: boolean;
    updateInterval: number;
    autobuildOverlays: boolean;
    hostOverlay: boolean;
    grubboot: boolean;
    systemdName: string;
    /** Concurrent kernel/image/initramfs streams warewulfd allows; 0 = sized to the link at start-up. Ours, not upstream's. */
    streamLimit: number;
    /** Seconds a request waits for a stream slot before a 503 with Retry-After. Ours. */
    streamQueueTimeout: number;
  };
  api: { enabled: boolean; tls: boolean; allowedSubnets: string[] };
  dhcp: {
    enabled: boolean;
    template: string;
    rangeStart: string;
    rangeEnd: string;
    range6Start: string;
    range6End: string;
    systemdName: string;
  };
  tftp: { enabled: boolean; tftproot: string; systemdName: string; ipxe: Record<string, string> };
  nfs: { enabled: boolean; exportPaths: ExportPath[]; systemdName: string };
  ssh: { keyTypes: string[] };
  imageMounts: ImageMount[];
  wwclient: { port: number };
  /** Only the `paths:` values the file set; built-in defaults are applied by resolvePaths(). */
  paths: Partial<PathsConf>;
  /** The parsed YAML document as read (before legacy mapping); `{}` for defaults. */
  raw: Record<string, unknown>;
}

/** Values computed from the config for templates (§3.1 "Derived values"). */
export interface WarewulfConfDerived {
  ipCIDR: string;
  networkCIDR: string;
  network6: string;
  networkCIDR6: string;
  ipCIDR6: string;
  ipv6: boolean;
}
