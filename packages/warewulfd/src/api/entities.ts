/**
 * `/api/nodes` and `/api/profiles` (§4.10): read the daemon's snapshot;
 * write through core's locked nodes.conf update (wwctl's edits and the
 * API's never overwrite each other), each write guarded by the entry's
 * ETag (If-Match: 412 when stale, nothing changed) and followed by a
 * reload of the snapshot.
 *
 * Representations, in nodes.conf's YAML key names: a node is merged
 * (profiles applied, built-in defaults left out, as `node list -j`); its
 * `raw` form and a profile are the entry as written, normalised (today's
 * key names, empty values left out), so a GET's body can be PUT back.
 */
import type { FastifyReply } from 'fastify';
import {
  EntityBodyError, WwError, cloneData, currentProvenanceRows, deleteEntry, entityFromFields, entryRevision, flattenEntity, mergedEntity,
  patchEntry, plainData, putEntry, seedProvenanceRows,
  type EntryTarget, type NodeDb, type RawEntity, type ReferenceChecks, type Section,
} from '@warewulf/core';
import { NODE_SCHEMA, PROFILE_SCHEMA, fieldAt } from '@warewulf/core/node-schema';
import type { DaemonEnv } from '../env.js';
import { entryCondition, etagOf } from './etag.js';
import type { RouteTable } from './route.js';
import { FieldRows, FieldsQuery, IdParams, NodeBody, NodeMap, ProfileBody, ProfileMap } from './schemas.js';
import type { ApiState } from './state.js';
import { keepMaskedSecrets, maskSecrets } from './secrets.js';

/** An entry as written, in today's key names with empty values left out (GET .../raw, profiles). */
export function normalisedEntry(raw: Readonly<RawEntity>, section: Section): Record<string, unknown> {
  return maskSecrets(plainData(entityFromFields(flattenEntity(raw as RawEntity, section === 'node').values())) as Record<string, unknown>);
}

/** A merged node as the API shows it (secrets masked). */
const mergedView = (n: Parameters<typeof mergedEntity>[0]) => maskSecrets(plainData(mergedEntity(n)) as Record<string, unknown>);

const rawOf = (db: NodeDb, section: Section, id: string) => (section === 'node' ? db.rawNode(id) : db.rawProfile(id));

function notFound(section: Section, id: string): WwError {
  return new WwError(section === 'node' ? 'WW_ERR_NODE_NOT_FOUND' : 'WW_ERR_PROFILE_NOT_FOUND', `${section} not found: ${id}`);
}

