/**
 * zod schemas of a node and a profile in nodes.conf's YAML key names,
 * generated from the field table (fields.ts): one schema per field, and an
 * entity schema that nests them the way the keys nest. REST API bodies
 * (§4.10) are parsed with them and the OpenAPI document is generated from
 * them (z.toJSONSchema), so the API, its documentation and nodes.conf share
 * one description of every field.
 *
 * The values accepted are the ones nodes.conf's shape check (document.ts)
 * accepts, through the same checkers (IP, MAC, netmask, port, MTU, prefix
 * length, map key names), with two API rules on top: unknown keys are
 * refused (a client's typo would otherwise be dropped silently), and so are
 * 4.3's spellings (§2.7), with the current key named.
 *
 * Kept out of core's main entry ('@warewulf/core/node-schema') so that wwctl
 * never loads zod for nodes.conf.
 */
import { z } from 'zod';
import { FIELDS, fieldPath, type FieldSpec } from './fields.js';
import { keyKindUnder, nameIssue } from './names.js';
import { checkValue, isValidIp, isValidMac, parseBoolWord, UNSET_WORDS } from './values.js';
import type { RawEntity } from './document.js';
import { EntityBodyError } from './entry-ops.js';
import type { Section } from './registry.js';
import { cloneData } from '../yaml-value.js';

type Ctx = z.core.$RefinementCtx<unknown>;

/** A scalar that a string field takes: JSON strings and numbers (`mtu: 9000`), null for "empty". */
const scalar = z.union([z.string(), z.number()], { error: 'expected a single value (a string)' }).nullable();

