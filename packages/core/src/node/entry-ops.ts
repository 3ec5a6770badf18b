/**
 * Whole-entry writes of one node or profile, as the REST API makes them
 * (§4.10): replace (PUT), merge (PATCH), delete, each guarded by a revision
 * of the entry (the ETag) and checked under the nodes.conf lock by the
 * caller's updateNodesConf, so a client that read an older entry changes
 * nothing and is told so (412) instead of overwriting someone's edit.
 *
 * The revision of an entry is the SHA-256 (base64url) of its YAML as
 * nodes.conf writes it: it changes exactly when the entry's own text does,
 * whoever changed it (the API, wwctl, an editor).
 */
import { createHash } from 'node:crypto';
import { WwError } from '../errors.js';
import { dumpYaml } from '../yaml/document.js';
import { cloneData, isMapping } from '../yaml-value.js';
import type { NodesDocument, RawEntity } from './document.js';
import { applyEdit, entityFromFields, type EditOp } from './edit.js';
import { FIELD_TREE, type FieldTreeNode } from './field-tree.js';
import { fieldPath, type FieldRef } from './fields.js';
import { flattenEntity, type FlatEntry } from './flat.js';
import { checkName } from './names.js';
import { checkUniqueHwaddrs, deleteEntities, type Section } from './registry.js';
import { UNSET_WORDS } from './values.js';

/** The revision of an entry (its ETag without quotes); '' for none. */
export function entryRevision(raw: Readonly<RawEntity> | undefined): string {
  if (raw === undefined) return '';
  return createHash('sha256').update(dumpYaml(raw)).digest('base64url');
}

/** Preconditions on the entry as it is under the lock (HTTP If-Match / If-None-Match). */
export interface EntryCondition {
  /** The entry must exist and, unless `*`, have one of these revisions; else WW_ERR_PRECONDITION (412). */
  ifMatch?: '*' | readonly string[];
  /** The entry must not exist (`If-None-Match: *` on PUT); else WW_ERR_BAD_REQUEST (400, as upstream). */
  ifNoneMatchAny?: boolean;
}

/** Existence of what an entry may name besides profiles (those are checked in the document). */
export interface ReferenceChecks {
  imageExists(name: string): Promise<boolean>;
  overlayExists(name: string): Promise<boolean>;
}

export interface EntryTarget {
  section: Section;
  id: string;
  condition?: EntryCondition;
  /** Check that named images and overlays exist (400 otherwise); profiles are always checked. */
  references?: ReferenceChecks;
}

export interface EntryWriteResult {
  /** The entry after the write (for PUT/PATCH) or as it was (DELETE). */
  entry: RawEntity;
  /** Its revision after the write ('' after DELETE). */
  revision: string;
  /** False when the body changed nothing (nothing to write). */
  changed: boolean;
  /** PUT made a new entry. */
  created: boolean;
}

/** A body that names a field wrongly: the key path inside the body and the field it is. */
export class EntityBodyError extends WwError {
  constructor(
    message: string,
    /** Dotted YAML key path inside the body (`node.network devices.default.ipaddr`). */
    readonly path: string,
    /** The field's display path when the path is a field (`NetDevs[default].Ipaddr`). */
    readonly field: string | undefined,
  ) {
    super('WW_ERR_INVALID_VALUE', message);
  }
}

const entitiesOf = (doc: NodesDocument, section: Section) => (section === 'node' ? doc.nodes : doc.profiles);

function notFound(t: EntryTarget): WwError {
  return new WwError(t.section === 'node' ? 'WW_ERR_NODE_NOT_FOUND' : 'WW_ERR_PROFILE_NOT_FOUND', `${t.section} not found: ${t.id}`);
}

/** Apply If-Match / If-None-Match to the entry as it is now. */
export function checkCondition(t: EntryTarget, current: Readonly<RawEntity> | undefined): void {
  const c = t.condition;
  if (c === undefined) return;
  if (c.ifNoneMatchAny && current !== undefined) throw new WwError('WW_ERR_BAD_REQUEST', `${t.section} ${t.id} already exists (If-None-Match: *)`);
  if (c.ifMatch === undefined) return;
  if (current === undefined) throw new WwError('WW_ERR_PRECONDITION', `${t.section} ${t.id} does not exist (If-Match)`);
  if (c.ifMatch === '*') return;
  const rev = entryRevision(current);
  if (!c.ifMatch.includes(rev)) {
    throw new WwError('WW_ERR_PRECONDITION', `${t.section} ${t.id} has changed since it was read (its revision is now "${rev}"); read it again`);
  }
}

/** Every field below a body's key that holds UNSET/UNDEF (PATCH clears those, as `node set` does, §2.5). */
function unsetRefs(t: FieldTreeNode, node: unknown, keys: string[], isNode: boolean, out: FieldRef[]): void {
  if (t.spec) {
    const unset = (v: unknown) => typeof v === 'string' && UNSET_WORDS.has(v);
    if ((!t.spec.nodeOnly || isNode) && (unset(node) || (Array.isArray(node) && node.some(unset)))) out.push({ spec: t.spec, keys });
    return;
  }
  if (!isMapping(node)) return;
  if (t.wildcard) {
    for (const name of Object.keys(node)) unsetRefs(t.wildcard, node[name], [...keys, name], isNode, out);
    return;
  }
  for (const k of Object.keys(node)) {
    const child = t.children.get(k);
    if (child) unsetRefs(child, node[k], keys, isNode, out);
  }
}

