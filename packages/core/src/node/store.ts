/**
 * Reading and changing nodes.conf on disk. Every change is
 * read-modify-write under an exclusive lock, and the new text replaces the
 * file atomically with mode 0600 (it holds IPMI passwords). A change that
 * throws writes nothing.
 *
 * Parsing YAML is most of what `wwctl node list` costs on a large cluster
 * (about 150 ms of a 10,000-node file), so a parsed copy is kept in the cache
 * directory, keyed by the SHA-256 of the file's text: any edit, by wwctl or by
 * hand, changes the key, and a stale copy can never be used.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, realpath, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import { acquireLock, pidAlive, type LockOptions } from '../fs/lock.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Logger } from '../log.js';
import { decodeUtf8, fromCacheForm, toCacheForm } from '../yaml/document.js';
import { isMapping } from '../yaml-value.js';
import { DEFAULT_NODES_CONF } from './default-nodes-conf.js';
import { NodeDb } from './nodedb.js';
import { dumpNodesConf, parseNodesConf, relocateUnknownKeys, unknownKeyWarnings, type NodesDocument, type RawEntity, type UnknownKey } from './document.js';

export interface ReadOptions {
  /** Directory for the parsed-document cache (`paths.nodesCacheDir`); none: always parse. */
  cacheDir?: string;
}

const CACHE_PREFIX = 'nodes-conf-';
const CACHE_SUFFIX = '.json';
/** Bumped whenever the cached form changes, so an older cache is never read as a newer one. */
const CACHE_FORMAT = 5;
const HEADER = 4 + 32; // format (u32 BE) + SHA-256 of the payload

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function docFromRaw(raw: Record<string, unknown>, unknownKeys: UnknownKey[] | undefined): NodesDocument {
  return {
    raw, profiles: raw.nodeprofiles as Record<string, RawEntity>, nodes: raw.nodes as Record<string, RawEntity>,
    ...(unknownKeys !== undefined && unknownKeys.length > 0 ? { unknownKeys } : {}),
  };
}

/** The cached unknown keys, checked for shape (anything else: the cache is not used). */
function cachedUnknown(v: unknown): UnknownKey[] {
  if (!Array.isArray(v)) throw new Error('bad cache');
  return v.map((u: unknown) => {
    const { path, where } = (u ?? {}) as { path?: unknown; where?: unknown };
    if (!Array.isArray(path) || !path.every((p) => typeof p === 'string') || typeof where !== 'string') throw new Error('bad cache');
    return { path: path as string[], where };
  });
}

/**
 * A cached parse, trusted only when it is of our format and its payload
 * matches the digest written with it (the payload was validated when it was
 * parsed, and it is keyed by the text's hash); anything else (another
 * version's cache, a truncated, corrupt or altered file, a tree of the wrong
 * shape) is ignored and the text parsed again.
 */
async function readCached(dir: string, hash: string): Promise<NodesDocument | undefined> {
  try {
    const buf = await readFile(join(dir, `${CACHE_PREFIX}${hash}${CACHE_SUFFIX}`));
    if (buf.length < HEADER || buf.readUInt32BE(0) !== CACHE_FORMAT) return undefined;
    const payload = buf.subarray(HEADER);
    if (!createHash('sha256').update(payload).digest().equals(buf.subarray(4, HEADER))) return undefined;
    const form = JSON.parse(payload.toString('utf8')) as { unknown?: unknown; raw?: unknown };
    const raw = fromCacheForm(form.raw);
    if (!isMapping(raw) || !isMapping(raw.nodes) || !isMapping(raw.nodeprofiles)) return undefined;
    return docFromRaw(raw, cachedUnknown(form.unknown));
  } catch {
    return undefined; // missing, unreadable or corrupt: parse instead
  }
}

/** Best effort: a cache that cannot be written only costs the next reader a parse. */
async function writeCached(dir: string, hash: string, doc: NodesDocument): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      if (name.startsWith(CACHE_PREFIX) && name !== `${CACHE_PREFIX}${hash}${CACHE_SUFFIX}`) await unlink(join(dir, name)).catch(() => undefined);
    }
    const form = toCacheForm(doc.raw);
    if (form === undefined) return;
    const payload = Buffer.from(`{"unknown":${JSON.stringify(doc.unknownKeys ?? [])},"raw":${form}}`, 'utf8');
    const header = Buffer.alloc(HEADER);
    header.writeUInt32BE(CACHE_FORMAT, 0);
    createHash('sha256').update(payload).digest().copy(header, 4);
    await writeFileAtomic(join(dir, `${CACHE_PREFIX}${hash}${CACHE_SUFFIX}`), Buffer.concat([header, payload]), 0o600);
  } catch {
    /* ignore */
  }
}

