/**
 * The output modes of `wwctl node list` (§1.3) as text. `-a` defaults to the
 * layout of the seed document (4.3's fixed-width provenance table, with
 * built-in defaults in parentheses); today's tab-aligned layout is
 * `--style current`. Rows come from core.
 */
import { currentProvenanceRows, dumpYaml, fieldText as text, seedProvenanceRows, type MergedNode, type NodeSummary } from '@warewulf/core';
import { printfRow, tabTable } from './table.js';
import { writeStreamed } from './streamed.js';
import type { Writer } from '../wwlog.js';

const dash = (s: string | undefined): string => (s === undefined || s === '' ? '--' : s);
/** An unset IP address of a section that exists: Go prints a nil net.IP as `<nil>`, and upstream's tables keep it (§0.3 quirk, pinned by its tests). */
const nilIp = (s: string | undefined): string => (s === undefined || s === '' ? '<nil>' : s);

export function formatNodeList(nodes: readonly NodeSummary[]): string {
  return tabTable(
    ['NODE NAME', 'PROFILES', 'NETWORK'],
    nodes.map((n) => [n.id, dash(n.profiles.join(',')), dash(n.netdevs.join(', '))]),
  );
}

/* The tables take the nodes as an iterable (NodeDb.stream): each node is turned into its row and dropped, so a
   listing of 50,000 merged nodes never holds them all (less to keep, far less for the garbage collector to move). */

export function formatNodeListLong(nodes: Iterable<MergedNode>): string {
  const rows: string[][] = [];
  for (const n of nodes) {
    rows.push([
      n.id,
      dash(text(n.fields.get('Kernel.Version'))),
      dash(text(n.fields.get('ImageName'))),
      `${text(n.fields.get('SystemOverlay')) ?? ''}/${text(n.fields.get('RuntimeOverlay')) ?? ''}`,
    ]);
  }
  return tabTable(['NODE NAME', 'KERNEL VERSION', 'IMAGE', 'OVERLAYS (S/R)'], rows);
}

export function formatNodeListNet(nodes: Iterable<MergedNode>): string {
  const rows: string[][] = [];
  for (const n of nodes) {
    if (n.netdevs.length === 0) rows.push([n.id, '--', '--', '--', '--', '--']);
    for (const net of n.netdevs) {
      const v = (f: string) => text(n.fields.get(`NetDevs[${net}].${f}`));
      rows.push([n.id, net, dash(v('Hwaddr')), nilIp(v('Ipaddr')), nilIp(v('Gateway')), dash(v('Device'))]);
    }
  }
  return tabTable(['NODE', 'NETWORK', 'HWADDR', 'IPADDR', 'GATEWAY', 'DEVICE'], rows);
}

export function formatNodeListIpmi(nodes: Iterable<MergedNode>): string {
  const rows: string[][] = [];
  for (const n of nodes) {
    const g = (f: string) => dash(text(n.fields.get(`Ipmi.${f}`)));
    // with an ipmi section (any IPMI value, inherited ones included) an unset address is Go's nil IP
    let section = false;
    for (const [path, f] of n.fields) if (path.startsWith('Ipmi.') && !f.isDefault) section = true;
    rows.push([n.id, section ? nilIp(text(n.fields.get('Ipmi.Ipaddr'))) : '--', g('Port'), g('UserName'), g('Interface')]);
  }
  return tabTable(['NODE', 'IPMI IPADDR', 'IPMI PORT', 'IPMI USERNAME', 'IPMI INTERFACE'], rows);
}

const SEED_WIDTHS = [20, 18, 12];
const SEED_HEAD = `${'#'.repeat(80)}\n${printfRow(SEED_WIDTHS, ['NODE', 'FIELD', 'PROFILE', 'VALUE'])}`;

/** `-a` in the seed's layout for one node: a line of 80 `#`, the header, then rows. */
export function formatNodeAllSeed(n: MergedNode): string {
  let out = SEED_HEAD;
  for (const r of seedProvenanceRows(n)) out += printfRow(SEED_WIDTHS, [r.node, r.field, r.source, r.value]);
  return out;
}

/** `-a` in the seed's layout. */
export function formatNodeListAllSeed(nodes: readonly MergedNode[]): string {
  return nodes.map(formatNodeAllSeed).join('');
}

export function formatNodeListAllCurrent(nodes: Iterable<MergedNode>): string {
  const rows: string[][] = [];
  for (const n of nodes) for (const r of currentProvenanceRows(n)) rows.push([r.node, r.field, r.source, r.value]);
  return tabTable(['NODE', 'FIELD', 'PROFILE', 'VALUE'], rows);
}

export function formatYamlMap(map: Record<string, unknown>, indent: number): string {
  return dumpYaml(map, indent);
}

/** A name JavaScript orders as an array index in an object (`0`, `42`): such keys come first, by number. */
const isIndexKey = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/** Names in the order an object built from them in this order lists its keys (what the whole-map output showed). */
export function objectKeyOrder(ids: readonly string[]): string[] {
  const index = ids.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return index.length === 0 ? [...ids] : [...index, ...ids.filter((k) => !isIndexKey(k))];
}

/**
 * A YAML map of names to entries (`node export`, `node list -y`), written
 * piece by piece as the entries are dumped (writeStreamed: small pieces,
 * the stream's backpressure kept): the same text as formatYamlMap(map,
 * indent) of the whole map (pass the entries in objectKeyOrder()), without
 * one document-sized string or the whole map in memory.
 */
export async function writeEntityMap(out: Writer, entries: Iterable<readonly [string, unknown]>, indent = 2): Promise<void> {
  let any = false;
  await writeStreamed(out, (function* () {
    // a few hundred entries per dump: one dump call per entry costs more than the whole map at once
    let batch: [string, unknown][] = [];
    for (const entry of entries) {
      any = true;
      batch.push([entry[0], entry[1]]);
      if (batch.length === 256) {
        // fromEntries defines own properties, whatever the name (`__proto__` too)
        yield formatYamlMap(Object.fromEntries(batch), indent);
        batch = [];
      }
    }
    if (batch.length > 0) yield formatYamlMap(Object.fromEntries(batch), indent);
  })());
  if (!any) out.write(formatYamlMap({}, indent));
}

/** Go's encoding/json escapes <, > and & in strings. */
export function formatJson(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

