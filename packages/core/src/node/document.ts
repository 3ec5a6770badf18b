/**
 * nodes.conf as a document: the raw YAML mapping, kept whole so that keys we
 * do not know (and the legacy vocabulary) survive a rewrite. Parsing checks
 * the shape against the field table; a violation is
 * one error naming FILE:LINE:COL and the field path.
 */
import { WwError } from '../errors.js';
import { findLocation, locateKeys } from '../yaml-locate.js';
import { FIELDS, type FieldSpec } from './fields.js';
import { FIELD_TREE, type FieldTreeNode } from './field-tree.js';
import { checkValue, isValidIp, isValidMac } from './values.js';
import { nameIssue } from './names.js';
import { isLegacyKey } from './legacy-keys.js';
import { isMapping, newMapping } from '../yaml-value.js';
import { dumpYaml, loadYaml } from '../yaml/document.js';
import { YamlScalar, scalarText } from '../yaml/scalar.js';

export type RawEntity = Record<string, unknown>;

export interface NodesDocument {
  /** The top-level mapping; `nodeprofiles` and `nodes` point into it. */
  readonly raw: Record<string, unknown>;
  readonly profiles: Record<string, RawEntity>;
  readonly nodes: Record<string, RawEntity>;
  /**
   * Keys the field table does not know (a typo such as `kernal:`, a field of
   * a newer Warewulf), found when the text was parsed: kept in the file,
   * ignored otherwise. `where` is `FILE:LINE:COL`.
   */
  readonly unknownKeys?: readonly UnknownKey[];
}

export interface UnknownKey {
  /** YAML path from the top, e.g. `nodes`, `n1`, `kernal`. */
  path: readonly string[];
  where: string;
}

/**
 * Shape check of one node or profile against the field tree: mappings where
 * the table has structure, scalars at leaves, valid IP and MAC literals.
 * Unknown keys pass (they are kept). This is the nodes.conf schema, compiled
 * from the field table rather than written with zod: zod took 37 µs an entry
 * here, 370 ms for a 10,000-node file, most of `node list`'s budget.
 */
export interface ShapeIssue {
  path: (string | number)[];
  message: string;
}

function scalarIssue(v: unknown): string | undefined {
  if (v === null || typeof v === 'string' || v instanceof YamlScalar || typeof v === 'number' || typeof v === 'boolean') return undefined;
  return Array.isArray(v) ? 'expected a single value, got a list' : 'expected a single value, got a mapping';
}

function leafIssue(spec: FieldSpec, v: unknown): string | undefined {
  switch (spec.kind) {
    case 'any':
      return undefined;
    case 'list':
      if (v === null || typeof v === 'string') return undefined;
      if (!Array.isArray(v)) return 'expected a list';
      for (const item of v) if (scalarIssue(item)) return 'expected a list of single values';
      return undefined;
    case 'ip': {
      const e = scalarIssue(v);
      if (e) return e;
      if (v === null || v === '') return undefined;
      if (!isValidIp(String(v))) return `invalid IP address ${JSON.stringify(String(v))}`;
      return checkValue(spec, String(v));
    }
    case 'mac': {
      const e = scalarIssue(v);
      if (e) return e;
      return v === null || v === '' || isValidMac(String(v)) ? undefined : `invalid MAC address ${JSON.stringify(String(v))}`;
    }
    default: {
      // a list where an older release wrote one (§2.7); its items must be single values
      if (Array.isArray(v) && spec.listJoin !== undefined) return v.some((item) => scalarIssue(item)) ? 'expected a list of single values' : undefined;
      const e = scalarIssue(v);
      if (e || v === null || v === '' || spec.check === undefined) return e;
      return checkValue(spec, String(v));
    }
  }
}

export function checkEntityShape(
  entity: unknown,
  t: FieldTreeNode = FIELD_TREE,
  path: (string | number)[] = [],
  onUnknown?: (path: (string | number)[]) => void,
): ShapeIssue | undefined {
  // `path` is a stack pushed and popped on the way down, copied only into an issue (every node of 50,000 is checked)
  if (t.spec) {
    const message = leafIssue(t.spec, entity);
    return message ? { path: [...path], message } : undefined;
  }
  if (entity === null || entity === undefined) return undefined;
  if (!isMapping(entity)) return { path: [...path], message: 'expected a mapping' };
  for (const k in entity) {
    const child = t.wildcard ?? t.children.get(k);
    if (!child) {
      if (onUnknown && !isLegacyKey(path, k)) onUnknown([...path, k]);
      continue;
    }
    path.push(k);
    const bad = t.wildcard && t.wildcardKind !== undefined ? nameIssue(t.wildcardKind, k) : undefined;
    const issue = bad ? { path: [...path], message: bad } : checkEntityShape(entity[k], child, path, onUnknown);
    path.pop();
    if (issue) return issue;
  }
  return undefined;
}

