/**
 * WarewulfConf → YAML with upstream's keys, for `genconfig warewulfconf print`
 * and for writers (`configure`, `upgrade config`). Empty strings and
 * off-by-default flags are omitted the way upstream's `omitempty` tags do, so
 * an empty input renders as upstream's effective config (§3.1). Unknown keys
 * from `conf.raw` are written back where they were; legacy keys are not
 * (they have been folded into their current names).
 */
import { dump } from 'js-yaml';
import type { KeyTree } from './schema.js';
import { KNOWN_KEYS } from './schema.js';
import type { WarewulfConf } from './types.js';
import { PATH_KEYS } from './types.js';

type Doc = Record<string, unknown>;

function isMapping(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Drop keys whose value is undefined or an empty string. */
function compact(o: Doc): Doc {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}

/** Copy keys of `raw` that the schema does not know into `out`, recursively. */
function mergeUnknown(out: Doc, raw: unknown, tree: KeyTree): void {
  if (!isMapping(raw)) return;
  for (const [key, value] of Object.entries(raw)) {
    const known = Object.hasOwn(tree, key) ? tree[key] : undefined;
    if (known === undefined) {
      out[key] = value;
    } else if (Array.isArray(known)) {
      const itemTree = known[0];
      const rendered = out[key];
      if (itemTree === true || !Array.isArray(value) || !Array.isArray(rendered)) continue;
      rendered.forEach((item, i) => {
        if (isMapping(item)) mergeUnknown(item, value[i], itemTree);
      });
    } else if (known !== true) {
      const section = out[key];
      if (isMapping(section)) mergeUnknown(section, value, known);
      else if (findsUnknown(value, known)) {
        const fresh: Doc = {};
        mergeUnknown(fresh, value, known);
        out[key] = fresh;
      }
    }
  }
}

function findsUnknown(raw: unknown, tree: KeyTree): boolean {
  return isMapping(raw) && Object.keys(raw).some((k) => !Object.hasOwn(tree, k));
}

/** The YAML document (plain object, upstream keys) for `conf`. */
export function warewulfConfToDocument(conf: WarewulfConf): Doc {
  const ww = conf.warewulf;
  const rawWw = conf.raw['warewulf'];
  const secureFilesGiven = isMapping(rawWw) && rawWw['secure files'] !== undefined && rawWw['secure files'] !== null;
  const paths = compact(Object.fromEntries(PATH_KEYS.map((k) => [k, conf.paths[k]])));

  const doc: Doc = compact({
    comment: conf.comment,
    ipaddr: conf.ipaddr,
    ipaddr6: conf.ipaddr6,
    prefixlen6: conf.prefixlen6,
    netmask: conf.netmask,
    network: conf.network,
    fqdn: conf.fqdn,
  });
  doc['warewulf'] = compact({
    port: ww.port,
    'tls port': ww.tlsPort,
    secure: ww.secure,
    'secure files': secureFilesGiven || ww.secureFiles !== ww.secure ? ww.secureFiles : undefined,
    tls: ww.tls || undefined,
    'update interval': ww.updateInterval,
    'autobuild overlays': ww.autobuildOverlays,
    'host overlay': ww.hostOverlay,
    grubboot: ww.grubboot,
    'systemd name': ww.systemdName,
    // ours: written only when set, so upstream's tools see the file they know
    'stream limit': ww.streamLimit !== 0 ? ww.streamLimit : undefined,
    'stream queue timeout': ww.streamQueueTimeout !== 60 ? ww.streamQueueTimeout : undefined,
  });
  doc['api'] = compact({ enabled: conf.api.enabled, tls: conf.api.tls || undefined, 'allowed subnets': [...conf.api.allowedSubnets] });
  doc['dhcp'] = compact({
    enabled: conf.dhcp.enabled,
    template: conf.dhcp.template,
    'range start': conf.dhcp.rangeStart,
    'range end': conf.dhcp.rangeEnd,
    'range6 start': conf.dhcp.range6Start,
    'range6 end': conf.dhcp.range6End,
    'systemd name': conf.dhcp.systemdName,
  });
  doc['tftp'] = compact({
    enabled: conf.tftp.enabled,
    tftproot: conf.tftp.tftproot,
    'systemd name': conf.tftp.systemdName,
    ipxe: { ...conf.tftp.ipxe },
  });
  doc['nfs'] = compact({
    enabled: conf.nfs.enabled,
    'export paths':
      conf.nfs.exportPaths.length > 0
        ? conf.nfs.exportPaths.map((e) => compact({ path: e.path, 'export options': e.exportOptions, mount: e.mount, 'mount options': e.mountOptions }))
        : undefined,
    'systemd name': conf.nfs.systemdName,
  });
  doc['ssh'] = { 'key types': [...conf.ssh.keyTypes] };
  doc['image mounts'] = conf.imageMounts.map((m) =>
    compact({ source: m.source, dest: m.dest, readonly: m.readonly || undefined, options: m.options, copy: m.copy || undefined }),
  );
  if (conf.wwclient.port !== 0) doc['wwclient'] = { port: conf.wwclient.port };
  if (Object.keys(paths).length > 0) doc['paths'] = paths;

  mergeUnknown(doc, conf.raw, KNOWN_KEYS);
  return doc;
}

export function warewulfConfToYaml(conf: WarewulfConf): string {
  return dump(warewulfConfToDocument(conf), { lineWidth: -1, noRefs: true, quotingType: '"' });
}
