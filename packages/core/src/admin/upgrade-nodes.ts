/**
 * `wwctl upgrade nodes` (§1.10, §2.7): a nodes.conf of any era (4.3–4.5
 * vocabulary, or today's) rewritten in today's vocabulary.
 *
 * The conversion is the reader's own: each node and profile is flattened
 * with flattenEntity (which knows every legacy spelling of §2.7 from the
 * field table) and written back with entityFromFields, so what `upgrade`
 * writes is what `node list` already showed; there is no second table of
 * legacy keys here. Top-level keys nobody knows are kept as they were.
 */
import { WwError } from '../errors.js';
import type { Logger } from '../log.js';
import { emptyNodesDocument, type NodesDocument, type RawEntity } from '../node/document.js';
import { entityFromFields } from '../node/edit.js';
import { FIELD_BY_NAME, TOP_KEY_ORDER, type FieldSpec } from '../node/fields.js';
import { flattenEntity, IPXE_MENU_TAG, type FlatFields } from '../node/flat.js';
import { isLegacyKey, LEGACY_IGNORED_KEYS } from '../node/legacy-keys.js';
import { NodeMerger } from '../node/merge.js';
import { SEED_WWINIT_OVERLAYS, seedSystemOverlays } from '../node/seed-overlays.js';
import { scalarText } from '../yaml/scalar.js';
import { cloneData, isMapping, newMapping } from '../yaml-value.js';

/** What `--replace-overlays` puts in place of 4.3's runtime overlay `generic` (§2.7). */
export const GENERIC_RUNTIME_OVERLAYS: readonly string[] = ['hosts', 'ssh.authorized_keys', 'syncuser'];

/** `--add-defaults`: kernel args of profile `default` when it has none (§2.7). */
export const DEFAULT_KERNEL_ARGS: readonly string[] = ['quiet', 'crashkernel=no', 'net.ifnames=1'];

/** `--add-defaults`: the fstab resource of profile `default` when it has none (§2.7). */
export const DEFAULT_FSTAB: readonly Readonly<Record<string, string>>[] = [
  { spec: 'warewulf:/home', file: '/home', vfstype: 'nfs', mntops: 'defaults,nofail' },
  { spec: 'warewulf:/opt', file: '/opt', vfstype: 'nfs', mntops: 'defaults,noauto,nofail,ro' },
];

/** An NFS export of the legacy warewulf.conf that nodes mounted (`mount: true`, or any path of 4.2's `exports`). */
export interface LegacyMount {
  readonly path: string;
  readonly mountOptions?: string;
}

export interface UpgradeNodesOptions {
  /** Fill profile `default` with upstream's defaults; give nodes without profiles `[default]`. */
  readonly addDefaults: boolean;
  /** `wwinit` → today's overlays that held 4.3's wwinit; `generic` → GENERIC_RUNTIME_OVERLAYS. */
  readonly replaceOverlays: boolean;
  /** From `--with-warewulfconf`: exports that become `fstab` entries of profile `default`. */
  readonly mounts?: readonly LegacyMount[];
  /**
   * 4.3's `kernel override: NAME` resolved in `image` (the entry's own, or a
   * node's merged one) to today's `kernel.version`, undefined when it can
   * not be (§2.7; wwctl passes image/kernels.ts resolveKernelOverride).
   * Without it every override is unresolved.
   */
  readonly resolveKernelOverride?: (name: string, image: string | undefined) => Promise<string | undefined>;
  /** Where the document came from, for messages. */
  readonly file: string;
  readonly log: Logger;
}

const KNOWN_TOP = new Set(TOP_KEY_ORDER);

const spec = (name: string): FieldSpec => FIELD_BY_NAME.get(name) as FieldSpec;

function setList(flat: FlatFields, name: string, value: readonly string[]): void {
  flat.set(name, { ref: { spec: spec(name), keys: [] }, path: name, value: [...value] });
}

function setString(flat: FlatFields, name: string, keys: string[], path: string, value: string): void {
  flat.set(path, { ref: { spec: spec(name), keys }, path, value });
}

