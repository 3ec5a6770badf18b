/**
 * HEAD's built-in defaults (§3.1) and the step that turns a validated document
 * into a complete WarewulfConf, folding in 4.3-era keys (§3.4) on the way.
 */
import { bitsToNetmask, maskIPv4, parseCidr } from '../ip.js';
import type { WarewulfConfDocument } from './schema.js';
import type { ExportPath, ImageMount, PathsConf, WarewulfConf } from './types.js';
import { PATH_KEYS } from './types.js';

/** DHCP option 93 client architecture → iPXE binary, relative to paths.ipxesource. */
export const DEFAULT_IPXE: Readonly<Record<string, string>> = Object.freeze({
  '00:00': 'undionly.kpxe',
  '00:07': 'ipxe-snponly-x86_64.efi',
  '00:09': 'ipxe-snponly-x86_64.efi',
  '00:0B': 'arm64-efi/snponly.efi',
});

export const DEFAULT_EXPORT_OPTIONS = 'rw,sync,no_subtree_check';
export const DEFAULT_TFTPROOT = '/var/lib/tftpboot';
export const DEFAULT_ALLOWED_SUBNETS: readonly string[] = Object.freeze(['127.0.0.0/8', '::1/128']);
export const DEFAULT_KEY_TYPES: readonly string[] = Object.freeze(['ed25519', 'ecdsa', 'rsa']);

/** Build-time paths of the RPM packaging (§0.1). */
export const DEFAULT_PATHS: Readonly<PathsConf> = Object.freeze({
  bindir: '/usr/bin',
  sysconfdir: '/etc',
  localstatedir: '/var/lib',
  cachedir: '/var/cache',
  ipxesource: '/usr/share/ipxe',
  srvdir: '/srv',
  firewallddir: '/usr/lib/firewalld/services',
  systemddir: '/usr/lib/systemd/system',
  datadir: '/usr/share',
  wwoverlaydir: '/var/lib/warewulf/overlays',
  wwchrootdir: '/var/lib/warewulf/chroots',
  wwprovisiondir: '/var/lib/warewulf/provision',
  wwclientdir: '/warewulf',
  wwfilesdir: '/var/lib/warewulf/files',
});

type Doc = WarewulfConfDocument;

function exportPath(e: NonNullable<NonNullable<NonNullable<Doc['nfs']>['export paths']>[number]>): ExportPath {
  const out: ExportPath = {
    path: e.path || '/dev/null',
    exportOptions: e['export options'] || DEFAULT_EXPORT_OPTIONS,
  };
  if (e.mount !== undefined) out.mount = e.mount;
  if (e['mount options'] !== undefined) out.mountOptions = e['mount options'];
  return out;
}

function imageMount(m: NonNullable<NonNullable<Doc['image mounts']>[number]>): ImageMount {
  const source = m.source ?? '';
  return { source, dest: m.dest || source, readonly: m.readonly ?? false, options: m.options ?? '', copy: m.copy ?? false };
}

