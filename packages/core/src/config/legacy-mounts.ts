/**
 * 4.3's NFS mounts in warewulf.conf (§3.4): an export with `mount: true`
 * (and its `mount options`), or every path of 4.2's plain `nfs.exports`
 * list, was mounted on the nodes. Today's warewulf.conf does not mount
 * anything: those mounts belong to nodes.conf's `fstab` resource, which
 * `wwctl upgrade nodes --with-warewulfconf=<file>` writes (§2.7). Found here
 * so that the loader, `upgrade config` and `upgrade nodes` agree on them.
 */
import type { WarewulfConf } from './types.js';
import { isMapping } from '../yaml-value.js';

export interface LegacyNfsMount {
  readonly path: string;
  readonly mountOptions?: string;
  /** Key path in the file (`['nfs', 'export paths', 0, 'mount']`), for file:line:col. */
  readonly at: readonly (string | number)[];
}

/** The exports nodes mounted under the legacy scheme, in file order. */
export function legacyNfsMounts(conf: WarewulfConf): LegacyNfsMount[] {
  const rawNfs = isMapping(conf.raw) ? conf.raw['nfs'] : undefined;
  if (!isMapping(rawNfs)) return [];
  const extended = rawNfs['export paths'];
  if (Array.isArray(extended) && extended.length > 0) {
    // applyDefaults maps `export paths` one to one, so the indexes agree
    return conf.nfs.exportPaths.flatMap((e, i) =>
      e.mount === true ? [{ path: e.path, ...(e.mountOptions ? { mountOptions: e.mountOptions } : {}), at: ['nfs', 'export paths', i, 'mount'] }] : [],
    );
  }
  const plain = rawNfs['exports'];
  if (!Array.isArray(plain)) return [];
  return plain.flatMap((p, i) => (typeof p === 'string' && p !== '' ? [{ path: p, at: ['nfs', 'exports', i] }] : []));
}

/** The advice for one legacy mount: where it now goes, with the file the legacy settings are in. */
export function legacyMountAdvice(m: LegacyNfsMount, original: string): string {
  return `NFS export ${m.path} is mounted on the nodes by the legacy warewulf.conf, which today's does not do: ` +
    `use wwctl upgrade nodes --with-warewulfconf=${original} to move the mount to nodes.conf`;
}
