/**
 * Which nodes a BMC command acts on, and what it needs of each: the merged
 * `ipmi` fields (§2.2, profiles applied as §2.4) and the primary network
 * device's hardware address (for templates such as nobmc.tmpl's Wake-on-LAN).
 * The only place of the BMC code that reads the node registry (through
 * NodeDb; warewulfd can hand its own snapshot to bmcTargets()).
 */
import { WwError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MergedNode } from '../node/merge.js';
import type { NodeDb } from '../node/nodedb.js';
import { loadNodeDb } from '../node/store.js';
import { IP, nodeTemplateData, type WWbool } from '../overlay/template-data.js';

/**
 * A node's merged `ipmi` section under the field names of §2.2 (unset = ''):
 * the overlay templates' `.Ipmi`, as a plain shape.
 */
export interface IpmiSettings {
  readonly UserName: string;
  readonly Password: string;
  readonly Ipaddr: string;
  readonly Gateway: string;
  readonly Netmask: string;
  readonly Port: string;
  readonly Interface: string;
  readonly EscapeChar: string;
  readonly Write: string;
  readonly Template: string;
  readonly Tags: Readonly<Record<string, string>>;
}

/** One node a BMC command acts on. */
export interface BmcTarget {
  readonly node: string;
  readonly ipmi: IpmiSettings;
  /** The primary network device's hardware address, '' when none. */
  readonly hwaddr: string;
}

export interface BmcSelection {
  /** Named nodes that exist, in the order the patterns name them, each once. */
  readonly targets: BmcTarget[];
  /** Names the patterns expanded to that are not in nodes.conf. */
  readonly unknown: string[];
}

export interface LoadBmcTargetsOptions {
  /** nodes.conf (`paths.nodesConf`). */
  nodesConf: string;
  /** Parse cache directory (`paths.nodesCacheDir`), as the other readers use. */
  cacheDir?: string;
  log?: Logger;
}

/**
 * Expand `patterns` (hostlists, §0.4) and pick the merged IPMI settings of
 * each node they name from `db`.
 *
 * Never "all nodes": with no pattern (or only empty ones) this throws
 * WW_ERR_USAGE, since an unnamed `power reset` must not reboot a cluster
 * (ww#820). Throws WW_ERR_HOSTLIST for a malformed pattern and
 * WW_ERR_NODE_NOT_FOUND when none of the names exists.
 */
export function bmcTargets(db: NodeDb, patterns: readonly string[]): BmcSelection {
  requireNamed(patterns);
  const unknown: string[] = [];
  const targets = db.select(patterns, { onMissing: (n) => unknown.push(n) }).map((id) => targetOf(db.require(id)));
  if (targets.length === 0) throw new WwError('WW_ERR_NODE_NOT_FOUND', `no such node: ${unknown.join(', ')}`);
  return { targets, unknown };
}

/** bmcTargets() over nodes.conf read from disk; the pattern check comes before the read. */
export async function loadBmcTargets(patterns: readonly string[], opts: LoadBmcTargetsOptions): Promise<BmcSelection> {
  requireNamed(patterns);
  const db = await loadNodeDb(opts.nodesConf, {
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
  });
  return bmcTargets(db, patterns);
}

function requireNamed(patterns: readonly string[]): void {
  if (patterns.some((p) => p.trim() !== '')) return;
  throw new WwError('WW_ERR_USAGE', 'no node named: BMC commands act only on the nodes named on the command line', {
    hint: 'name the nodes, e.g. n[001-100]',
  });
}

function targetOf(node: MergedNode): BmcTarget {
  const data = nodeTemplateData(node);
  const ipmi = data.Ipmi;
  // plain text for the command line and results: addresses as they print, '' when unset
  const text = (v: IP | WWbool | string): string => (typeof v === 'string' ? v : v instanceof IP ? (v[0] ?? '') : v.v);
  return {
    node: node.id,
    ipmi: {
      UserName: ipmi.UserName, Password: ipmi.Password, Ipaddr: text(ipmi.Ipaddr), Gateway: text(ipmi.Gateway), Netmask: text(ipmi.Netmask),
      Port: ipmi.Port, Interface: ipmi.Interface, EscapeChar: ipmi.EscapeChar, Write: text(ipmi.Write), Template: ipmi.Template, Tags: { ...ipmi.Tags },
    },
    hwaddr: String(data.NetDevs[data.PrimaryNetDev]?.Hwaddr ?? ''),
  };
}