function checked(test: (s: string) => string | undefined): z.ZodType {
  return scalar.superRefine((v, ctx: Ctx) => {
    if (v === null) return;
    const s = String(v);
    if (s === '' || UNSET_WORDS.has(s)) return;
    const message = test(s);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

const boolWord = z.string().superRefine((s, ctx: Ctx) => {
  if (s !== '' && !UNSET_WORDS.has(s) && parseBoolWord(s) === undefined) ctx.addIssue({ code: 'custom', message: `expected true or false, got ${JSON.stringify(s)}` });
});

/** The schema of one field's value, by its kind (fields.ts) and `check`. */
function fieldSchema(spec: FieldSpec): z.ZodType {
  let s: z.ZodType;
  switch (spec.kind) {
    case 'string':
      s = checked((v) => checkValue(spec, v));
      break;
    case 'ip':
      s = checked((v) => (isValidIp(v) ? checkValue(spec, v) : `invalid IP address ${JSON.stringify(v)}`));
      break;
    case 'mac':
      s = checked((v) => (isValidMac(v) ? undefined : `invalid MAC address ${JSON.stringify(v)}`));
      break;
    case 'wwbool':
    case 'bool':
      s = z.union([z.boolean(), boolWord], { error: 'expected true or false' }).nullable();
      break;
    case 'list':
      s = z.union([z.array(z.string(), { error: 'expected a list of strings' }), z.string()], { error: 'expected a list of strings' }).nullable();
      break;
    case 'any':
      s = z.unknown();
      break;
  }
  return s.meta({ description: spec.help, 'x-warewulf-field': spec.name });
}

/**
 * One schema per field, keyed by the field's display name (`NetDevs[].Ipaddr`),
 * in the field table's order.
 */
export const FIELD_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map(FIELDS.map((s) => [s.name, fieldSchema(s)]));

/** The OpenAPI component name of a field's schema: `NetDevs[].Ipaddr` -> `field.NetDevs.Ipaddr`. */
export function fieldSchemaId(spec: FieldSpec): string {
  return `field.${spec.name.replace(/\[\]/g, '')}`;
}

/** A map key (network name, disk device, tag key ...) checked by the name rules of its kind. */
function keySchema(kind: ReturnType<typeof keyKindUnder>): z.ZodType<string> {
  return z.string().superRefine((k, ctx: Ctx) => {
    const bad = nameIssue(kind, k);
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: bad });
  });
}

/** The schema of the key level `depth` of `specs` (all sharing their first `depth` keys). */
function levelSchema(specs: readonly FieldSpec[], depth: number): z.ZodType {
  const leaf = specs.find((s) => s.yaml.length === depth);
  if (leaf !== undefined) return FIELD_SCHEMAS.get(leaf.name) as z.ZodType;
  const first = specs[0] as FieldSpec;
  if (first.yaml[depth] === '*') {
    const kind = keyKindUnder(first.yaml[depth - 1] ?? '');
    return z.record(keySchema(kind), levelSchema(specs, depth + 1), { error: 'expected a mapping' }).nullable();
  }
  const groups = new Map<string, FieldSpec[]>();
  for (const s of specs) {
    const k = s.yaml[depth] as string;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const shape: Record<string, z.ZodType> = {};
  for (const [k, g] of groups) shape[k] = levelSchema(g, depth + 1).optional();
  const obj = z.strictObject(shape, { error: 'expected a mapping' });
  return depth === 0 ? obj : obj.nullable();
}

/** A node as in nodes.conf (every field). */
export const NODE_SCHEMA: z.ZodType = levelSchema(FIELDS, 0).meta({ description: 'A node in nodes.conf\'s YAML key names' });
/** A profile as in nodes.conf (every field but the node-only ones: discoverable, asset key). */
export const PROFILE_SCHEMA: z.ZodType = levelSchema(FIELDS.filter((s) => !s.nodeOnly), 0).meta({ description: 'A profile in nodes.conf\'s YAML key names' });

/** The entity schema of a section. */
export function entitySchema(section: Section): z.ZodType {
  return section === 'node' ? NODE_SCHEMA : PROFILE_SCHEMA;
}

/** Does a concrete YAML key path match a field's pattern (`*` matches any key)? */
function matches(pattern: readonly string[], path: readonly string[]): string[] | undefined {
  if (pattern.length !== path.length) return undefined;
  const keys: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*') keys.push(path[i] as string);
    else if (pattern[i] !== path[i]) return undefined;
  }
  return keys;
}

/** The field a YAML key path names, as its concrete display path (`NetDevs[default].Ipaddr`); undefined for containers. */
export function fieldAt(path: readonly string[]): string | undefined {
  for (const spec of FIELDS) {
    const keys = matches(spec.yaml, path);
    if (keys !== undefined) return fieldPath(spec, keys);
  }
  return undefined;
}

/** The current key a 4.3 spelling (§2.7) at this path stands for. */
function legacyOf(path: readonly string[]): string | undefined {
  for (const spec of FIELDS) {
    for (const alias of spec.legacyKeys ?? []) {
      if (matches(alias, path) !== undefined) return spec.yaml[spec.yaml.length - 1] === '*' ? (spec.yaml[spec.yaml.length - 2] as string) : spec.yaml.join('.');
    }
  }
  return undefined;
}

/**
 * A failed zod parse of an API request part (body, query, path) as an
 * EntityBodyError (WW_ERR_INVALID_VALUE, HTTP 400): the dotted key path from
 * `prefix`, what is wrong, and the field when the path is one (a path
 * starting with a `node`/`profile` key is looked up inside it, as API
 * bodies wrap the entity so).
 */
export function schemaIssueError(error: z.ZodError, prefix: readonly string[] = []): EntityBodyError {
  const issue = error.issues[0] as z.core.$ZodIssue;
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    path = [...path, key];
    const inner = path[0] === 'node' || path[0] === 'profile' ? path.slice(1) : path;
    const current = legacyOf(inner);
    // the one field a schema leaves out on purpose: a node-only one in a profile
    message = current !== undefined ? `a 4.3 spelling: use "${current}"` : fieldAt(inner) !== undefined ? 'only nodes have this field' : 'unknown field';
  } else if (issue.code === 'invalid_key' || (issue.code === 'invalid_union' && issue.errors.length > 0 && message === 'Invalid input')) {
    const inner = issue.code === 'invalid_key' ? issue.issues[0] : issue.errors[0]?.[0];
    if (inner !== undefined) message = inner.message;
  }
  const field = fieldAt(path) ?? (path[0] === 'node' || path[0] === 'profile' ? fieldAt(path.slice(1)) : undefined);
  const where = [...prefix, ...path].join('.');
  return new EntityBodyError(`${where === '' ? 'body' : where}: ${message}${field !== undefined ? ` (field ${field})` : ''}`, where, field);
}

/**
 * Parse an API body's entity (a node or profile in YAML key names). Returns
 * it as nodes.conf data (null-prototype mappings, as the YAML reader makes).
 * Throws EntityBodyError (WW_ERR_INVALID_VALUE, HTTP 400) naming the key path
 * from `prefix` and the field.
 */
export function parseEntityBody(section: Section, body: unknown, prefix: readonly string[] = [section]): RawEntity {
  const r = entitySchema(section).safeParse(body);
  if (!r.success) throw schemaIssueError(r.error, prefix);
  return cloneData(r.data) as RawEntity;
}