/** The legacy spellings of the field table (`ipmi ipaddr`, `ipcidr`, `kernel args`...), each with the field it spells. */
const LEGACY_PATHS: readonly { spec: FieldSpec; path: readonly string[] }[] = FIELDS.flatMap((spec) => (spec.legacyKeys ?? []).map((path) => ({ spec, path })));

function cidrIssue(v: unknown): string | undefined {
  const e = scalarIssue(v);
  if (e || v === null) return e;
  const [addr, bits, extra] = scalarText(v).split('/');
  const n = Number(bits);
  if (extra !== undefined || addr === undefined || bits === undefined || !isValidIp(addr) || !/^\d+$/.test(bits) || n > (addr.includes(':') ? 128 : 32)) {
    return 'invalid CIDR address (expected ADDRESS/PREFIXLEN)';
  }
  return undefined;
}

/**
 * 4.3's vocabulary gets the same checks as today's (§2.7): `ipmi ipaddr:
 * not-an-ip`, `ipcidr: 999.1.1.1/24` or `ipmi port: 99999` are refused like
 * their modern spellings would be.
 */
export function checkLegacyValues(entity: Record<string, unknown>): ShapeIssue | undefined {
  for (const { spec, path } of LEGACY_PATHS) {
    if (!((path[0] as string) in entity)) continue;
    const walk = (node: unknown, i: number, at: (string | number)[]): ShapeIssue | undefined => {
      if (i === path.length) {
        const message = path[path.length - 1] === 'ipcidr' ? cidrIssue(node) : leafIssue(spec, node);
        return message ? { path: at, message } : undefined;
      }
      if (!isMapping(node)) return undefined;
      const k = path[i] as string;
      if (k === '*') {
        for (const key in node) {
          const issue = walk(node[key], i + 1, [...at, key]);
          if (issue) return issue;
        }
        return undefined;
      }
      return k in node ? walk(node[k], i + 1, [...at, k]) : undefined;
    };
    const issue = walk(entity, 0, []);
    if (issue) return issue;
  }
  return undefined;
}

function fail(file: string, text: string, path: (string | number)[], message: string): never {
  const pos = findLocation(locateKeys(text), path);
  const where = pos ? `${file}:${pos.line}:${pos.keyColumn}` : file;
  throw new WwError('WW_ERR_NODES_INVALID', `${where}: ${path.join('.')}: ${message}`);
}

/** Check a mapping of names to nodes/profiles in place (null entries become `{}`). */
function checkEntities(
  v: unknown, prefix: string[], file: string, text: string, kind: 'node' | 'profile', unknown?: string[][],
): Record<string, RawEntity> {
  if (v === undefined || v === null) return newMapping() as Record<string, RawEntity>;
  if (!isMapping(v)) fail(file, text, prefix, 'must be a mapping of names to entries');
  for (const [name, entity] of Object.entries(v)) {
    const bad = nameIssue(kind, name);
    if (bad) fail(file, text, [...prefix, name], bad);
    if (entity === null || entity === undefined) {
      v[name] = newMapping();
      continue;
    }
    if (!isMapping(entity)) fail(file, text, [...prefix, name], 'must be a mapping of fields');
    const onUnknown = unknown && ((p: (string | number)[]) => void unknown.push([...prefix, name, ...p.map(String)]));
    const issue = checkEntityShape(entity, FIELD_TREE, [], onUnknown) ?? checkLegacyValues(entity);
    if (issue) fail(file, text, [...prefix, name, ...issue.path], issue.message);
  }
  return v as Record<string, RawEntity>;
}

/** Parse nodes.conf text. Throws WwError naming the file, line, column and field path. */
export function parseNodesConf(text: string, file = 'nodes.conf'): NodesDocument {
  let data = loadYaml(text, file, 'WW_ERR_NODES_PARSE');
  if (data === null || data === undefined) data = newMapping();
  if (!isMapping(data)) fail(file, text, [], 'the document must be a mapping with "nodeprofiles" and "nodes"');
  const raw = data;
  const unknown: string[][] = [];
  // upstream's writers put `WW_INTERNAL: <version>` at the top
  for (const k of Object.keys(raw)) if (k !== 'nodeprofiles' && k !== 'nodes' && k !== 'WW_INTERNAL') unknown.push([k]);
  raw.nodeprofiles = checkEntities(raw.nodeprofiles, ['nodeprofiles'], file, text, 'profile', unknown);
  raw.nodes = checkEntities(raw.nodes, ['nodes'], file, text, 'node', unknown);
  return {
    raw,
    profiles: raw.nodeprofiles as Record<string, RawEntity>,
    nodes: raw.nodes as Record<string, RawEntity>,
    ...(unknown.length > 0 ? { unknownKeys: locateUnknown(unknown, file, text) } : {}),
  };
}

