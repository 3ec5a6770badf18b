/**
 * The seed's (4.3's) overlay names, read in a nodes.conf written in 4.3's
 * vocabulary. In 4.3 the `wwinit` system overlay held everything a node
 * needed at boot: what today's `wwinit`, `wwclient`, `fstab`, `hostname`,
 * `ssh.host_keys`, `issue`, `resolv` and network overlays hold (§5.9
 * [4.3]). Today `wwinit` is only the init part, so a 4.3 nodes.conf read
 * literally would boot nodes without wwclient, host name or network
 * configuration. An entity (node or profile) that uses the 4.3 vocabulary
 * (§2.7: `container name`, a `kernel args` string, overlay lists written as
 * strings, netdev `default: true`, ...) therefore has `wwinit` in its system
 * overlay list read as that bundle, as `wwctl upgrade nodes
 * --replace-overlays` would write it (§2.7), minus the overlays this clone
 * does not ship (wicked, ignition). `generic` (the 4.3 runtime overlay:
 * hosts, passwd, group, authorized keys) is still shipped under its name and
 * needs no mapping. Entities in today's vocabulary are read as written.
 */

/** Today's overlays that together hold what 4.3's `wwinit` held, in upgrade's order. */
export const SEED_WWINIT_OVERLAYS: readonly string[] = [
  'wwinit', 'wwclient', 'fstab', 'hostname', 'ssh.host_keys', 'issue', 'resolv',
  'udev.netname', 'systemd.netname', 'ifcfg', 'ifupdown', 'NetworkManager',
];

/**
 * A 4.3 system overlay list in today's names: `wwinit` replaced by
 * SEED_WWINIT_OVERLAYS, less the members the list names itself (they stay
 * where the list puts them); nothing repeated. Returns the same array when
 * it holds no `wwinit`.
 */
export function seedSystemOverlays(list: readonly string[]): readonly string[] {
  if (!list.includes('wwinit')) return list;
  const out: string[] = [];
  const add = (n: string): void => {
    if (!out.includes(n)) out.push(n);
  };
  for (const name of list) {
    if (name !== 'wwinit') add(name);
    else for (const n of SEED_WWINIT_OVERLAYS) if (n === 'wwinit' || !list.includes(n)) add(n);
  }
  return out;
}