/** An overlay list as written: a list, or 4.3's comma-separated string. */
function rawList(v: unknown): string[] | undefined {
  let items: string[];
  if (typeof v === 'string') items = v.split(',');
  else if (Array.isArray(v)) items = v.map((x) => scalarText(x));
  else return undefined;
  items = items.map((s) => s.trim()).filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}

/**
 * `generic` replaced by GENERIC_RUNTIME_OVERLAYS where it stood; members the
 * list already names stay where they are, nothing is repeated (§2.7).
 */
export function replaceGeneric(list: readonly string[]): string[] {
  const out: string[] = [];
  const add = (n: string): void => {
    if (!out.includes(n)) out.push(n);
  };
  for (const name of list) {
    if (name !== 'generic') add(name);
    else for (const n of GENERIC_RUNTIME_OVERLAYS) if (!list.includes(n)) add(n);
  }
  return out;
}

/**
 * What the reader does not decide: a netdev's `ip6addr` against its
 * `ipaddr6` (an error when both differ); the keys upstream ignores (§2.7),
 * said once here since the output drops them.
 */
function check(raw: RawEntity, isNode: boolean, where: string, log: Logger): void {
  for (const k of LEGACY_IGNORED_KEYS.top) if (k in raw) log.warn(`${where}: ignored: ${k}: ${scalarText(raw[k])} (obsolete)`);
  if (!isNode && 'asset key' in raw) log.warn(`${where}: ignored: asset key: ${scalarText(raw['asset key'])} (only nodes have one)`);
  const nets = raw['network devices'];
  if (!isMapping(nets)) return;
  for (const [net, dev] of Object.entries(nets)) {
    if (!isMapping(dev)) continue;
    for (const k of LEGACY_IGNORED_KEYS.netdev) if (k in dev) log.warn(`${where}.network devices.${net}: ignored: ${k}: ${scalarText(dev[k])} (obsolete)`);
    if (dev.ip6addr === undefined || dev.ipaddr6 === undefined) continue;
    const a = scalarText(dev.ip6addr);
    const b = scalarText(dev.ipaddr6);
    if (a !== '' && b !== '' && a !== b) {
      throw new WwError('WW_ERR_NODES_INVALID', `${where}.network devices.${net}: ip6addr ${a} and ipaddr6 ${b} differ; keep one`);
    }
  }
}

/** The 4.3 kernel override of an entry (`kernel: {override}` or top-level `kernel override`), if any. */
function legacyOverride(raw: RawEntity): string | undefined {
  const nested = isMapping(raw.kernel) ? scalarText(raw.kernel.override) : '';
  const top = scalarText(raw['kernel override']);
  return nested || top || undefined;
}

/**
 * `kernel.version` from 4.3's `kernel override` (§2.7): the resolved path;
 * unresolved, upstream's `kernel version` when the entry has one, else the
 * name as written (the boot-time lookup tries it again once the image is
 * there), with a warning either way.
 */
async function upgradeKernelOverride(flat: FlatFields, raw: RawEntity, image: string | undefined, where: string, o: UpgradeNodesOptions): Promise<void> {
  const name = legacyOverride(raw);
  if (name === undefined) return;
  const resolved = o.resolveKernelOverride ? await o.resolveKernelOverride(name, image) : undefined;
  if (resolved !== undefined) {
    setString(flat, 'Kernel.Version', [], 'Kernel.Version', resolved);
    o.log.verbose(`${where}: kernel override ${name} -> kernel version ${resolved} (image ${image ?? 'unknown'})`);
    return;
  }
  const version = (isMapping(raw.kernel) ? scalarText(raw.kernel.version) : '') || scalarText(raw['kernel version']);
  const kept = version || name;
  setString(flat, 'Kernel.Version', [], 'Kernel.Version', kept);
  o.log.warn(`${where}: unable to resolve kernel override ${name} (image ${image ?? 'unknown'}): kernel version ${kept} written`);
}

