/**
 * The status table's wire format (`GET /status`, §4.7) and how `wwctl node
 * status` turns it into rows (§1.3). The daemon writes the document; wwctl
 * reads it through the schema below (parse, don't cast).
 */
import { z } from 'zod';
import { WwError } from '../errors.js';
import { stageDisplayName } from './stages.js';

export interface NodeStatus {
  'node name': string;
  /** Last stage served, denied or failed; '' until the node is seen. */
  stage: string;
  /** Basename of the file sent, or BAD_ASSET / BAD_REQUEST / NOT_FOUND; '' until seen. */
  sent: string;
  /** Source address of the last request. */
  ipaddr: string;
  /** Unix seconds; 0 until seen. */
  'last seen': number;
}

export interface StatusDocument {
  nodes: Record<string, NodeStatus>;
}

const nodeStatusSchema = z.object({
  'node name': z.string(),
  stage: z.string(),
  sent: z.string(),
  ipaddr: z.string(),
  'last seen': z.number().int().nonnegative(),
});

export const statusDocumentSchema = z.object({ nodes: z.record(z.string(), nodeStatusSchema) });

/** Parse a /status body; throws WW_ERR_BAD_RESPONSE naming the field that is wrong. */
export function parseStatusDocument(text: string, source: string): StatusDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WwError('WW_ERR_BAD_RESPONSE', `${source}: not JSON: ${(err as Error).message}`);
  }
  const r = statusDocumentSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new WwError('WW_ERR_BAD_RESPONSE', `${source}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

/** ok: seen recently; late: ≥ interval+5 s ago (yellow); lost: ≥ 2×interval ago (red); unseen: never. */
export type SeenState = 'ok' | 'late' | 'lost' | 'unseen';

export interface NodeStatusRow {
  name: string;
  stage: string;
  sent: string;
  ipaddr: string;
  lastSeen: number;
  /** Seconds since last seen; undefined when never seen. */
  ago: number | undefined;
  state: SeenState;
}

export interface NodeStatusOptions {
  /** Unix seconds. */
  now: number;
  /** warewulf.conf `update interval` (seconds). */
  interval: number;
  /** Only these node names (already expanded); all when empty. */
  names?: readonly string[];
  /** Hide rows whose last-seen epoch is below this (`-t`). */
  time?: number;
  /** Sort by last seen, newest first, then name (`-l`). */
  last?: boolean;
  /** Names in reverse order (`-r`). */
  reverse?: boolean;
  /** Only never-seen nodes (`-u`). */
  unknown?: boolean;
}

/** Classify how long ago a node was seen against the update interval (§1.3). */
export function seenState(lastSeen: number, now: number, interval: number): SeenState {
  if (lastSeen === 0) return 'unseen';
  const ago = now - lastSeen;
  if (ago >= 2 * interval) return 'lost';
  if (ago >= interval + 5) return 'late';
  return 'ok';
}

/** The rows `wwctl node status` shows, filtered and sorted as its flags say. */
export function nodeStatusRows(doc: StatusDocument, o: NodeStatusOptions): NodeStatusRow[] {
  const wanted = o.names && o.names.length > 0 ? new Set(o.names) : undefined;
  const rows: NodeStatusRow[] = [];
  for (const [name, s] of Object.entries(doc.nodes)) {
    if (wanted && !wanted.has(name)) continue;
    const seen = s['last seen'];
    if (o.unknown && seen !== 0) continue;
    if (o.time !== undefined && o.time > 0 && seen < o.time) continue;
    rows.push({
      name, stage: s.stage, sent: s.sent, ipaddr: s.ipaddr, lastSeen: seen,
      ago: seen === 0 ? undefined : Math.max(0, o.now - seen), state: seenState(seen, o.now, o.interval),
    });
  }
  const byName = (a: NodeStatusRow, b: NodeStatusRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (o.last) rows.sort((a, b) => b.lastSeen - a.lastSeen || byName(a, b));
  else if (o.reverse) rows.sort((a, b) => byName(b, a));
  else rows.sort(byName);
  return rows;
}

const COLORS: Record<SeenState, string> = { ok: '', late: '\x1b[33m', lost: '\x1b[31m', unseen: '\x1b[90m' };

/**
 * The table of §1.3: `NODENAME STAGE SENT LASTSEEN (s)`, 80 `=`, one row per
 * node; never-seen nodes show `--`. With `color`, late rows are yellow, lost
 * ones red and never-seen ones grey.
 */
export function formatNodeStatus(rows: readonly NodeStatusRow[], opts: { color: boolean }): string {
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(20)} ${b.padEnd(20)} ${c.padEnd(25)} ${d.padEnd(10)}`;
  let out = `${line('NODENAME', 'STAGE', 'SENT', 'LASTSEEN (s)')}\n${'='.repeat(80)}\n`;
  for (const r of rows) {
    const text = r.ago === undefined ? line(r.name, '--', '--', '--') : line(r.name, stageDisplayName(r.stage), r.sent, String(r.ago));
    const c = opts.color ? COLORS[r.state] : '';
    out += c === '' ? `${text}\n` : `${c}${text}\x1b[0m\n`;
  }
  return out;
}

/**
 * Where `wwctl node status` finds the daemon (§1.3): `http://<ipaddr>:<port>/status`,
 * `[ipaddr6]` only when ipaddr is empty. WW_ERR_CONFIG_INVALID when neither is set.
 */
export function statusUrl(conf: { ipaddr: string; ipaddr6: string; warewulf: { port: number } }, confFile: string): string {
  if (conf.ipaddr !== '') return `http://${conf.ipaddr}:${conf.warewulf.port}/status`;
  if (conf.ipaddr6 !== '') return `http://[${conf.ipaddr6}]:${conf.warewulf.port}/status`;
  throw new WwError('WW_ERR_CONFIG_INVALID', `warewulf server address is not configured: set ipaddr or ipaddr6 in ${confFile}`);
}

/** GET and parse a /status document (30 s timeout by default). WW_ERR_SERVER when it cannot be fetched. */
export async function fetchStatus(url: string, timeoutMs = 30_000): Promise<StatusDocument> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new WwError('WW_ERR_SERVER', `cannot reach warewulfd at ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { cause: err });
  }
  if (!res.ok) throw new WwError('WW_ERR_SERVER', `${url}: HTTP ${res.status}`);
  return parseStatusDocument(await res.text(), url);
}