/** The file's text (UTF-8, refused otherwise with FILE:LINE:COL), or undefined when it does not exist. */
async function readText(path: string): Promise<string | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw new WwError('WW_ERR_IO', `could not read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return decodeUtf8(buf, path, 'WW_ERR_NODES_PARSE');
}

/**
 * The file a write must replace: a symlinked nodes.conf is written through
 * to its target (atomically, in the target's directory), never replaced by
 * a regular file. A missing file is written where it is named.
 */
export async function writeTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return path;
    throw new WwError('WW_ERR_IO', `could not resolve ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The parsed document and the SHA-256 of the text it came from. A missing
 * file reads as the shipped nodes.conf (a `default` profile), with revision ''.
 */
async function readDocument(path: string, opts: ReadOptions): Promise<{ doc: NodesDocument; revision: string }> {
  const text = await readText(path);
  if (text === undefined) return { doc: parseNodesConf(DEFAULT_NODES_CONF, '(shipped nodes.conf)'), revision: '' };
  const hash = sha256(text);
  if (opts.cacheDir === undefined) return { doc: parseNodesConf(text, path), revision: hash };
  const hit = await readCached(opts.cacheDir, hash);
  if (hit) return { doc: hit, revision: hash };
  const doc = parseNodesConf(text, path);
  await writeCached(opts.cacheDir, hash, doc);
  return { doc, revision: hash };
}

/** Read and parse nodes.conf (a missing file is the shipped one). Throws WwError with FILE:LINE:COL on bad input. */
export async function readNodesConf(path: string, opts: ReadOptions = {}): Promise<NodesDocument> {
  return (await readDocument(path, opts)).doc;
}

/**
 * Load nodes.conf as an immutable NodeDb (the snapshot wwctl, the overlay
 * builder and warewulfd share). Throws as readNodesConf().
 */
export async function loadNodeDb(path: string, opts: ReadOptions & { log?: Logger } = {}): Promise<NodeDb> {
  const { doc, revision } = await readDocument(path, opts);
  if (opts.log) for (const line of unknownKeyWarnings(doc)) opts.log.warn(line);
  return new NodeDb(doc, revision, opts.log);
}

/**
 * A writer killed mid-write leaves its temp file (`.nodes.conf.tmp-PID-X`) or
 * lock candidate (`nodes.conf.lock.PID.X`) behind; the next lock holder
 * removes those of dead processes.
 */
async function removeLeftovers(path: string): Promise<void> {
  const dir = dirname(path);
  const base = basename(path);
  const patterns = [
    new RegExp(`^\\.${escapeRe(base)}\\.tmp-(\\d+)-[0-9a-f]+$`), // writeFileAtomic's temp file
    new RegExp(`^${escapeRe(base)}\\.lock\\.(\\d+)\\.[0-9a-f]+$`), // a lock candidate before link(2)
    new RegExp(`^${escapeRe(base)}\\.lock\\.stale\\.(\\d+)$`), // a broken lock set aside
  ];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name === `${base}.lock.break`) {
      // a lock breaker that was killed while breaking: its pid is inside
      const pid = Number((await readFile(join(dir, name), 'utf8').catch(() => '')).split(/\s+/)[0]);
      if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) await unlink(join(dir, name)).catch(() => undefined);
      continue;
    }
    for (const re of patterns) {
      const m = re.exec(name);
      if (m && !pidAlive(Number(m[1]))) await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface UpdateResult<T> {
  result: T;
  written: boolean;
}

/**
 * Lock, read, let `change` edit the document, write it back. `change`
 * returns `{ write: false }` to leave the file alone (nothing changed).
 */
export async function updateNodesConf<T>(
  path: string,
  change: (doc: NodesDocument, revision: string) => Promise<{ result: T; write: boolean }> | { result: T; write: boolean },
  opts: LockOptions & ReadOptions = {},
): Promise<UpdateResult<T>> {
  const target = await writeTarget(path);
  await mkdir(dirname(target), { recursive: true });
  const lock = await acquireLock(`${target}.lock`, opts);
  try {
    await removeLeftovers(target);
    // never the cache here: the change must apply to exactly what is on disk now
    const text = await readText(target);
    const doc = parseNodesConf(text ?? DEFAULT_NODES_CONF, text === undefined ? '(shipped nodes.conf)' : path);
    const { result, write } = await change(doc, text === undefined ? '' : sha256(text));
    if (write) {
      const out = dumpNodesConf(doc);
      await writeFileAtomic(target, out, 0o600);
      // the cache of the new text must place its unknown keys in the new text
      const cached = doc.unknownKeys !== undefined ? relocateUnknownKeys(doc, out, path) : doc;
      if (opts.cacheDir !== undefined) await writeCached(opts.cacheDir, sha256(out), cached);
    }
    return { result, written: write };
  } finally {
    await lock.release();
  }
}
