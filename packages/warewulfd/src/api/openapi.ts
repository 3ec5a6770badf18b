/**
 * The OpenAPI 3.1 document of the API (`GET /api/docs`), generated from
 * the route table (route.ts) and the zod schemas the routes parse with:
 * one component per nodes.conf field (core's field table), the node and
 * profile built from them, and each route's body and response. Nothing is
 * written by hand, so the document cannot list a route that does not
 * exist or miss one that does.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { FIELDS } from '@warewulf/core';
import { FIELD_SCHEMAS, NODE_SCHEMA, PROFILE_SCHEMA, fieldSchemaId } from '@warewulf/core/node-schema';
import type { RouteDoc } from './route.js';
import { ApiError } from './schemas.js';

type Json = Record<string, unknown>;

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

/** JSON Schema of a request or response part (2020-12, as OpenAPI 3.1 takes it). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

/** Path or query parameters from a z.object of strings. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (schema === undefined) return [];
  const s = jsonSchema(schema, 'input');
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => {
    const { description, ...rest } = p;
    return { name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description !== undefined ? { description } : {}) };
  });
}

function errorResponse(status: number): Json {
  const r: Json = { description: STATUS_CODES[status] ?? String(status), content: { 'application/json': { schema: ref('Error') } } };
  if (status === 401) r.headers = { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Basic realm="Restricted"' } };
  return r;
}

/** The document for these routes, all below `/api`. */
export function openApiDocument(routes: readonly RouteDoc[], version: string): Json {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<string, z.ZodType>();
  const register = (id: string, schema: z.ZodType) => {
    const have = ids.get(id);
    if (have === schema) return;
    if (have !== undefined) throw new Error(`two schemas named ${id}`);
    ids.set(id, schema);
    registry.add(schema, { id });
  };
  for (const spec of FIELDS) register(fieldSchemaId(spec), FIELD_SCHEMAS.get(spec.name) as z.ZodType);
  register('Node', NODE_SCHEMA);
  register('Profile', PROFILE_SCHEMA);
  register('Error', ApiError);
  for (const r of routes) {
    if (r.body) register(r.body.name, r.body.schema);
    if ('schema' in r.response) register(r.response.name, r.response.schema);
  }
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }

  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = `/api${r.url.replace(/:(\w+)/g, '{$1}')}`;
    const headers: Json[] = [];
    if (r.ifMatch) headers.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'the ETag read; a stale one is a 412 and changes nothing' });
    if (r.ifNoneMatch) headers.push({ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string', enum: ['*'] }, description: '`*`: only create (400 when it exists)' });
    const ok: Json =
      'schema' in r.response
        ? { description: 'OK', content: { 'application/json': { schema: ref(r.response.name) } } }
        : { description: r.response.description, content: { [r.response.mediaType]: { schema: { type: 'string' } } } };
    if (r.etag) ok.headers = { ETag: { schema: { type: 'string' }, description: 'the revision of the entry (SHA-256 of its YAML), for If-Match' } };
    const responses: Json = { '200': ok };
    // 401 and 403 from the access checks, 503 while auth.conf is unusable
    for (const s of [...new Set([...r.errors, 401, 403, 503])].sort()) responses[String(s)] = errorResponse(s);
    const op: Json = {
      operationId: r.id,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'), ...headers],
      responses,
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: ref(r.body.name) } } };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'warewulfd REST API',
      version,
      description: 'Nodes, profiles, images, overlays and builds of a Warewulf server (§4.10). Bodies use nodes.conf\'s YAML key names. Every request needs HTTP Basic credentials (auth.conf) from an allowed subnet.',
    },
    security: [{ basic: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: { schemas, securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
  };
}