/** The entry's view (merged node, normalised profile) with its ETag set on the reply; 404 when missing. */
function view(db: NodeDb, section: Section, id: string, reply: FastifyReply): Record<string, unknown> {
  const raw = rawOf(db, section, id);
  if (raw === undefined) throw notFound(section, id);
  reply.header('ETag', etagOf(entryRevision(raw)));
  if (section === 'profile') return normalisedEntry(raw, section);
  return mergedView(db.require(id));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * PATCH is not a JSON merge patch (RFC 7396): it sets the fields given and
 * clears those given as UNSET. A null there would mean "empty", which PATCH
 * skips, so a client meaning "delete" would get a 200 and nothing changed;
 * a null anywhere in the entity (a field, a network device, a tag, a disk,
 * a partition, a file system, a whole group) is refused instead, naming its
 * key path. The values of a field (`resources`, which hold any YAML) are
 * not looked into. Throws EntityBodyError (400).
 */
export function refuseNulls(section: Section, entity: unknown): void {
  const walk = (node: Record<string, unknown>, path: string[]): void => {
    for (const [k, v] of Object.entries(node)) {
      const at = [...path, k];
      const field = fieldAt(at);
      const where = [section, ...at].join('.');
      if (v === null) {
        const how = field !== undefined ? 'give "UNSET" to clear the field' : `PUT the ${section} without it to remove it (GET .../raw, edit, PUT with If-Match)`;
        throw new EntityBodyError(
          `${where}: null is not a value; PATCH is not a JSON merge patch: ${how}${field !== undefined ? ` (field ${field})` : ''}`,
          where, field,
        );
      }
      if (field === undefined && isObject(v)) walk(v, at);
    }
  };
  if (isObject(entity)) walk(entity, []);
}

/** Existence checks of the images and overlays a body names. */
export function referenceChecks(env: DaemonEnv): ReferenceChecks {
  return {
    async imageExists(name) {
      const { imageExists } = await import('@warewulf/core/image');
      return imageExists(env.paths, name).catch(() => false);
    },
    async overlayExists(name) {
      const { OverlayStore } = await import('@warewulf/core/overlay');
      return (await OverlayStore.fromPaths(env.paths).get(name).catch(() => undefined)) !== undefined;
    },
  };
}

/** The routes of one section: `/api/nodes` or `/api/profiles`. */
export function entityRoutes(t: RouteTable, env: DaemonEnv, state: ApiState, section: Section): void {
  const plural = `${section}s` as 'nodes' | 'profiles';
  const title = section === 'node' ? 'Node' : 'Profile';
  const entitySchema = section === 'node' ? NODE_SCHEMA : PROFILE_SCHEMA;
  const bodySchema = section === 'node' ? NodeBody : ProfileBody;
  const references = referenceChecks(env);

  t.add(
    {
      method: 'GET', url: `/${plural}/`, id: `list${title}s`, tag: plural, errors: [],
      summary: section === 'node' ? 'Every node, merged (node name -> node)' : 'Every profile (profile name -> profile)',
      response: { name: `${title}Map`, schema: section === 'node' ? NodeMap : ProfileMap },
    },
    async () => {
      const db = env.registry.current.db;
      const out: Record<string, unknown> = {};
      if (section === 'node') for (const n of db.stream(db.nodeIds)) out[n.id] = mergedView(n);
      else for (const id of db.profileIds) out[id] = normalisedEntry(db.rawProfile(id) as RawEntity, section);
      return out;
    },
  );

  t.add(
    {
      method: 'GET', url: `/${plural}/:id`, id: `get${title}`, tag: plural, params: IdParams, errors: [404], etag: true,
      summary: section === 'node' ? 'One node, merged with its profiles' : 'One profile',
      response: { name: title, schema: entitySchema },
    },
    async ({ params, reply }) => view(env.registry.current.db, section, params.id, reply),
  );

  if (section === 'node') {
    t.add(
      {
        method: 'GET', url: '/nodes/:id/raw', id: 'getNodeRaw', tag: 'nodes', params: IdParams, errors: [404], etag: true,
        summary: 'One node as written in nodes.conf (no profiles applied)',
        response: { name: 'Node', schema: NODE_SCHEMA },
      },
      async ({ params, reply }) => {
        const raw = env.registry.current.db.rawNode(params.id);
        if (raw === undefined) throw notFound('node', params.id);
        reply.header('ETag', etagOf(entryRevision(raw)));
        return normalisedEntry(raw, 'node');
      },
    );
    t.add(
      {
        method: 'GET', url: '/nodes/:id/fields', id: 'getNodeFields', tag: 'nodes', params: IdParams, query: FieldsQuery, errors: [400, 404], etag: true,
        summary: 'Where each value of the node comes from (`wwctl node list -a`)',
        response: { name: 'FieldRows', schema: FieldRows },
      },
      async ({ params, query, reply }) => {
        const db = env.registry.current.db;
        const n = db.require(params.id);
        reply.header('ETag', etagOf(entryRevision(db.rawNode(params.id))));
        const rows = query.layout === 'seed' ? seedProvenanceRows(n) : currentProvenanceRows(n);
        return rows.map((r) => ({ Field: r.field, Source: r.source, Value: r.value }));
      },
    );
  }

  const writes = [
    { method: 'PUT', op: putEntry, ifNoneMatch: true, summary: `Add a ${section}, or replace it (If-None-Match: * only adds)` },
    {
      method: 'PATCH', op: patchEntry, ifNoneMatch: false,
      summary: `Set the ${section}'s fields given (non-empty ones; UNSET clears a field), keep the others. Not a JSON merge patch: null is refused (400); PUT removes a network device, disk, partition or file system`,
    },
  ] as const;
  for (const w of writes) {
    t.add(
      {
        method: w.method, url: `/${plural}/:id`, id: `${w.method.toLowerCase()}${title}`, tag: plural, params: IdParams,
        ifMatch: true, ifNoneMatch: w.ifNoneMatch, etag: true, errors: [400, 404, 409, 412], summary: w.summary,
        body: { name: `${title}Body`, schema: bodySchema },
        response: { name: `${title}Body`, schema: bodySchema },
      },
      async ({ params, body, req, reply }) => {
        const entity = cloneData((body as Record<string, unknown>)[section]) as RawEntity;
        if (w.method === 'PATCH') refuseNulls(section, entity);
        // `********` (what GET shows) keeps the stored secret
        keepMaskedSecrets(entity, rawOf(env.registry.current.db, section, params.id), section, w.method);
        const target: EntryTarget = { section, id: params.id, condition: entryCondition(req), references };
        await state.writeNodes(async (doc) => {
          const r = await w.op(doc, target, entity);
          return { result: r, write: r.changed };
        });
        // the view of the reloaded snapshot, with its ETag
        return { [section]: view(env.registry.current.db, section, params.id, reply) };
      },
    );
  }

  t.add(
    {
      method: 'DELETE', url: `/${plural}/:id`, id: `delete${title}`, tag: plural, params: IdParams, ifMatch: true,
      errors: [404, 409, 412],
      summary: `Delete the ${section}; answers with it as it was`,
      response: { name: `${title}Body`, schema: bodySchema },
    },
    async ({ params, req }) => {
      const target: EntryTarget = { section, id: params.id, condition: entryCondition(req) };
      const r = await state.writeNodes(async (doc) => ({ result: deleteEntry(doc, target), write: true }));
      return { [section]: normalisedEntry(r.entry, section) };
    },
  );
}