/** Apply defaults and legacy mappings. `raw` is stored as given. */
export function applyDefaults(doc: Doc, raw: Record<string, unknown>): WarewulfConf {
  const ww = doc.warewulf ?? {};
  const nfs = doc.nfs ?? {};
  const secure = ww.secure ?? true;

  let ipaddr = doc.ipaddr ?? '';
  let netmask = doc.netmask ?? '';
  let network = doc.network ?? '';
  // `ipaddr: a.b.c.d/nn` is stored bare and fills network/netmask only where the file left them empty.
  const v4 = parseCidr(ipaddr, 4);
  if (v4) {
    ipaddr = v4.address;
    if (network === '') network = maskIPv4(v4.address, bitsToNetmask(v4.bits));
    if (netmask === '') netmask = bitsToNetmask(v4.bits);
  }

  let ipaddr6 = doc.ipaddr6 ?? '';
  let prefixlen6 = doc.prefixlen6 ?? '';
  const v6 = parseCidr(ipaddr6, 6);
  if (v6) {
    ipaddr6 = v6.address;
    if (prefixlen6 === '') prefixlen6 = String(v6.bits);
  }
  // 4.3 `ipv6net` only fills what the file did not set the new way.
  const legacy6 = doc.ipv6net ? parseCidr(doc.ipv6net, 6) : undefined;
  if (legacy6 && ipaddr6 === '') {
    ipaddr6 = legacy6.address;
    if (prefixlen6 === '') prefixlen6 = String(legacy6.bits);
  }

  let exportPaths = (nfs['export paths'] ?? []).map((e) => exportPath(e ?? {}));
  if (exportPaths.length === 0 && nfs.exports) {
    exportPaths = nfs.exports.filter((p): p is string => !!p).map((path) => ({ path, exportOptions: DEFAULT_EXPORT_OPTIONS }));
  }

  // `container mounts` (≤4.5) is used only when `image mounts` is absent or empty; an explicit `[]` stays empty.
  const current = doc['image mounts'];
  const mountsDoc = current && (current.length > 0 || !doc['container mounts']) ? current : (doc['container mounts'] ?? current);
  const imageMounts = mountsDoc ? mountsDoc.map((m) => imageMount(m ?? {})) : [{ source: '/etc/resolv.conf', dest: '/etc/resolv.conf', readonly: false, options: '', copy: false }];

  const paths: Partial<PathsConf> = {};
  for (const k of PATH_KEYS) {
    const v = doc.paths?.[k];
    if (v) paths[k] = v;
  }
  if (paths.datadir === undefined && ww.datastore) paths.datadir = ww.datastore;

  const ipxe = doc.tftp?.ipxe;
  const ipxeMap: Record<string, string> = {};
  // A map given in the file replaces the defaults entirely (an empty one counts as not given, like upstream).
  for (const [k, v] of Object.entries(ipxe && Object.keys(ipxe).length > 0 ? ipxe : DEFAULT_IPXE)) {
    if (v !== undefined) ipxeMap[k] = v;
  }

  return {
    comment: doc.comment ?? '',
    ipaddr,
    netmask,
    network,
    fqdn: doc.fqdn ?? '',
    ipaddr6,
    prefixlen6,
    warewulf: {
      port: ww.port ?? 9873,
      tlsPort: ww['tls port'] ?? 9874,
      secure,
      secureFiles: ww['secure files'] ?? secure,
      tls: ww.tls ?? false,
      updateInterval: ww['update interval'] ?? 60,
      autobuildOverlays: ww['autobuild overlays'] ?? true,
      hostOverlay: ww['host overlay'] ?? true,
      grubboot: ww.grubboot ?? false,
      systemdName: ww['systemd name'] ?? '',
      streamLimit: ww['stream limit'] ?? 0,
      streamQueueTimeout: ww['stream queue timeout'] ?? 60,
    },
    api: {
      enabled: doc.api?.enabled ?? false,
      tls: doc.api?.tls ?? false,
      allowedSubnets: (doc.api?.['allowed subnets'] ?? DEFAULT_ALLOWED_SUBNETS).filter((s): s is string => !!s),
    },
    dhcp: {
      enabled: doc.dhcp?.enabled ?? true,
      template: doc.dhcp?.template || 'default',
      rangeStart: doc.dhcp?.['range start'] ?? '',
      rangeEnd: doc.dhcp?.['range end'] ?? '',
      range6Start: doc.dhcp?.['range6 start'] ?? '',
      range6End: doc.dhcp?.['range6 end'] ?? '',
      systemdName: doc.dhcp?.['systemd name'] || 'dhcpd',
    },
    tftp: {
      enabled: doc.tftp?.enabled ?? true,
      tftproot: doc.tftp?.tftproot || DEFAULT_TFTPROOT,
      systemdName: doc.tftp?.['systemd name'] || 'tftp',
      ipxe: ipxeMap,
    },
    nfs: { enabled: nfs.enabled ?? true, exportPaths, systemdName: nfs['systemd name'] || 'nfsd' },
    ssh: { keyTypes: (doc.ssh?.['key types'] ?? DEFAULT_KEY_TYPES).filter((s): s is string => !!s) },
    imageMounts,
    wwclient: { port: doc.wwclient?.port ?? 0 },
    paths,
    raw,
  };
}

/** The effective config of an empty warewulf.conf. */
export function defaultWarewulfConf(): WarewulfConf {
  return applyDefaults({}, {});
}