/** Where each unknown key is (the text is located once, only when there are some). */
function locateUnknown(paths: string[][], file: string, text: string): UnknownKey[] {
  const located = locateKeys(text);
  return paths.map((path) => {
    const pos = findLocation(located, path);
    return { path, where: pos ? `${file}:${pos.line}:${pos.keyColumn}` : file };
  });
}

/**
 * The document with its unknown keys re-found in `text` (the same document
 * written out anew): those an edit removed are dropped, the others get the
 * new text's line and column.
 */
export function relocateUnknownKeys(doc: NodesDocument, text: string, file: string): NodesDocument {
  const still = (doc.unknownKeys ?? []).map((u) => [...u.path]).filter((path) => {
    let cur: unknown = doc.raw;
    for (const k of path) {
      if (!isMapping(cur) || !Object.hasOwn(cur, k)) return false;
      cur = cur[k];
    }
    return true;
  });
  const { unknownKeys: _, ...rest } = doc;
  return still.length > 0 ? { ...rest, unknownKeys: locateUnknown(still, file, text) } : rest;
}

/**
 * One warning line per unknown key (the first `max`, then a count), e.g.
 * `nodes.conf:7:5: unknown key "kernal" in node n1 (kept in the file, not used)`.
 */
export function unknownKeyWarnings(doc: NodesDocument, max = 5): string[] {
  const all = doc.unknownKeys ?? [];
  const lines = all.slice(0, max).map(({ path, where }) => {
    const [section, name, ...rest] = path;
    const what = section === 'nodes' && name !== undefined ? ` in node ${name}` : section === 'nodeprofiles' && name !== undefined ? ` in profile ${name}` : '';
    const key = rest.length > 0 ? rest.join('.') : (path.length === 1 ? (section ?? '') : '');
    return `${where}: unknown key ${JSON.stringify(key)}${what} (kept in the file, not used)`;
  });
  if (all.length > max) lines.push(`... and ${all.length - max} more unknown key(s) in nodes.conf`);
  return lines;
}

/**
 * A bare map of names to nodes or profiles (`node import`, `node edit`),
 * checked like nodes.conf. A whole nodes.conf given by mistake is named as
 * such instead of becoming entries called `nodes` and `nodeprofiles`.
 */
export function parseEntityMap(text: string, file: string, kind: 'node' | 'profile' = 'node'): Record<string, RawEntity> {
  return parseEntityMapReport(text, file, kind).entities;
}

/**
 * As parseEntityMap, with the keys the field table does not know (paths
 * `[name, key...]`, each with its `FILE:LINE:COL`): in an edit or an import
 * such a key is most often a typo whose value would be lost (`hwadr:`).
 */
export function parseEntityMapReport(text: string, file: string, kind: 'node' | 'profile' = 'node'): { entities: Record<string, RawEntity>; unknownKeys: UnknownKey[] } {
  const data = loadYaml(text, file, 'WW_ERR_NODES_PARSE');
  if (isMapping(data) && ('nodes' in data || 'nodeprofiles' in data) && Object.keys(data).every((k) => k === 'nodes' || k === 'nodeprofiles')) {
    const inner = [data.nodes, data.nodeprofiles].filter((v) => v !== undefined && v !== null);
    if (inner.every((v) => isMapping(v) && Object.values(v).every((e) => e === null || isMapping(e)))) {
      throw new WwError(
        'WW_ERR_NODES_INVALID',
        `${file}: this is a whole nodes.conf (it has "nodeprofiles"/"nodes" at the top); give a map of ${kind} names to their fields`,
      );
    }
  }
  const unknown: string[][] = [];
  const entities = checkEntities(data, [], file, text, kind, unknown);
  return { entities, unknownKeys: unknown.length > 0 ? locateUnknown(unknown, file, text) : [] };
}

/** `FILE:LINE:COL: unknown key "hwadr" in node n02`, for a key found by parseEntityMapReport. */
export function unknownEntityKeyMessage(u: UnknownKey, kind: 'node' | 'profile'): string {
  const [name, ...rest] = u.path;
  return `${u.where}: unknown key ${JSON.stringify(rest.join('.'))} in ${kind} ${name ?? ''}`;
}

/** An empty registry. */
export function emptyNodesDocument(): NodesDocument {
  const raw = newMapping();
  raw.nodeprofiles = newMapping();
  raw.nodes = newMapping();
  return { raw, profiles: raw.nodeprofiles as Record<string, RawEntity>, nodes: raw.nodes as Record<string, RawEntity> };
}

/** Serialise; keys of untouched entries keep their order and scalars their text, so hand edits stay recognisable. */
export function dumpNodesConf(doc: NodesDocument): string {
  return dumpYaml(doc.raw);
}
