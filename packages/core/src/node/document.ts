/**
 * nodes.conf as a document: the raw YAML mapping, kept whole so that keys we
 * do not know (and the legacy vocabulary) survive a rewrite. Parsing checks
 * the shape with a zod schema generated from the field table; a violation is
 * one error naming FILE:LINE:COL and the field path.
 */
import yaml from 'js-yaml';
import { z } from 'zod';
import { WwError } from '../errors.js';
import { locateYamlPath } from '../yaml-locate.js';
import { FIELDS, type FieldKind } from './fields.js';
import { isValidIp, isValidMac } from './values.js';

export type RawEntity = Record<string, unknown>;

export interface NodesDocument {
  /** The top-level mapping; `nodeprofiles` and `nodes` point into it. */
  readonly raw: Record<string, unknown>;
  readonly profiles: Record<string, RawEntity>;
  readonly nodes: Record<string, RawEntity>;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]).nullable();

function leafSchema(kind: FieldKind): z.ZodType {
  switch (kind) {
    case 'ip':
      return scalar.refine((v) => v === null || v === '' || isValidIp(String(v)), { message: 'invalid IP address' });
    case 'mac':
      return scalar.refine((v) => v === null || v === '' || isValidMac(String(v)), { message: 'invalid MAC address' });
    case 'list':
      // a legacy comma- or space-separated string is accepted too (§2.7)
      return z.union([z.array(scalar), z.string()]).nullable();
    case 'bool':
    case 'wwbool':
    case 'string':
      return scalar;
    case 'any':
      return z.unknown();
  }
}

type Tree = { leaf?: z.ZodType; children: Map<string, Tree> };

/** Build the entity schema from the field table: objects are loose, so unknown keys pass. */
function buildEntitySchema(): z.ZodType {
  const root: Tree = { children: new Map() };
  for (const spec of FIELDS) {
    let t = root;
    for (const k of spec.yaml) {
      let next = t.children.get(k);
      if (!next) {
        next = { children: new Map() };
        t.children.set(k, next);
      }
      t = next;
    }
    t.leaf = leafSchema(spec.kind);
  }
  const toSchema = (t: Tree): z.ZodType => {
    if (t.leaf) return t.leaf;
    const star = t.children.get('*');
    if (star) return z.record(z.string(), toSchema(star)).nullable();
    const shape: Record<string, z.ZodType> = {};
    for (const [k, c] of t.children) shape[k] = toSchema(c).optional();
    return z.object(shape).loose().nullable();
  };
  return toSchema(root);
}

let entitySchema: z.ZodType | undefined;
function getEntitySchema(): z.ZodType {
  entitySchema ??= buildEntitySchema();
  return entitySchema;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(file: string, text: string, path: (string | number)[], message: string): never {
  const pos = locateYamlPath(text, path);
  const where = pos ? `${file}:${pos.line}:${pos.column}` : file;
  throw new WwError('WW_ERR_NODES_INVALID', `${where}: ${path.join('.')}: ${message}`);
}

/** Parse nodes.conf text. Throws WwError naming the file, line, column and field path. */
export function parseNodesConf(text: string, file = 'nodes.conf'): NodesDocument {
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const m = err.mark;
      const where = m ? `${file}:${m.line + 1}:${m.column + 1}` : file;
      throw new WwError('WW_ERR_NODES_PARSE', `${where}: invalid YAML: ${err.reason}`, { cause: err });
    }
    throw err;
  }
  if (data === null || data === undefined) data = {};
  if (!isMapping(data)) fail(file, text, [], 'the document must be a mapping with "nodeprofiles" and "nodes"');
  const raw = data;
  for (const section of ['nodeprofiles', 'nodes'] as const) {
    const v = raw[section];
    if (v === undefined || v === null) {
      raw[section] = {};
      continue;
    }
    if (!isMapping(v)) fail(file, text, [section], 'must be a mapping of names to entries');
    const schema = getEntitySchema();
    for (const [name, entity] of Object.entries(v)) {
      if (entity === null || entity === undefined) {
        v[name] = {};
        continue;
      }
      if (!isMapping(entity)) fail(file, text, [section, name], 'must be a mapping of fields');
      const r = schema.safeParse(entity);
      if (!r.success) {
        const issue = r.error.issues[0];
        if (issue) fail(file, text, [section, name, ...(issue.path as (string | number)[])], issue.message);
      }
    }
  }
  return {
    raw,
    profiles: raw.nodeprofiles as Record<string, RawEntity>,
    nodes: raw.nodes as Record<string, RawEntity>,
  };
}

/** An empty registry. */
export function emptyNodesDocument(): NodesDocument {
  const raw: Record<string, unknown> = { nodeprofiles: {}, nodes: {} };
  return { raw, profiles: raw.nodeprofiles as Record<string, RawEntity>, nodes: raw.nodes as Record<string, RawEntity> };
}

/** Serialise; keys of untouched entries keep their order, so hand edits stay recognisable. */
export function dumpNodesConf(doc: NodesDocument): string {
  return yaml.dump(doc.raw, {
    indent: 2,
    lineWidth: -1,
    noRefs: true,
    quotingType: '"',
    schema: yaml.CORE_SCHEMA,
  });
}
