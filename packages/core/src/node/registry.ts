/**
 * The operations admins run on the registry, on an in-memory document. The
 * CLI runs them twice when it asks for confirmation: once on a snapshot to
 * show the summary, once under the lock on a fresh read to write, so a
 * change made meanwhile by another wwctl is never lost.
 */
import { WwError } from '../errors.js';
import { checkName } from './names.js';
import { newMapping } from '../yaml-value.js';
import type { RawEntity, NodesDocument } from './document.js';
import { applyEdit, type EditOp } from './edit.js';
import { collectFields, flattenEntity, flattenRefs, type FlatFields } from './flat.js';
import { fieldPath, type FieldRef } from './fields.js';
import { diffFields, type FieldChange } from './diff.js';
import { DEFAULT_PROFILE } from './merge.js';

export type Section = 'node' | 'profile';

const SUB_ENTITY: Record<string, string> = { 'network devices': 'network', disks: 'disk', filesystems: 'file system' };

function entities(doc: NodesDocument, section: Section): Record<string, RawEntity> {
  return section === 'node' ? doc.nodes : doc.profiles;
}

/** Every profile named (outside `~negations`) must exist. */
export function checkProfilesExist(doc: NodesDocument, edits: readonly EditOp[]): void {
  for (const e of edits) {
    let names: readonly string[] = [];
    if (e.op === 'set' && e.ref.spec.name === 'Profiles') names = e.value as string[];
    if (e.op === 'addProfiles') names = e.names;
    for (const n of names) {
      if (n.startsWith('~')) continue;
      if (doc.profiles[n] === undefined) throw new WwError('WW_ERR_PROFILE_NOT_FOUND', `profile not found: ${n}`);
    }
  }
}

const touchesHwaddr = (edits: readonly EditOp[]) => edits.some((e) => e.op === 'set' && e.ref.spec.name === 'NetDevs[].Hwaddr');

/**
 * A hardware address identifies a node to warewulfd; two nodes with the same
 * one would boot each other's configuration, so that is refused here.
 */
export function checkUniqueHwaddrs(doc: NodesDocument, ids: readonly string[]): void {
  const owner = new Map<string, string>();
  const changed = new Set(ids);
  // nodes being changed last, so the error names the node that already had it
  const order = [...Object.keys(doc.nodes).filter((n) => !changed.has(n)), ...ids];
  for (const id of order) {
    const raw = doc.nodes[id];
    if (raw === undefined) continue;
    for (const e of flattenEntity(raw, true).values()) {
      if (e.ref.spec.name !== 'NetDevs[].Hwaddr') continue;
      const mac = String(e.value);
      const other = owner.get(mac);
      if (other !== undefined && other !== id) {
        throw new WwError('WW_ERR_INVALID_VALUE', `hwaddr ${mac} of node ${id} is already used by node ${other}`);
      }
      owner.set(mac, id);
    }
  }
}

/**
 * The changes of set/unset edits from the fields they name, `before` being
 * those fields before the edits (flattenRefs). When the edit itself brought
 * in the legacy vocabulary (an iPXE template `dracut`), other fields derive
 * from it: then the whole entity is diffed, its fields before being the
 * fields after with the named ones put back (nothing else was touched).
 */
function narrowChanges(raw: RawEntity, isNode: boolean, refs: readonly FieldRef[], before: FlatFields): FieldChange[] {
  const after = flattenRefs(raw, isNode, refs);
  if (after !== undefined) return diffFields(before, after);
  const fullBefore = collectFields(raw, isNode);
  for (const ref of refs) fullBefore.delete(fieldPath(ref.spec, ref.keys));
  for (const [path, e] of before) fullBefore.set(path, e);
  return diffFields(fullBefore, flattenEntity(raw, isNode));
}

const IP_FIELDS = new Set(['NetDevs[].Ipaddr', 'NetDevs[].Ipaddr6', 'Ipmi.Ipaddr']);

/** Whether any edit sets an address that must be one node's only (a node's or a BMC's IP). */
export function touchesIpaddrs(edits: readonly EditOp[]): boolean {
  return edits.some((e) => e.op === 'set' && IP_FIELDS.has(e.ref.spec.name));
}

/**
 * Addresses given to more than one node (their own values: network devices'
 * `ipaddr`/`ipaddr6`, IPMI `ipaddr`) that involve one of `ids`, each with
 * its nodes in order. Upstream accepts these; its DHCP configs then break
 * (dnsmasq refuses a duplicate `dhcp-host` address and does not start), so
 * callers warn. Linear in the nodes.
 */
export function duplicateIpaddrs(doc: NodesDocument, ids: readonly string[]): { ipaddr: string; nodes: string[] }[] {
  const owners = new Map<string, string[]>();
  for (const [id, raw] of Object.entries(doc.nodes)) {
    for (const e of flattenEntity(raw, true).values()) {
      if (!IP_FIELDS.has(e.ref.spec.name) || typeof e.value !== 'string' || e.value === '') continue;
      const list = owners.get(e.value);
      if (list === undefined) owners.set(e.value, [id]);
      else if (!list.includes(id)) list.push(id);
    }
  }
  const involved = new Set(ids);
  const out: { ipaddr: string; nodes: string[] }[] = [];
  for (const [ipaddr, nodes] of owners) if (nodes.length > 1 && nodes.some((n) => involved.has(n))) out.push({ ipaddr, nodes });
  return out;
}