const negation = (n: string) => n.startsWith('~');

/** Only a body that sets a hardware address can make two nodes share one (the check walks every node). */
const setsHwaddr = (entries: Iterable<FlatEntry>): boolean => [...entries].some((e) => e.ref.spec.name === 'NetDevs[].Hwaddr');

/**
 * Profiles, images and overlays the given fields name must exist (a
 * `~name` negation names nothing). Throws EntityBodyError (400) naming the
 * field.
 */
async function checkReferences(doc: NodesDocument, t: EntryTarget, entries: Iterable<FlatEntry>): Promise<void> {
  const fail = (e: FlatEntry, what: string, name: string): never => {
    throw new EntityBodyError(`${t.section}.${e.ref.spec.yaml.join('.')}: ${what} not found: ${name} (field ${e.path})`, `${t.section}.${e.ref.spec.yaml.join('.')}`, e.path);
  };
  for (const e of entries) {
    const names = Array.isArray(e.value) ? (e.value as string[]) : typeof e.value === 'string' ? [e.value] : [];
    switch (e.ref.spec.name) {
      case 'Profiles':
        for (const n of names) if (!negation(n) && !Object.hasOwn(doc.profiles, n)) fail(e, 'profile', n);
        break;
      case 'ImageName':
        for (const n of names) if (t.references && !(await t.references.imageExists(n))) fail(e, 'image', n);
        break;
      case 'SystemOverlay':
      case 'RuntimeOverlay':
        for (const n of names) if (t.references && !negation(n) && !(await t.references.overlayExists(n))) fail(e, 'overlay', n);
        break;
    }
  }
}

/**
 * PUT: the entry becomes `body` (parsed, in YAML key names), written in the
 * writer's key order with empty values left out; created when missing
 * (the id must be a valid name). Same checks as `node add|set`: profiles,
 * images and overlays named exist, hardware addresses unique.
 */
export async function putEntry(doc: NodesDocument, t: EntryTarget, body: RawEntity): Promise<EntryWriteResult> {
  const all = entitiesOf(doc, t.section);
  const current = Object.hasOwn(all, t.id) ? all[t.id] : undefined;
  checkCondition(t, current);
  if (current === undefined) checkName(t.section, t.id);
  const fields = flattenEntity(body, t.section === 'node');
  await checkReferences(doc, t, fields.values());
  const entry = cloneData(entityFromFields(fields.values()));
  const before = entryRevision(current);
  all[t.id] = entry;
  if (t.section === 'node' && setsHwaddr(fields.values())) checkUniqueHwaddrs(doc, [t.id]);
  const revision = entryRevision(entry);
  return { entry, revision, changed: revision !== before, created: current === undefined };
}

/**
 * PATCH: every non-empty field of `body` is set on the entry (lists and
 * maps of a field replace that field; other fields stay), and a field given
 * as UNSET/UNDEF is cleared. 404 when the entry does not exist.
 */
export async function patchEntry(doc: NodesDocument, t: EntryTarget, body: RawEntity): Promise<EntryWriteResult> {
  const all = entitiesOf(doc, t.section);
  const current = Object.hasOwn(all, t.id) ? all[t.id] : undefined;
  checkCondition(t, current);
  if (current === undefined) throw notFound(t);
  const isNode = t.section === 'node';
  const fields = flattenEntity(body, isNode);
  await checkReferences(doc, t, fields.values());
  const before = entryRevision(current);
  const edits: EditOp[] = [...fields.values()].map((e) => ({ op: 'set', ref: e.ref, value: e.value }));
  const unsets: FieldRef[] = [];
  unsetRefs(FIELD_TREE, body, [], isNode, unsets);
  for (const ref of unsets) if (!fields.has(fieldPath(ref.spec, ref.keys))) edits.push({ op: 'unset', ref });
  for (const e of edits) applyEdit(current, e);
  if (isNode && setsHwaddr(fields.values())) checkUniqueHwaddrs(doc, [t.id]);
  const revision = entryRevision(current);
  return { entry: current, revision, changed: revision !== before, created: false };
}

/** DELETE: remove the entry (the `default` profile is protected, 409); 404 when missing. Returns it as it was. */
export function deleteEntry(doc: NodesDocument, t: EntryTarget): EntryWriteResult {
  const all = entitiesOf(doc, t.section);
  const current = Object.hasOwn(all, t.id) ? all[t.id] : undefined;
  checkCondition(t, current);
  if (current === undefined) throw notFound(t);
  deleteEntities(doc, t.section, [t.id]);
  return { entry: current, revision: '', changed: true, created: false };
}