/** One node or profile in today's vocabulary; `image` is the image it boots (for `kernel override`). */
async function upgradeEntity(raw: RawEntity, isNode: boolean, where: string, image: string | undefined, o: UpgradeNodesOptions): Promise<RawEntity> {
  check(raw, isNode, where, o.log);
  const flat = flattenEntity(raw, isNode);
  if (flat.get('Ipxe')?.value === 'dracut' && raw['ipxe template'] !== undefined && flat.has(IPXE_MENU_TAG)) {
    o.log.warn(`${where}: ipxe template "dracut" kept: tag IPXEMenuEntry is already set (today's "default" template with that tag replaces it)`);
  }
  await upgradeKernelOverride(flat, raw, image, where, o);
  const system = rawList(raw['system overlay']);
  if (system !== undefined) {
    // the reader maps a 4.3 entity's `wwinit` to today's bundle; upgrade does so only when asked
    if (o.replaceOverlays) setList(flat, 'SystemOverlay', seedSystemOverlays(system));
    else {
      // the reader expanded `wwinit` (a 4.3 entity): written as is, it will mean today's smaller overlay
      const read = flat.get('SystemOverlay')?.value;
      const expanded = Array.isArray(read) && (read.length !== system.length || read.some((n, i) => n !== system[i]));
      setList(flat, 'SystemOverlay', system);
      if (expanded) o.log.warn(`${where}: system overlay "wwinit" kept; today's wwinit is only the init part (use --replace-overlays=true for the whole 4.3 set)`);
    }
  }
  const runtime = flat.get('RuntimeOverlay');
  if (o.replaceOverlays && runtime && Array.isArray(runtime.value)) setList(flat, 'RuntimeOverlay', replaceGeneric(runtime.value as string[]));
  if (isNode && o.addDefaults && !flat.has('Profiles')) setList(flat, 'Profiles', ['default']);
  const out = entityFromFields(flat.values());
  for (const [k, v] of Object.entries(raw)) if (!KNOWN_TOP.has(k) && !isLegacyKey([], k)) out[k] = cloneData(v);
  return out;
}

/** `--add-defaults` on the netdevs of a profile (missing type and netmask filled) or a node (warned, §2.7). */
function netDefaults(entity: RawEntity, isNode: boolean, where: string, log: Logger): void {
  const nets = entity['network devices'];
  if (!isMapping(nets)) return;
  const flat = isNode ? undefined : flattenEntity(entity, false);
  for (const [net, dev] of Object.entries(nets)) {
    if (!isMapping(dev)) continue;
    for (const [key, field, value] of [['type', 'Type', 'ethernet'], ['netmask', 'Netmask', '255.255.255.0']] as const) {
      if (dev[key] !== undefined) continue;
      if (flat) setString(flat, `NetDevs[].${field}`, [net], `NetDevs[${net}].${field}`, value);
      else log.warn(`${where}.network devices.${net}: no ${key} (upstream's default is ${value}; a profile may supply it)`);
    }
  }
  if (flat) entity['network devices'] = entityFromFields(flat.values())['network devices'];
}

/**
 * fstab entries of profile `default`: those it has, then `add` ones for
 * files it does not mount yet. An fstab resource that is not a list is left
 * alone, with a warning (as upstream).
 */
function addFstab(profile: RawEntity, add: readonly Record<string, string>[], log: Logger, where: string): void {
  const resources = isMapping(profile.resources) ? profile.resources : (profile.resources = newMapping());
  if (resources.fstab !== undefined && resources.fstab !== null && !Array.isArray(resources.fstab)) {
    log.warn(`${where}: unable to port NFS mounts from warewulf.conf: the fstab resource of profile default is not a list`);
    return;
  }
  const current = Array.isArray(resources.fstab) ? resources.fstab : [];
  const files = new Set(current.map((e) => (isMapping(e) ? scalarText(e.file) : '')));
  resources.fstab = [...current, ...add.filter((e) => !files.has(e.file as string)).map((e) => ({ ...e }))];
}