/** Apply edits to existing entities; returns each entity's own-field changes. */
export function applyEdits(
  doc: NodesDocument,
  section: Section,
  ids: readonly string[],
  editsFor: (id: string, index: number) => readonly EditOp[],
): Map<string, FieldChange[]> {
  const all = entities(doc, section);
  const out = new Map<string, FieldChange[]>();
  ids.forEach((id, index) => {
    const raw = all[id];
    if (raw === undefined) {
      throw new WwError(section === 'node' ? 'WW_ERR_NODE_NOT_FOUND' : 'WW_ERR_PROFILE_NOT_FOUND', `${section} not found: ${id}`);
    }
    const edits = editsFor(id, index);
    checkProfilesExist(doc, edits);
    const isNode = section === 'node';
    // set/unset only: diff just the fields they name (see narrowChanges)
    const refs = edits.every((e) => e.op === 'set' || e.op === 'unset') ? edits.map((e) => (e as { ref: FieldRef }).ref) : undefined;
    const narrow = refs && flattenRefs(raw, isNode, refs);
    const before = narrow ?? flattenEntity(raw, isNode);
    const removed: FieldChange[] = [];
    for (const e of edits) {
      const acted = applyEdit(raw, e);
      if (!acted && e.op === 'remove') throw new WwError('WW_ERR_INVALID_VALUE', e.what);
      if (!acted && e.op === 'removePartition') throw new WwError('WW_ERR_INVALID_VALUE', `partition doesn't exist: ${e.part}`);
      // a sub-entity may have had no fields at all: its removal is a change of its own
      if (e.op === 'remove') removed.push({ kind: 'removed', yaml: e.yaml, what: SUB_ENTITY[e.yaml[0] as string] ?? String(e.yaml[0]) });
      if (e.op === 'removePartition') removed.push({ kind: 'removed', yaml: ['partitions', e.part], what: 'partition' });
    }
    out.set(id, [...(refs && narrow ? narrowChanges(raw, isNode, refs, narrow) : diffFields(before, flattenEntity(raw, isNode))), ...removed]);
  });
  if (section === 'node' && ids.length > 0 && touchesHwaddr(editsFor(ids[0] as string, 0))) checkUniqueHwaddrs(doc, ids);
  return out;
}

/** Create entities; `node add` gives a new node `profiles: [default]` when that profile exists and none was given. */
export function addEntities(
  doc: NodesDocument,
  section: Section,
  ids: readonly string[],
  editsFor: (id: string, index: number) => readonly EditOp[],
): void {
  const all = entities(doc, section);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new WwError('WW_ERR_USAGE', `${section} ${id} is named more than once`);
    seen.add(id);
    checkName(section, id);
    if (Object.hasOwn(all, id)) {
      throw new WwError(
        section === 'node' ? 'WW_ERR_NODE_EXISTS' : 'WW_ERR_PROFILE_EXISTS',
        section === 'node' ? `failed to add node: nodename already exists: ${id}` : `profile with name ${id} already exists`,
      );
    }
  }
  ids.forEach((id, index) => {
    const raw: RawEntity = newMapping();
    const edits = editsFor(id, index);
    checkProfilesExist(doc, edits);
    for (const e of edits) applyEdit(raw, e);
    if (section === 'node' && raw.profiles === undefined && doc.profiles[DEFAULT_PROFILE] !== undefined) {
      applyEdit(raw, { op: 'addProfiles', names: [DEFAULT_PROFILE] });
    }
    all[id] = raw;
  });
  if (section === 'node' && ids.length > 0 && touchesHwaddr(editsFor(ids[0] as string, 0))) checkUniqueHwaddrs(doc, ids);
}

export function deleteEntities(doc: NodesDocument, section: Section, ids: readonly string[]): void {
  const all = entities(doc, section);
  for (const id of ids) {
    if (section === 'profile' && id === DEFAULT_PROFILE) {
      throw new WwError('WW_ERR_PROFILE_PROTECTED', "can't delete the `default` profile");
    }
    delete all[id];
  }
}

/** Replace (or create) entities from an imported/edited map of raw entries. */
export function importEntities(doc: NodesDocument, section: Section, incoming: Record<string, RawEntity>): { added: string[]; updated: string[] } {
  const all = entities(doc, section);
  const added: string[] = [];
  const updated: string[] = [];
  for (const [id, raw] of Object.entries(incoming)) {
    if (all[id] === undefined) added.push(id);
    else updated.push(id);
    all[id] = raw;
  }
  if (section === 'node') checkUniqueHwaddrs(doc, [...added, ...updated]);
  return { added, updated };
}
