/**
 * The 4.3–4.5 keys of a node or profile that today's field table does not
 * have (§2.7), in one place: the reader (flat.ts) folds the "read" ones into
 * their modern fields, `upgrade nodes` drops them all once converted, and
 * the unknown-key warning (document.ts) passes over every one of them, so
 * that only real typos warn. The list follows upstream's legacy structs
 * (internal/pkg/upgrade/node.go): Profile, IpmiConf, KernelConf, NetDev.
 */

/** Where a legacy key sits inside an entity. */
export type LegacyScope = 'top' | 'kernel' | 'ipmi' | 'netdev';

/** Legacy keys that carry a value today's reader uses (§2.7 table). */
export const LEGACY_READ_KEYS: Readonly<Record<LegacyScope, readonly string[]>> = Object.freeze({
  top: [
    'container name', 'kernel override', 'kernel version', 'kernel args', 'keys', 'tagsdel',
    'ipmi username', 'ipmi password', 'ipmi ipaddr', 'ipmi netmask', 'ipmi port', 'ipmi gateway',
    'ipmi interface', 'ipmi escapechar', 'ipmi write',
  ],
  kernel: ['override'],
  ipmi: ['tagsdel'],
  netdev: ['ip6addr', 'ipcidr', 'primary', 'default', 'tagsdel'],
});

/**
 * Legacy keys upstream reads and throws away (§2.7 "ignored"): 4.3's
 * `disabled`, a netdev's `prefix`, and a `WW_INTERNAL` written into an
 * entry. (A profile's `asset key` is ignored too, but it is a field of
 * today's nodes, so it is not unknown.)
 */
export const LEGACY_IGNORED_KEYS: Readonly<Record<LegacyScope, readonly string[]>> = Object.freeze({
  top: ['disabled', 'WW_INTERNAL'],
  kernel: [],
  ipmi: [],
  netdev: ['prefix'],
});

const ALL: ReadonlyMap<LegacyScope, ReadonlySet<string>> = new Map(
  (Object.keys(LEGACY_READ_KEYS) as LegacyScope[]).map((s) => [s, new Set([...LEGACY_READ_KEYS[s], ...LEGACY_IGNORED_KEYS[s]])]),
);

/** The scope of a YAML path inside an entity (`[]` top, `['kernel']`, `['network devices', 'eth0']`), if legacy keys live there. */
export function legacyScopeOf(path: readonly (string | number)[]): LegacyScope | undefined {
  if (path.length === 0) return 'top';
  if (path.length === 1 && (path[0] === 'kernel' || path[0] === 'ipmi')) return path[0];
  if (path.length === 2 && path[0] === 'network devices') return 'netdev';
  return undefined;
}

/** True when `key` under `path` (inside one entity) is a §2.7 legacy key, read or ignored. */
export function isLegacyKey(path: readonly (string | number)[], key: string): boolean {
  const scope = legacyScopeOf(path);
  return scope !== undefined && (ALL.get(scope)?.has(key) ?? false);
}