/** Profile `default` filled with upstream's defaults where it is empty (§2.7 `--add-defaults`). */
function addProfileDefaults(profile: RawEntity, log: Logger, where: string): RawEntity {
  const flat = flattenEntity(profile, false);
  if (!flat.has('SystemOverlay')) setList(flat, 'SystemOverlay', SEED_WWINIT_OVERLAYS);
  if (!flat.has('RuntimeOverlay')) setList(flat, 'RuntimeOverlay', GENERIC_RUNTIME_OVERLAYS);
  if (!flat.has('Kernel.Args')) setList(flat, 'Kernel.Args', DEFAULT_KERNEL_ARGS);
  if (!flat.has('Init')) setString(flat, 'Init', [], 'Init', '/sbin/init');
  if (!flat.has('Root')) setString(flat, 'Root', [], 'Root', 'initramfs');
  if (!flat.has('Ipxe')) setString(flat, 'Ipxe', [], 'Ipxe', 'default');
  if (!flat.has('Ipmi.Template')) setString(flat, 'Ipmi.Template', [], 'Ipmi.Template', 'ipmitool.tmpl');
  const out = entityFromFields(flat.values());
  for (const [k, v] of Object.entries(profile)) if (!KNOWN_TOP.has(k)) out[k] = v;
  // only when the profile has no fstab at all: the site's own mounts (or warewulf.conf's, added before) stay as they are
  if (!(isMapping(out.resources) && out.resources.fstab !== undefined && out.resources.fstab !== null)) addFstab(out, DEFAULT_FSTAB, log, where);
  return out;
}

/**
 * The document in today's vocabulary (a new document; `doc` is not
 * changed). Upstream's order (§2.7): entries, then warewulf.conf's mounted
 * exports into profile `default`'s fstab, then `--add-defaults` (whose
 * fstab is added only when there is none). Throws WW_ERR_NODES_INVALID
 * naming `<file>: nodes.<name>...` for a conflict that cannot be converted
 * (a netdev's `ip6addr` and `ipaddr6` both set and different). Warnings go
 * to `o.log`.
 */
export async function upgradeNodesDocument(doc: NodesDocument, o: UpgradeNodesOptions): Promise<NodesDocument> {
  const out = emptyNodesDocument();
  for (const [k, v] of Object.entries(doc.raw)) {
    if (k === 'nodeprofiles' || k === 'nodes' || k === 'WW_INTERNAL') continue;
    out.raw[k] = cloneData(v);
  }
  // the image a node boots, for its kernel override: merged over its profiles (4.3 or today's vocabulary alike)
  const merger = new NodeMerger(doc);
  const imageOf = (flat: FlatFields): string | undefined => {
    const v = flat.get('ImageName')?.value;
    return typeof v === 'string' ? v : undefined;
  };
  for (const [name, p] of Object.entries(doc.profiles)) {
    const where = `${o.file}: nodeprofiles.${name}`;
    const image = legacyOverride(p) !== undefined ? imageOf(flattenEntity(p, false)) : undefined;
    const e = await upgradeEntity(p, false, where, image, o);
    if (o.addDefaults) netDefaults(e, false, where, o.log);
    out.profiles[name] = e;
  }
  for (const [name, n] of Object.entries(doc.nodes)) {
    const where = `${o.file}: nodes.${name}`;
    let image: string | undefined;
    if (legacyOverride(n) !== undefined) {
      const v = merger.merge(name)?.fields.get('ImageName')?.value;
      image = typeof v === 'string' ? v : undefined;
    }
    const e = await upgradeEntity(n, true, where, image, o);
    if (o.addDefaults) netDefaults(e, true, where, o.log);
    out.nodes[name] = e;
  }
  const defaultWhere = `${o.file}: nodeprofiles.default`;
  if (o.mounts && o.mounts.length > 0) {
    const fstab = o.mounts.map((m) => ({ spec: `warewulf:${m.path}`, file: m.path, vfstype: 'nfs', ...(m.mountOptions ? { mntops: m.mountOptions } : {}) }));
    const profile = out.profiles['default'] ?? (out.profiles['default'] = {});
    addFstab(profile, fstab, o.log, defaultWhere);
  }
  if (o.addDefaults) out.profiles['default'] = addProfileDefaults(out.profiles['default'] ?? {}, o.log, defaultWhere);
  return out;
}
