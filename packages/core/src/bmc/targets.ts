/**
 * Which nodes a BMC command acts on, and what it needs of each: the merged
 * `ipmi` fields (§2.2, profiles applied as §2.4) and the primary network
 * device's hardware address (for templates such as nobmc.tmpl's Wake-on-LAN).
 * The only place of the BMC code that reads the node registry, so switching
 * it to another node store touches this file alone.
 */
import { WwError } from '../errors.js';
import { expandHostlist } from '../hostlist.js';
import type { Logger } from '../log.js';
import { NodeMerger, type MergedNode } from '../node/merge.js';
import { readNodesConf } from '../node/store.js';
import { nodeTemplateData, type IpmiData } from '../overlay/template-data.js';

/**
 * A node's merged `ipmi` section under the field names of §2.2 (unset = ''):
 * the overlay templates' `.Ipmi`, as a plain shape.
 */
export type IpmiSettings = { readonly [K in keyof IpmiData]: IpmiData[K] };

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
  /** Parse cache directory (`paths.ociCacheDir`), as the other readers use. */
  cacheDir?: string;
  log?: Logger;
}

/**
 * Expand `patterns` (hostlists, §0.4) and load the merged IPMI settings of
 * each node they name.
 *
 * Never "all nodes": with no pattern (or only empty ones) this throws
 * WW_ERR_USAGE before reading anything, since an unnamed `power reset` must
 * not reboot a cluster (ww#820). Throws WW_ERR_HOSTLIST for a malformed
 * pattern, WW_ERR_NODE_NOT_FOUND when none of the names exists, and the
 * nodes.conf errors of readNodesConf.
 */
export async function loadBmcTargets(patterns: readonly string[], opts: LoadBmcTargetsOptions): Promise<BmcSelection> {
  const names = [...new Set(patterns.some((p) => p.trim() !== '') ? expandHostlist(patterns) : [])];
  if (names.length === 0) {
    throw new WwError('WW_ERR_USAGE', 'no node named: BMC commands act only on the nodes named on the command line', {
      hint: 'name the nodes, e.g. n[001-100]',
    });
  }
  const doc = await readNodesConf(opts.nodesConf, opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {});
  const merger = new NodeMerger(doc, opts.log);
  const targets: BmcTarget[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const merged = doc.nodes[name] === undefined ? undefined : merger.merge(name);
    if (merged) targets.push(targetOf(merged));
    else unknown.push(name);
  }
  if (targets.length === 0) throw new WwError('WW_ERR_NODE_NOT_FOUND', `no such node: ${unknown.join(', ')}`);
  return { targets, unknown };
}

function targetOf(node: MergedNode): BmcTarget {
  const data = nodeTemplateData(node);
  return { node: node.id, ipmi: data.Ipmi, hwaddr: data.NetDevs[data.PrimaryNetDev]?.Hwaddr ?? '' };
}
